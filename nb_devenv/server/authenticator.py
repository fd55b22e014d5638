"""Projects, their AK/SK and IAM users, tokens, and the check every request goes through.

Like the real service, a request is authenticated either by an AK/SK signature (verified with
``nb_devenv.core.signing``, the same code the client signs with) or by an ``X-Auth-Token`` issued by
the IAM password flow. Authentication always uses the real wall clock, never the lifecycle
clock that tests move forward. Secrets never appear in an error message: AKs and tokens are
masked with ``nb_devenv.core.redaction``.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import time
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import parse_qsl

from nb_devenv.core import redaction, signing

from .data_dir import DataDir
from .errors import ErrorAnswer
from .passwords import hash_password, password_matches
from .store import Project, Store

__all__ = [
    "Authenticator",
    "add_project",
    "create_project",
    "credentials_document",
    "ensure_default_project",

    "DEFAULT_PROJECT_NAME",
    "TOKEN_LIFETIME_MS",
]

DEFAULT_PROJECT_NAME = "local"
DOMAIN_NAME = "nb-devenv"
#: IAM tokens are valid for 24 hours
TOKEN_LIFETIME_MS = 24 * 3600 * 1000

_UPPER_ALNUM = string.ascii_uppercase + string.digits
_ALNUM = string.ascii_letters + string.digits


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _wall_ms() -> int:
    return int(time.time() * 1000)


def _new_password() -> str:
    return _random(_ALNUM, 24)


# --- projects ------------------------------------------------------------------------------------

def create_project(store: Store, name: str) -> tuple[Project, str]:
    """A new project with its own IAM user, password and AK/SK (AK: 20 upper-case alphanumerics,
    SK: 40 alphanumerics, the shapes Huawei Cloud issues); returns it and its password, which
    is not stored and cannot be read back."""
    if not name or len(name) > 64 or not all(ch in _ALNUM + "-_" for ch in name):
        raise ValueError(f"project name {name!r} must be 1-64 letters, digits, '-' or '_'")
    if store.project_by_name(name) is not None:
        raise ValueError(f"a project named {name!r} already exists")
    password = _new_password()
    project = Project(
        id=uuid.uuid4().hex,
        name=name,
        user_id=uuid.uuid4().hex,
        user_name=name,
        domain_name=DOMAIN_NAME,
        password_hash=hash_password(password),
    )
    store.insert_project(project, ak=_random(_UPPER_ALNUM, 20), sk=_random(_ALNUM, 40), created_ms=_wall_ms())
    return project, password


def ensure_default_project(store: Store, previous: dict[str, Any] | None) -> tuple[Project, str]:
    """The project ``credentials.json`` describes (created on the first start) and its password.

    ``previous`` is the last ``credentials.json``: its password is kept while it still matches
    the stored hash; otherwise (a lost or edited file) the project gets a new password.
    """
    project_id = store.get_meta("default_project_id")
    project = store.project_by_id(project_id) if project_id else None
    if project is None:
        project, password = create_project(store, DEFAULT_PROJECT_NAME)
        store.set_meta("default_project_id", project.id)
        return project, password
    known = (previous or {}).get("password")
    if (previous or {}).get("project_id") == project.id and isinstance(known, str) \
            and password_matches(known, project.password_hash):
        return project, known
    password = _new_password()
    password_hash = hash_password(password)
    store.set_password_hash(project.id, password_hash)
    return replace(project, password_hash=password_hash), password


def credentials_document(store: Store, project: Project, password: str, endpoint: str) -> dict[str, Any]:
    """The content of ``credentials.json`` (and of :func:`add_project`'s result)."""
    keys = store.credentials_of(project.id)
    if keys is None:
        raise LookupError(f"project {project.name} has no access key")
    ak, sk = keys
    return {
        "endpoint": endpoint,
        "iam_endpoint": endpoint,
        "project_id": project.id,
        "project_name": project.name,
        "ak": ak,
        "sk": sk,
        "user_name": project.user_name,
        "domain_name": project.domain_name,
        "password": password,
    }


def add_project(data_dir: str | Path, name: str) -> dict[str, Any]:
    """Create another project with fresh credentials in ``data_dir``; works while a server runs.

    Returns the same shape as ``credentials.json``; ``endpoint`` is the running server's, or
    ``""`` when none runs.
    """
    layout = DataDir(Path(data_dir))
    layout.create()
    store = Store(layout.state_db)
    try:
        project, password = create_project(store, name)
        endpoint = (layout.read_server_file() or {}).get("endpoint", "")
        return credentials_document(store, project, password, endpoint)
    finally:
        store.close()


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Authenticator:
    """Answers "which project is this request from?" or raises the documented 401."""

    def __init__(self, store: Store):
        self._store = store

    def authenticate(self, method: str, path: str, query: str, headers: Mapping[str, str],
                     body: bytes) -> Project:
        lowered = {k.lower(): v for k, v in headers.items()}
        if "authorization" in lowered:
            return self._by_signature(method, path, query, lowered, body)
        token = lowered.get("x-auth-token")
        if token:
            return self._by_token(token)
        raise ErrorAnswer("ModelArts.0201")

    def _by_signature(self, method: str, path: str, query: str, headers: Mapping[str, str],
                      body: bytes) -> Project:
        found: dict[str, Project] = {}

        def secret_for(ak: str) -> str | None:
            # one query gives both the SK and the project (read per request: keys added by
            # another process while the server runs are seen at once)
            credential = self._store.credential(ak)
            if credential is None:
                return None
            found["project"] = credential[1]
            return credential[0]

        try:
            signing.verify(
                method, path, parse_qsl(query, keep_blank_values=True), headers, body,
                secret_for, datetime.now(timezone.utc),
            )
        except signing.SignatureError as exc:
            # the gateway's reason may echo the AK or signed header values: mask every secret
            hidden = [exc.access_key, headers.get("x-auth-token"), headers.get("x-security-token")]
            raise ErrorAnswer("APIGW.0301", redaction.redact(exc.reason, hidden)) from None
        return found["project"]

    def _by_token(self, token: str) -> Project:
        found = self._store.token(_token_digest(token))
        if found is None:
            raise ErrorAnswer("ModelArts.0203")
        project_id, expires_ms = found
        if expires_ms <= _wall_ms():
            raise ErrorAnswer("ModelArts.0202")
        project = self._store.project_by_id(project_id)
        if project is None:
            raise ErrorAnswer("ModelArts.0203")
        return project

    # --- the IAM password flow ---------------------------------------------------------------

    def issue_token(self, body: Any, endpoint: str) -> tuple[str, dict[str, Any]]:
        """``POST /v3/auth/tokens`` (password method, project scope): the token and the body."""
        user, scope = _parse_password_request(body)
        project = self._store.project_by_user(user["name"], user["domain"])
        if project is None or not password_matches(user["password"], project.password_hash):
            raise ErrorAnswer("IAM.0001")
        wanted_id, wanted_name = scope.get("id"), scope.get("name")
        if (wanted_id is not None and wanted_id != project.id) or (
                wanted_name is not None and wanted_name != project.name):
            raise ErrorAnswer("IAM.0002", "the scope names a project this user has no access to")
        token = "MII" + secrets.token_urlsafe(48)
        now = _wall_ms()
        expires = now + TOKEN_LIFETIME_MS
        self._store.insert_token(_token_digest(token), project.id, expires, now)
        domain = {"id": project.domain_name, "name": project.domain_name}
        document = {"token": {
            "expires_at": _iso(expires),
            "issued_at": _iso(now),
            "methods": ["password"],
            "project": {"id": project.id, "name": project.name, "domain": domain},
            "user": {"id": project.user_id, "name": project.user_name, "domain": domain},
            "roles": [{"id": "0", "name": "te_admin"}],
            "catalog": [{
                "type": "modelarts", "id": "modelarts", "name": "modelarts",
                "endpoints": [{"id": "local", "interface": "public", "region": "local",
                               "region_id": "local", "url": endpoint}],
            }],
        }}
        return token, document


#: IAM user, domain and project names are at most 64 characters, passwords at most 128 (IAM rules)
_IAM_TEXT_MAX = 128


def _parse_password_request(body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The user and project scope of a password-flow body; every field is checked for presence,
    type and length, so that nothing but a short string ever reaches the database."""

    def need(container: Any, key: str, where: str, kind: type = dict) -> Any:
        if not isinstance(container, dict) or container.get(key) is None:
            raise ErrorAnswer("IAM.0002", f"'{where}{key}' is required")
        value = container[key]
        if not isinstance(value, kind):
            raise ErrorAnswer("IAM.0002", f"'{where}{key}' must be {_KIND_NAMES[kind]}")
        if isinstance(value, str) and not 0 < len(value) <= _IAM_TEXT_MAX:
            raise ErrorAnswer("IAM.0002", f"'{where}{key}' must be 1-{_IAM_TEXT_MAX} characters")
        return value

    auth = need(body, "auth", "")
    identity = need(auth, "identity", "auth.")
    methods = need(identity, "methods", "auth.identity.", list)
    if methods != ["password"]:
        raise ErrorAnswer("IAM.0002", "only the 'password' method is supported by the local server")
    password = need(identity, "password", "auth.identity.")
    user = need(password, "user", "auth.identity.password.")
    where = "auth.identity.password.user."
    name = need(user, "name", where, str)
    secret = need(user, "password", where, str)
    domain = need(need(user, "domain", where), "name", where + "domain.", str)
    scope = need(need(auth, "scope", "auth."), "project", "auth.scope.")
    if not ({"id", "name"} & set(scope)):
        raise ErrorAnswer("IAM.0002", "'auth.scope.project' needs an 'id' or a 'name'")
    wanted = {key: need(scope, key, "auth.scope.project.", str) for key in ("id", "name") if key in scope}
    return {"name": name, "password": secret, "domain": domain}, wanted


_KIND_NAMES: dict[type, str] = {dict: "an object", list: "an array", str: "a string"}
