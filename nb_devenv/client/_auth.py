"""The two ways ModelArts accepts a request, as ``httpx.Auth`` classes.

* :class:`AkSkAuth` signs each request with an access key / secret key pair
  (``SDK-HMAC-SHA256``, via :mod:`nb_devenv.core.signing`), as the official SDK does.
* :class:`TokenAuth` sends an IAM token in ``X-Auth-Token``.

Both send ``X-Project-Id``. Their reprs never show a secret. Both satisfy
:class:`DevEnvAuth`, what the client needs of any ``auth=`` object.
"""

from __future__ import annotations

from typing import Generator, Protocol

import httpx

from nb_devenv.core import signing
from nb_devenv.core.redaction import mask

__all__ = ["DevEnvAuth", "AkSkAuth", "TokenAuth", "fetch_iam_token", "httpx_auth"]


class DevEnvAuth(Protocol):
    """What the client needs of an ``auth=`` object: an ``httpx.Auth`` (it authenticates each
    request) that also names its project (the ``{project_id}`` of every path, unless one is
    given) and the values to mask in error messages. A bare ``httpx.BasicAuth`` is not one.

    :class:`AkSkAuth` and :class:`TokenAuth` are; so is any ``httpx.Auth`` subclass with these
    two members. (A protocol cannot extend ``httpx.Auth``, a class: :func:`httpx_auth` checks
    that part where the object is handed to httpx.)
    """

    @property
    def project_id(self) -> str: ...

    @property
    def secrets(self) -> tuple[str, ...]: ...

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]: ...


def httpx_auth(auth: DevEnvAuth) -> httpx.Auth:
    """``auth`` as httpx takes it: an ``httpx.Auth`` instance (httpx checks that by class)."""
    if isinstance(auth, httpx.Auth):
        return auth
    raise TypeError(f"auth= must be an httpx.Auth such as AkSkAuth or TokenAuth, not {type(auth).__name__}")


class AkSkAuth(httpx.Auth):
    """Sign every request with AK/SK, like ``huaweicloudsdkcore``'s ``Signer``."""

    requires_request_body = True  # the body's SHA-256 is part of the signature

    def __init__(self, ak: str, sk: str, project_id: str, security_token: str | None = None):
        self.ak, self._sk, self.project_id = ak, sk, project_id
        self._security_token = security_token

    def __repr__(self) -> str:
        return f"AkSkAuth(ak={mask(self.ak)!r}, project_id={self.project_id!r})"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never be shown (used to scrub error messages)."""
        return tuple(s for s in (self.ak, self._sk, self._security_token) if s)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Project-Id"] = self.project_id
        request.headers["X-Sdk-Date"] = signing.sdk_date()
        if self._security_token:
            request.headers["X-Security-Token"] = self._security_token
        # sign a fixed, documented set of headers (the APIG guide's minimum plus what the SDK
        # adds), so that proxies touching Accept-Encoding or Connection cannot break signatures
        signed = {"Host": request.headers["Host"], "X-Sdk-Date": request.headers["X-Sdk-Date"],
                  "X-Project-Id": self.project_id}
        for name in ("Content-Type", "X-Security-Token"):
            if name in request.headers:
                signed[name] = request.headers[name]
        request.headers["Authorization"] = signing.sign(
            request.method,
            request.url.path,
            request.url.params.multi_items(),
            signed,
            request.content,
            self.ak,
            self._sk,
        )
        yield request


class TokenAuth(httpx.Auth):
    """Send an IAM token (``X-Auth-Token``); tokens last 24 h."""

    def __init__(self, token: str, project_id: str):
        self._token, self.project_id = token, project_id

    def __repr__(self) -> str:
        return f"TokenAuth(token={mask(self._token)!r}, project_id={self.project_id!r})"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._token,)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Auth-Token"] = self._token
        request.headers["X-Project-Id"] = self.project_id
        yield request


async def fetch_iam_token(
    iam_endpoint: str,
    *,
    user_name: str,
    password: str,
    domain_name: str,
    project_name: str | None = None,
    project_id: str | None = None,
    timeout: float = 30.0,
) -> str:
    """Get a project-scoped IAM token with the password method (``POST /v3/auth/tokens``).

    The token comes back in the ``X-Subject-Token`` header of a ``201`` answer.
    """
    from ._http_errors import error_from_response

    scope = {"id": project_id} if project_id else {"name": project_name}
    body = {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user_name, "password": password, "domain": {"name": domain_name}}}},
        "scope": {"project": scope},
    }}
    async with httpx.AsyncClient(base_url=iam_endpoint, timeout=timeout) as http:
        response = await http.post("/v3/auth/tokens", json=body)
    if response.status_code == 201 and response.headers.get("X-Subject-Token"):
        return response.headers["X-Subject-Token"]
    raise error_from_response(response, secrets=(password,))
