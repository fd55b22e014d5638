"""The exception tree every layer raises, modelled on httpx's and the Stainless SDKs'.

::

    DevEnvError
    ├── ConfigurationError          no endpoint / credentials could be resolved
    ├── UnsupportedOperationError   the selected API has no such operation (nothing was sent)
    ├── SpecValidationError         the request breaks the API's rules (found before sending)
    ├── APIError                    talking to the API failed
    │   ├── APIConnectionError      could not connect, or the connection dropped
    │   │   └── APITimeoutError
    │   └── APIStatusError          the API answered with an error status
    │       ├── BadRequestError         400 (the server's own rule check: .violations)
    │       ├── AuthenticationError     401
    │       ├── PermissionDeniedError   403, and ModelArts.6328 (flavor not granted)
    │       ├── NotFoundError           404, and 400 + ModelArts.6309
    │       ├── ConflictError           409, duplicate name, wrong state for the operation
    │       ├── QuotaExceededError      instance quota reached
    │       ├── RateLimitError          429
    │       └── ServerError             5xx
    ├── InstanceFailedError         the instance ended in CREATE_FAILED / START_FAILED
    └── WaitTimeoutError            a wait for a status ran out of time

Every API error carries ``error_code``, ``error_msg``, ``status_code`` and ``request_id``.
In IPython, ``_render_traceback_`` shows one readable line instead of a traceback.
"""

from __future__ import annotations

from typing import Any, Sequence

from nb_devenv.contract import Violation, describe_violations

__all__ = [
    "DevEnvError",
    "ConfigurationError",
    "UnsupportedOperationError",
    "SpecValidationError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "QuotaExceededError",
    "RateLimitError",
    "ServerError",
    "InstanceFailedError",
    "WaitTimeoutError",
    "status_error_for",
]


class DevEnvError(Exception):
    """Base of every error nb_devenv raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback: one line a user can act on.
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


class ConfigurationError(DevEnvError):
    """No usable endpoint or credentials (the message says which setting to provide)."""


class UnsupportedOperationError(DevEnvError):
    """The API the client speaks has no such operation or field (``restart`` in the Notebook
    API, ``extend`` in the DevEnviron API, ...); nothing was sent. ``api`` names that API and
    the message says what to do instead."""

    def __init__(self, message: str, *, api: str):
        self.api = api
        super().__init__(message)


class SpecValidationError(DevEnvError, ValueError):
    """The request breaks one or more of the API's rules; nothing was sent.

    ``violations`` lists every broken rule (each with ``code``, ``field``, ``rule``);
    ``error_code`` is the first one's, as the server would answer.
    """

    def __init__(self, violations: Sequence[Violation]):
        self.violations = list(violations)
        first = self.violations[0]
        self.error_code = first.code
        self.error_msg = first.error_msg
        super().__init__(describe_violations(self.violations, one_line=True))


class APIError(DevEnvError):
    """A call to the DevEnviron API did not succeed."""

    error_code: str | None = None
    error_msg: str | None = None
    status_code: int | None = None
    request_id: str | None = None


class APIConnectionError(APIError):
    """The API could not be reached, or the connection broke before an answer arrived."""

    def __init__(self, message: str, *, method: str = "", url: str = ""):
        self.method, self.url = method, url
        where = f" ({method} {url})" if method else ""
        super().__init__(f"{message}{where}")


class APITimeoutError(APIConnectionError):
    """The API did not answer in time."""


class APIStatusError(APIError):
    """The API answered with an error status and (usually) a ModelArts error body."""

    def __init__(
        self,
        *,
        status_code: int,
        error_code: str | None,
        error_msg: str | None,
        request_id: str | None = None,
        body: Any = None,
    ):
        self.status_code = status_code
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        self.body = body
        errors = body.get("errors") if isinstance(body, dict) else None
        #: every rule the server found broken (``[{"error_code", "error_msg", "field"}]``)
        self.violations: list[dict[str, Any]] = errors if isinstance(errors, list) else []
        text = f"{error_code or f'HTTP {status_code}'}: {error_msg or 'no error message'}"
        if len(self.violations) > 1:
            text += " | also: " + "; ".join(
                f"{v.get('error_code')} {v.get('error_msg')}" for v in self.violations[1:]
            )
        if request_id:
            text += f" (request id {request_id})"
        super().__init__(text)


class BadRequestError(APIStatusError):
    """400: the request was refused (the server's own rule check; see ``violations``)."""


class AuthenticationError(APIStatusError):
    """401: the credentials were refused (bad signature, expired date or token, unknown key)."""


class PermissionDeniedError(APIStatusError):
    """403, or a flavor the account is not permitted to use (ModelArts.6328)."""


class NotFoundError(APIStatusError):
    """The instance does not exist (404, or ModelArts' 400 + ModelArts.6309)."""


class ConflictError(APIStatusError):
    """The instance exists already, or its status does not allow this operation now."""


class QuotaExceededError(APIStatusError):
    """The project's instance quota is reached (ModelArts.6302)."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried automatically, raised once retries are exhausted."""


class ServerError(APIStatusError):
    """5xx: the service failed; retried automatically for idempotent calls."""


class InstanceFailedError(DevEnvError):
    """The instance reached CREATE_FAILED or START_FAILED; ``failed_reasons`` says why."""

    def __init__(self, instance: Any):
        self.instance = instance
        reasons = instance.failed_reasons or {}
        message = reasons.get("message") or "no reason given"
        code = reasons.get("code")
        super().__init__(
            f"instance {instance.name} ({instance.id}) is {instance.status}: "
            f"{message}" + (f" [{code}]" if code else "")
        )


class WaitTimeoutError(DevEnvError, TimeoutError):
    """The instance did not reach the wanted status in time; ``instance`` is the last snapshot."""

    def __init__(self, instance: Any, wanted: Sequence[str], timeout: float):
        self.instance = instance
        super().__init__(
            f"instance {instance.name} ({instance.id}) is still {instance.status} after "
            f"{timeout:g} s (waiting for {' or '.join(wanted)})"
        )


# error codes whose meaning is clearer than their HTTP status (ModelArts answers 400 for most)
_CLASS_BY_CODE: dict[str, type[APIStatusError]] = {
    "ModelArts.6309": NotFoundError,
    "ModelArts.6404": NotFoundError,
    "ModelArts.6301": ConflictError,
    "ModelArts.6304": ConflictError,
    "ModelArts.6305": ConflictError,
    "ModelArts.6306": ConflictError,
    "ModelArts.6307": ConflictError,
    "ModelArts.6308": ConflictError,
    "ModelArts.6327": ConflictError,
    "ModelArts.6357": ConflictError,
    "ModelArts.6302": QuotaExceededError,
    "ModelArts.0113": QuotaExceededError,
    "ModelArts.0118": QuotaExceededError,
    "ModelArts.6328": PermissionDeniedError,
}

_CLASS_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def status_error_for(status_code: int, error_code: str | None) -> type[APIStatusError]:
    """The exception class for an error answer: by ModelArts code first, then HTTP status."""
    if error_code in _CLASS_BY_CODE:
        return _CLASS_BY_CODE[error_code]
    if status_code >= 500:
        return ServerError
    return _CLASS_BY_STATUS.get(status_code, APIStatusError)
