"""A broken rule and how every surface shows it: one home for both API dialects.

The old (DevEnviron) and the new (Notebook) dialects report their rules as :class:`Violation`
objects, so the server answers, the client's exception and the CLI print them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .error_codes import by_code

__all__ = ["Violation", "describe_violations"]


@dataclass(frozen=True)
class Violation:
    """One broken rule: which field, which rule, and the ModelArts code that reports it."""

    code: str
    field: str
    rule: str
    args: tuple[Any, ...] = ()

    @property
    def message(self) -> str:
        """``field: rule``, without the code."""
        return f"{self.field}: {self.rule}"

    def __str__(self) -> str:
        """``ModelArts.6334  name: may contain only ...``: how the CLI, the magics, the form and
        the client's exception all show a violation (one formatter, so they cannot differ)."""
        return f"{self.code}  {self.message}"

    @property
    def error_msg(self) -> str:
        """The documented ModelArts message, followed by which field broke which rule."""
        return f"{by_code(self.code).format(*self.args)} ({self.message})"

    def as_api(self) -> dict[str, Any]:
        """The item of an error answer's ``errors`` list."""
        return {"error_code": self.code, "error_msg": self.error_msg, "field": self.field}


_REFUSED = "the request breaks the API's rules (nothing was sent):"


def describe_violations(violations: Sequence[Violation], *, one_line: bool = False) -> str:
    """What a surface shows for a request refused before sending: a head line, then each
    violation on its own indented line (the CLI, the magics), or all on one line joined by
    ``;`` (an exception's message, the form)."""
    lines = [str(v) for v in violations]
    if one_line:
        return f"{_REFUSED} {'; '.join(lines)}"
    return "\n".join([_REFUSED, *(f"  {line}" for line in lines)])
