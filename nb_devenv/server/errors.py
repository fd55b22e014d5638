"""The one exception the server's logic raises to answer with a documented error.

It carries a code from ``nb_devenv.contract.error_codes`` (so its HTTP status and message are the
spec's, never re-typed here) and, for invalid bodies, every violation found.
"""

from __future__ import annotations

import errno
import sqlite3
from typing import Any, Sequence

from tornado.web import HTTPError

from nb_devenv.contract import Violation, by_code

__all__ = ["ErrorAnswer", "storage_failure"]

#: file-system errors that mean "the data directory cannot be written", not a bug
_STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO})


class ErrorAnswer(HTTPError):
    """An error answer: ``{"error_code", "error_msg", "request_id"[, "errors"]}``.

    Parameters
    ----------
    code
        A documented error code, e.g. ``"ModelArts.6309"``.
    args
        Values for the code's ``{}`` placeholders.
    detail
        Optional precision appended to the documented message in parentheses.
    violations
        All rule violations of a request body; the first one gives code and message.
    """

    def __init__(self, code: str, *args: object, detail: str | None = None,
                 violations: Sequence[Violation] = ()):
        error = by_code(code)
        super().__init__(error.http_status)
        self.code = code
        message = error.format(*args)
        self.error_msg = f"{message} ({detail})" if detail else message
        self.violations = list(violations)

    @classmethod
    def from_violations(cls, violations: Sequence[Violation]) -> "ErrorAnswer":
        first = violations[0]
        error = cls(first.code, violations=violations)
        error.error_msg = first.error_msg
        return error

    def body(self, request_id: str) -> dict[str, Any]:
        document: dict[str, Any] = {"error_code": self.code, "error_msg": self.error_msg, "request_id": request_id}
        if self.violations:
            document["errors"] = [v.as_api() for v in self.violations]
        return document

    def __str__(self) -> str:
        return f"{self.code}: {self.error_msg}"


def storage_failure(error: BaseException | None) -> ErrorAnswer | None:
    """The answer for a write to the data directory that failed (disk full, read-only, a
    database locked too long), or ``None`` if ``error`` is something else. Reads keep working
    in all these cases, so only the request that wrote fails."""
    if isinstance(error, sqlite3.OperationalError):
        reason = str(error)
    elif isinstance(error, OSError) and error.errno in _STORAGE_ERRNOS:
        reason = error.strerror or "input/output error"
    else:
        return None
    return ErrorAnswer("ModelArts.6200", detail=f"the local server cannot write its data directory: {reason}")
