"""Where requests go and how they are authenticated, resolved once per client.

Order of precedence, highest first (explicit arguments come from code, ``%config`` or CLI
options that hold no secret):

* **endpoint**: ``endpoint`` argument / ``$NB_DEVENV_ENDPOINT``; else a ``region``
  (argument / ``$NB_DEVENV_REGION``) gives ``https://modelarts.{region}.myhuaweicloud.com``;
  else the embedded local server (started on demand).
* **credentials**: AK/SK passed in code; else ``$HUAWEICLOUD_SDK_AK`` / ``$HUAWEICLOUD_SDK_SK``
  (+ ``$HUAWEICLOUD_SDK_SECURITY_TOKEN``), as the official SDK reads them; else an IAM token from
  ``$NB_DEVENV_TOKEN`` or the file named by ``$NB_DEVENV_TOKEN_FILE``; else, for the local
  server's endpoint, its ``credentials.json``. Never from a command line.
* **project id**: argument, ``$HUAWEICLOUD_SDK_PROJECT_ID``, or the local credentials file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from nb_devenv.core.paths import CREDENTIALS_FILE
from nb_devenv.core.redaction import mask

from ._auth import AkSkAuth, DevEnvAuth, TokenAuth
from ._exceptions import ConfigurationError
from ._local_server import default_data_dir, ensure_local_server, read_credentials

__all__ = ["Connection", "region_endpoint", "resolve_connection"]

_REGION = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+")
# regions whose endpoint is not on myhuaweicloud.com (huaweicloudsdkmodelarts ModelArtsRegion)
_REGION_ENDPOINTS = {"ap-southeast-1": "https://modelarts.ap-southeast-1.myhuaweicloud.cn"}


def region_endpoint(region: str) -> str:
    """The ModelArts endpoint of a region name such as ``cn-north-4``."""
    if not _REGION.fullmatch(region or ""):
        raise ConfigurationError(f"region {region!r} is not a region name such as 'cn-north-4'")
    return _REGION_ENDPOINTS.get(region, f"https://modelarts.{region}.myhuaweicloud.com")


@dataclass(frozen=True)
class Connection:
    """A resolved endpoint, project and authentication; ``source`` says where they came from."""

    endpoint: str
    project_id: str
    auth: DevEnvAuth = field(repr=False)
    source: str
    is_local: bool = False

    @property
    def auth_mode(self) -> str:
        return "AK/SK" if isinstance(self.auth, AkSkAuth) else "token"

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(getattr(self.auth, "secrets", ()))

    def describe(self) -> dict[str, Any]:
        """Everything worth showing about this connection, with secrets masked."""
        who = (f"AK {mask(self.auth.ak)}" if isinstance(self.auth, AkSkAuth)
               else f"token {mask(self.auth.secrets[0])}")
        return {"endpoint": self.endpoint, "project_id": self.project_id, "auth": f"{self.auth_mode} ({who})",
                "source": self.source, "local_server": self.is_local}


def _read_token_file(path: str) -> str:
    try:
        token = Path(path).expanduser().read_text().strip()
    except OSError as error:
        raise ConfigurationError(f"cannot read the token file {path}: {error.strerror}") from None
    if not token:
        raise ConfigurationError(f"the token file {path} is empty")
    return token


async def resolve_connection(
    *,
    endpoint: str | None = None,
    region: str | None = None,
    project_id: str | None = None,
    ak: str | None = None,
    sk: str | None = None,
    security_token: str | None = None,
    token: str | None = None,
    auth: DevEnvAuth | None = None,
    data_dir: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Connection:
    """Resolve endpoint, project and credentials (see the module docstring for the order).

    An ``auth`` object (``AkSkAuth``/``TokenAuth``) given in code wins over every other source
    of credentials and brings its own project id.
    """
    env = os.environ if env is None else env
    endpoint = endpoint or env.get("NB_DEVENV_ENDPOINT") or None
    region = region or env.get("NB_DEVENV_REGION") or None
    data_dir = Path(data_dir or default_data_dir())

    if not endpoint and not region:
        local = await ensure_local_server(data_dir)
        if auth is not None:
            return Connection(local["endpoint"].rstrip("/"), project_id or auth.project_id, auth,
                              "explicit auth", is_local=True)
        return Connection(local["endpoint"].rstrip("/"), local["project_id"],
                          AkSkAuth(local["ak"], local["sk"], local["project_id"]),
                          f"local server ({data_dir})", is_local=True)

    # an endpoint or a region is set here (with neither, the local server was used above)
    endpoint = (endpoint or region_endpoint(region or "")).rstrip("/")
    if not endpoint.startswith(("http://", "https://")):
        raise ConfigurationError(f"endpoint {endpoint!r} needs a scheme, e.g. https://{endpoint}")
    local = read_credentials(data_dir) or {}
    is_local = bool(local) and local.get("endpoint", "").rstrip("/") == endpoint
    if auth is not None:
        return Connection(endpoint, project_id or auth.project_id, auth, "explicit auth", is_local)
    project_id = project_id or env.get("HUAWEICLOUD_SDK_PROJECT_ID") or (local["project_id"] if is_local else None)
    if not project_id:
        raise ConfigurationError(
            "no project id: set HUAWEICLOUD_SDK_PROJECT_ID (or %config DevEnv.project_id) to the id "
            "of your project in this region (console: My Credentials > API Credentials)")

    ak = ak or env.get("HUAWEICLOUD_SDK_AK")
    sk = sk or env.get("HUAWEICLOUD_SDK_SK")
    if ak or sk:
        if not (ak and sk):
            raise ConfigurationError("AK/SK needs both HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK")
        security_token = security_token or env.get("HUAWEICLOUD_SDK_SECURITY_TOKEN")
        return Connection(endpoint, project_id, AkSkAuth(ak, sk, project_id, security_token),
                          "AK/SK (HUAWEICLOUD_SDK_AK/SK)", is_local)
    token = token or env.get("NB_DEVENV_TOKEN")
    if not token and env.get("NB_DEVENV_TOKEN_FILE"):
        token = _read_token_file(env["NB_DEVENV_TOKEN_FILE"])
        return Connection(endpoint, project_id, TokenAuth(token, project_id),
                          f"token file {env['NB_DEVENV_TOKEN_FILE']}", is_local)
    if token:
        return Connection(endpoint, project_id, TokenAuth(token, project_id), "token (NB_DEVENV_TOKEN)", is_local)
    if is_local:
        return Connection(endpoint, project_id, AkSkAuth(local["ak"], local["sk"], project_id),
                          f"local server credentials ({data_dir / CREDENTIALS_FILE})", True)
    raise ConfigurationError(
        f"no credentials for {endpoint}: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or an IAM "
        "token in NB_DEVENV_TOKEN / a file named by NB_DEVENV_TOKEN_FILE")
