"""The JupyterHub provisioner: each project is a Hub user, each instance one of its named servers.

The Hub runs the servers wherever its spawner puts them (local processes, Kubernetes pods with
KubeSpawner, Slurm jobs), with its own per-user isolation; this module only speaks the Hub's
REST API (``/hub/api``) with a service token:

- start: ``POST /users/{u}/servers/{s}`` with the profile and flavor as ``user_options``, then
  the spawn's progress event stream, which ends in ``ready`` or ``failed`` (a failed spawn is
  known at once, not after the Hub's ``http_timeout``);
- the instance's token: a Hub token of the user scoped to that one server
  (``access:servers!server=u/s``), revoked when the server stops;
- stop keeps the named server (and with it its volume: the EVS rule), delete removes it;
- the lifecycle's tick (:meth:`JupyterHubProvisioner.refresh`) notices a server that the Hub
  stopped behind our back (its idle culler, an admin, a crash).

Names: a Hub server name has 1-30 characters ``[a-z0-9-]`` and starts with a letter (JupyterHub
6), so an instance id maps to one deterministically (:func:`server_name`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import quote, urljoin

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from nb_devenv.contract import Flavor, Profile

from ..store import InstanceRecord
from .base import (
    CRASHED,
    JUPYTERLAB_PATH,
    NO_RESOURCES,
    TIMED_OUT,
    Provisioner,
    ProvisionError,
    Started,
)

__all__ = ["JupyterHubProvisioner", "HubError", "server_name", "hub_user", "TOKEN_NOTE_PREFIX"]

log = logging.getLogger("nb_devenv.server")

#: the note of the tokens this server mints, followed by the server's name (how it finds them again)
TOKEN_NOTE_PREFIX = "nb-devenv instance "
#: a Hub server name (JupyterHub 6): 1-30 characters [a-z0-9-], starting with a letter
_SERVER_NAME = re.compile(r"[a-z][a-z0-9-]{0,29}")
#: the names :func:`server_name` makes (other servers of our users are not ours to stop)
_OUR_SERVER_NAME = re.compile(r"i[a-z2-7]{26}")


def server_name(instance_id: str) -> str:
    """The Hub server name of an instance: ``i`` and the 128 bits of its UUID in lower-case
    base32 (27 characters, one server per UUID), or of the SHA-256 of an id that is not a UUID."""
    try:
        bits = uuid.UUID(instance_id.removeprefix("DE-")).bytes
    except ValueError:
        bits = hashlib.sha256(instance_id.encode()).digest()[:16]
    name = "i" + base64.b32encode(bits).decode().rstrip("=").lower()
    assert _SERVER_NAME.fullmatch(name)
    return name


def hub_user(project_id: str, prefix: str) -> str:
    """The Hub user of a project (project ids are hex: valid Hub user names as they are)."""
    return f"{prefix}{project_id}".lower()


def _handle(user: str, server: str) -> str:
    return f"{user}/{server}"


def _parse_handle(handle: str | None) -> tuple[str, str] | None:
    if not handle or "/" not in handle:
        return None
    user, server = handle.split("/", 1)
    return user, server


class HubError(OSError):
    """The Hub refused a request (``status``, its ``message``) or could not be reached (status 0).

    An ``OSError``: the lifecycle treats it as a place that failed (a delete is retried at the
    next boot), like a file that could not be removed.
    """

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _Seen:
    """What the last refresh saw of a server: whether it runs, and if not, why we think so."""

    alive: bool
    why: str = ""


class JupyterHubProvisioner(Provisioner):
    """Instances as named servers of a JupyterHub.

    Parameters
    ----------
    hub_url
        The Hub's public URL (``http://hub.example:8000/``): instance URLs are under it.
    token
        A Hub API token (of a service) with the scopes of the README's role.
    api_url
        The Hub's REST API; default ``{hub_url}hub/api``. Give the Hub's own address when the
        proxy buffers responses (the pure-Python configurable-http-proxy does), so that the
        spawn's progress stream arrives as it is written.
    start_timeout
        Seconds a spawn gets to become ready.
    user_prefix
        Put before a project's id to make its Hub user name.
    gpu
        Whether the Hub's spawner can run GPU flavors (a place that cannot tell says no).
    refresh_interval
        Seconds between two looks at the Hub from the lifecycle's tick.
    """

    def __init__(self, hub_url: str, token: str, *, api_url: str | None = None, start_timeout: float = 120.0,
                 user_prefix: str = "nb-", gpu: bool = False, refresh_interval: float = 2.0,
                 request_timeout: float = 20.0):
        self.hub_url = hub_url.rstrip("/") + "/"
        self.api_url = (api_url or f"{self.hub_url}hub/api").rstrip("/")
        self._token = token
        self.start_timeout = start_timeout
        self.user_prefix = user_prefix
        self.gpu = gpu
        self.refresh_interval = refresh_interval
        self.request_timeout = request_timeout
        self._seen: dict[str, _Seen] = {}  # by handle, from the last refresh
        self._refreshed_at = 0.0
        self._known_users: set[str] = set()
        self._http: AsyncHTTPClient | None = None

    def _client(self) -> AsyncHTTPClient:
        """This provisioner's own HTTP client (made on the event loop, at first use): every start
        holds a progress stream open for seconds, and tornado's shared client runs at most 10
        requests at once, the local provisioner's among them."""
        if self._http is None:
            self._http = AsyncHTTPClient(force_instance=True, max_clients=256)
        return self._http

    def __repr__(self) -> str:  # never the token
        return f"JupyterHubProvisioner(hub_url={self.hub_url!r}, api_url={self.api_url!r})"

    # --- the Hub's REST API ----------------------------------------------------------------------

    async def _call(self, method: str, path: str, body: Any = None, *, timeout: float | None = None,
                    accept: str = "application/json") -> Any:
        """One API request; the decoded JSON answer (``None`` for an empty one). Raises
        :class:`HubError` for a status >= 400 or a Hub that cannot be reached."""
        request = HTTPRequest(
            f"{self.api_url}{path}", method=method,
            headers={"Authorization": f"token {self._token}", "Content-Type": "application/json",
                     "Accept": accept},
            body=None if body is None and method in ("GET", "DELETE") else json.dumps(body or {}),
            allow_nonstandard_methods=True, connect_timeout=self.request_timeout,
            request_timeout=timeout or self.request_timeout)
        try:
            response = await self._client().fetch(request, raise_error=False)
        except (OSError, HTTPClientError) as error:
            raise HubError(0, f"cannot reach the JupyterHub API at {self.api_url}: {error}") from None
        if response.code == 599:
            raise HubError(0, f"cannot reach the JupyterHub API at {self.api_url}: {response.error}")
        text = response.body.decode(errors="replace") if response.body else ""
        try:
            answer = json.loads(text) if text.strip() else None
        except ValueError:
            answer = text
        if response.code >= 400:
            message = answer.get("message") if isinstance(answer, dict) else None
            raise HubError(response.code, str(message or response.reason or f"HTTP {response.code}"))
        return answer

    async def check(self) -> None:
        """That the Hub answers and takes the token: at start-up, a wrong URL or token is one
        clear line instead of every instance failing later."""
        try:
            who = await self._call("GET", "/user")
        except HubError as error:
            if error.status in (401, 403):
                raise HubError(error.status, f"the JupyterHub at {self.api_url} does not accept the token of "
                                             f"--hub-token-file ({error.message})") from None
            raise
        name = who.get("name") if isinstance(who, dict) else None
        log.info("using the JupyterHub at %s as %s", self.hub_url, name or "an unnamed token")

    def _user_path(self, user: str) -> str:
        return f"/users/{quote(user, safe='')}"

    def _server_path(self, user: str, server: str) -> str:
        return f"{self._user_path(user)}/servers/{quote(server, safe='')}"

    async def _ensure_user(self, user: str) -> None:
        if user in self._known_users:
            return
        try:
            await self._call("POST", self._user_path(user))
        except HubError as error:
            if error.status != 409:  # 409: the user exists already
                raise
        self._known_users.add(user)

    async def _server_model(self, user: str, server: str) -> dict[str, Any] | None:
        """The Hub's model of a named server (``None`` if it has none of that name)."""
        try:
            model = await self._call("GET", self._server_path(user, server))
        except HubError as error:
            if error.status == 404:
                return None
            raise
        return model if isinstance(model, dict) else None

    # --- what the Hub can run --------------------------------------------------------------------

    def has_gpu(self) -> bool:
        return self.gpu

    def unavailable_reason(self, profile: Profile, flavor: Flavor) -> ProvisionError | None:
        return None  # the Hub's own configuration decides; a refusal arrives as a failed spawn

    # --- start -----------------------------------------------------------------------------------

    def _names(self, instance: InstanceRecord) -> tuple[str, str]:
        return hub_user(instance.project_id, self.user_prefix), server_name(instance.id)

    def _url(self, model: dict[str, Any], user: str, server: str) -> str:
        """The server's JupyterLab: the model's ``url`` is a path on the Hub's host (with the
        Hub's ``base_url``), or a whole URL with per-user subdomains."""
        where = urljoin(self.hub_url, str(model.get("url") or f"user/{quote(user, safe='')}/{server}/"))
        return where.rstrip("/") + JUPYTERLAB_PATH

    async def start(self, instance: InstanceRecord, on_spawned: Callable[[str], None]) -> Started:
        user, server = self._names(instance)
        deadline = time.monotonic() + self.start_timeout
        body = {"user_options": {"profile": instance.profile_id, "flavor": instance.flavor,
                                 "storage": instance.storage.as_json()},
                "display_name": instance.name}
        try:
            await self._ensure_user(user)
            try:
                await self._call("POST", self._server_path(user, server), body)
            except HubError as error:
                if error.status != 404:
                    raise
                self._known_users.discard(user)  # removed from the Hub behind our back
                await self._ensure_user(user)
                await self._call("POST", self._server_path(user, server), body)
        except HubError as error:
            if error.status == 400 and "already running" in error.message:
                pass  # started behind our back, or by a start cut short: adopt it
            else:
                raise self._refused(await self._why_refused(user, server, error)) from None
        on_spawned(_handle(user, server))
        try:
            model = await self._wait_ready(user, server, deadline)
            token = await self._mint_token(user, server)
        except asyncio.CancelledError:
            raise  # server shutdown: the next boot's reconcile stops this spawn and redoes it
        except ProvisionError:
            await self._stop_quietly(user, server)
            raise
        except HubError as error:
            await self._stop_quietly(user, server)
            raise self._refused(error) from None
        return Started(handle=_handle(user, server), url=self._url(model, user, server), token=token)

    async def _why_refused(self, user: str, server: str, error: HubError) -> HubError:
        """A spawn that failed while the Hub was still answering the start is a bare 500; its
        progress stream then tells the spawner's message."""
        if error.status < 500:
            return error
        event = await self._last_progress_event(user, server, self.request_timeout)
        if event is not None and event.get("failed") and event.get("message"):
            return HubError(error.status, str(event["message"]))
        return error

    @staticmethod
    def _refused(error: HubError) -> ProvisionError:
        code = NO_RESOURCES if 400 <= error.status < 500 else CRASHED
        return ProvisionError(code, f"The JupyterHub did not start this instance's server: {error.message}", {})

    async def _wait_ready(self, user: str, server: str, deadline: float) -> dict[str, Any]:
        """Follow the spawn's progress stream until it says ready or failed; the server's model."""
        while True:
            model = await self._server_model(user, server)
            if model is None:
                raise ProvisionError(CRASHED, "The JupyterHub has no server for this instance any more "
                                              "(it was removed while starting).", {})
            if model.get("ready"):
                return model
            if model.get("pending") != "spawn":
                raise ProvisionError(CRASHED, "The JupyterHub stopped this instance's server while it "
                                              "was starting.", {})
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProvisionError(TIMED_OUT, f"The JupyterHub did not get this instance's server ready "
                                                f"within {self.start_timeout:g} s (see --start-timeout).", {})
            event = await self._last_progress_event(user, server, left)
            if event is not None and event.get("failed"):
                message = str(event.get("message") or "Spawn failed")
                raise ProvisionError(CRASHED, f"The JupyterHub could not start this instance's server: {message}",
                                     {"hub_server": _handle(user, server)})
            if event is None:
                await asyncio.sleep(0.1)  # a stream cut short (or refused): not a busy loop
            # ready, or a stream cut short: the model says which

    async def _last_progress_event(self, user: str, server: str, timeout: float) -> dict[str, Any] | None:
        """Read the spawn's event stream (``data: {json}`` blocks) until the Hub ends it (after
        ``ready`` or ``failed``); the last event with a verdict, if any."""
        buffer = bytearray()
        verdict: list[dict[str, Any]] = []

        def take(chunk: bytes) -> None:
            buffer.extend(chunk)
            while b"\n\n" in buffer:
                block, _, rest = bytes(buffer).partition(b"\n\n")
                buffer[:] = rest
                for line in block.decode(errors="replace").splitlines():
                    if line.startswith("data:"):
                        try:
                            event = json.loads(line[5:])
                        except ValueError:
                            continue
                        if isinstance(event, dict) and (event.get("ready") or event.get("failed")):
                            verdict.append(event)

        request = HTTPRequest(f"{self._server_path_url(user, server)}/progress",
                              headers={"Authorization": f"token {self._token}", "Accept": "text/event-stream"},
                              streaming_callback=take, connect_timeout=self.request_timeout,
                              request_timeout=timeout)
        try:
            await self._client().fetch(request, raise_error=False)
        except (OSError, HTTPClientError):
            pass  # cut short or timed out: the caller looks at the model again
        return verdict[-1] if verdict else None

    def _server_path_url(self, user: str, server: str) -> str:
        return f"{self.api_url}{self._server_path(user, server)}"

    # --- tokens ----------------------------------------------------------------------------------

    async def _mint_token(self, user: str, server: str) -> str:
        """A token of the Hub user that opens this one server and nothing else."""
        await self._revoke_tokens(user, server)
        answer = await self._call("POST", f"{self._user_path(user)}/tokens", {
            "scopes": [f"access:servers!server={user}/{server}"], "note": f"{TOKEN_NOTE_PREFIX}{server}"})
        if not isinstance(answer, dict) or not isinstance(answer.get("token"), str):
            raise HubError(502, "the Hub answered a token request without a token")
        return str(answer["token"])

    async def _revoke_tokens(self, user: str, server: str) -> None:
        try:
            answer = await self._call("GET", f"{self._user_path(user)}/tokens")
        except HubError as error:
            if error.status == 404:
                return
            raise
        tokens = answer.get("api_tokens", []) if isinstance(answer, dict) else []
        note = f"{TOKEN_NOTE_PREFIX}{server}"
        for token in tokens:
            if isinstance(token, dict) and token.get("note") == note:
                try:
                    await self._call("DELETE", f"{self._user_path(user)}/tokens/{quote(str(token['id']), safe='')}")
                except HubError as error:
                    if error.status != 404:
                        raise

    # --- stop and delete -----------------------------------------------------------------------

    async def _stop_server(self, user: str, server: str, remove: bool = False) -> None:
        """Stop (or remove) the named server and wait until the Hub says it is done."""
        deadline = time.monotonic() + self.start_timeout
        try:
            await self._call("DELETE", self._server_path(user, server), {"remove": True} if remove else None,
                             timeout=max(self.request_timeout, 60.0))
        except HubError as error:
            if error.status != 404:
                raise
        while time.monotonic() < deadline:
            model = await self._server_model(user, server)
            if model is None or (not remove and model.get("stopped") and not model.get("pending")):
                return
            await asyncio.sleep(0.1)
        raise HubError(504, f"the JupyterHub did not finish stopping {user}/{server} in time")

    async def _stop_quietly(self, user: str, server: str) -> None:
        try:
            await self._stop_server(user, server)
            await self._revoke_tokens(user, server)
        except HubError as error:
            log.warning("could not stop %s/%s on the JupyterHub after a failed start: %s", user, server, error.message)

    async def stop(self, instance: InstanceRecord) -> None:
        names = _parse_handle(instance.handle) or self._names(instance)
        await self._stop_server(*names)
        await self._revoke_tokens(*names)
        self._seen.pop(_handle(*names), None)

    async def destroy(self, instance: InstanceRecord) -> None:
        user, server = self._names(instance)
        await self._stop_server(user, server, remove=True)
        await self._revoke_tokens(user, server)

    # --- what runs -----------------------------------------------------------------------------

    def is_alive(self, instance: InstanceRecord) -> bool:
        seen = self._seen.get(instance.handle or "")
        return seen is None or seen.alive  # not looked at yet: as last recorded

    async def answers(self, instance: InstanceRecord) -> bool:
        names = _parse_handle(instance.handle)
        if names is None:
            return False
        try:
            model = await self._server_model(*names)
        except HubError:
            return False
        return bool(model and model.get("ready"))

    async def refresh(self, instances: Iterable[InstanceRecord]) -> None:
        """One ``GET /users/{u}`` per project with running instances, at most every
        ``refresh_interval`` seconds: its ``servers`` are the user's active servers."""
        if time.monotonic() - self._refreshed_at < self.refresh_interval:
            return
        self._refreshed_at = time.monotonic()
        by_user: dict[str, list[str]] = {}
        for instance in instances:
            names = _parse_handle(instance.handle)
            if names is not None:
                by_user.setdefault(names[0], []).append(names[1])
        answers = await asyncio.gather(*(self._call("GET", self._user_path(user)) for user in by_user),
                                       return_exceptions=True)
        for (user, servers), answer in zip(by_user.items(), answers):
            if isinstance(answer, HubError) and answer.status == 404:
                active: dict[str, Any] = {}
                gone = "the JupyterHub no longer has its user"
            elif isinstance(answer, BaseException) or not isinstance(answer, dict):
                continue  # the Hub cannot be asked now: nothing is concluded
            else:
                active = answer.get("servers") or {}
                gone = "the JupyterHub reports its server as stopped (stopped outside nb_devenv: by the Hub's " \
                       "idle culler, an admin, or because it exited)"
            for server in servers:
                model = active.get(server)
                alive = isinstance(model, dict) and not model.get("stopped") and model.get("pending") != "stop"
                self._seen[_handle(user, server)] = _Seen(alive, "" if alive else gone)

    def ended_reason(self, instance: InstanceRecord) -> str:
        seen = self._seen.pop(instance.handle or "", None)
        why = seen.why if seen is not None and seen.why else "its server on the JupyterHub is gone"
        return f"This instance stopped: {why}; the instance is now STOPPED. Start it again with the 'start' action."

    def failure_detail(self, instance: InstanceRecord) -> dict[str, str]:
        return {"hub_server": instance.handle} if instance.handle else {}

    # --- clean-up ------------------------------------------------------------------------------

    async def _active_users(self) -> list[dict[str, Any]]:
        """Every user with an active server, page by page (the Hub pages its lists)."""
        users: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = await self._call("GET", f"/users?state=active&offset={offset}&limit=200",
                                    accept="application/jupyterhub-pagination+json")
            if isinstance(page, list):  # a Hub without pagination
                return [u for u in page if isinstance(u, dict)]
            items = page.get("items", []) if isinstance(page, dict) else []
            users += [u for u in items if isinstance(u, dict)]
            following = (page.get("_pagination") or {}).get("next") if isinstance(page, dict) else None
            if not items or not following:
                return users
            offset = int(following.get("offset", offset + len(items)))

    async def terminate_orphans(self, keep: Iterable[str]) -> list[str]:
        """Stop the running servers of this server's Hub users that no kept instance owns."""
        kept = {server_name(instance_id) for instance_id in keep}
        try:
            users = await self._active_users()
        except HubError as error:
            log.warning("could not list the JupyterHub's active users to find orphan servers: %s", error.message)
            return []
        orphans = []
        for user in users:
            name = str(user.get("name", "")) if isinstance(user, dict) else ""
            if not name.startswith(self.user_prefix):
                continue
            for server, model in (user.get("servers") or {}).items():
                if _OUR_SERVER_NAME.fullmatch(server) and server not in kept and not model.get("stopped"):
                    orphans.append((name, server))
        for user_name, server in orphans:
            try:
                await self._stop_server(user_name, server)
                await self._revoke_tokens(user_name, server)
            except HubError as error:
                log.warning("could not stop the orphan server %s/%s: %s", user_name, server, error.message)
        return [_handle(*names) for names in orphans]
