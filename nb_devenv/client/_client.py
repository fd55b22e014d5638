"""The async client of both ModelArts development-environment APIs: one method per operation,
typed answers, safe retries.

>>> async with AsyncDevEnvClient() as client:          # no endpoint: the local server
...     inst = await client.create(name="demo", profile_id="Python3",
...                                flavor="modelarts.vm.cpu.2u", auto_stop=3600)
...     inst = await client.wait_until(inst.id, "RUNNING")
...     print(inst.url, inst.remain_time)

>>> async with AsyncDevEnvClient(api="notebooks") as client:    # today's Notebook API
...     image = await client.find_image("Python3")
...     inst = await client.create(name="demo", image_id=image.id, flavor="modelarts.vm.cpu.2u", lease=3600)
...     inst = await client.wait_until(inst.id, "RUNNING")
...     await client.extend(inst.id, 3600)             # one more hour before it stops

* ``api`` chooses the API (:mod:`nb_devenv.client._api`): ``"devenviron"`` (the default,
  ``/demanager/instances``) or ``"notebooks"`` (``/notebooks``, :mod:`._notebooks`). The
  methods are the same where the operation exists in both; one that the chosen API lacks
  (``restart`` in the Notebook API, ``lease``/``extend`` in the old one) raises
  :class:`~nb_devenv.client._exceptions.UnsupportedOperationError` naming the API, before
  anything is sent. Both answer with the same :class:`~nb_devenv.client._models.Instance`.
* Every request body is checked against the API's rules before it is sent
  (:class:`~nb_devenv.client._exceptions.SpecValidationError`, nothing sent).
* Idempotent calls (GET, PUT, DELETE) are retried with backoff and jitter on connection
  errors, 408/429/5xx, honouring ``Retry-After``.
* **Create is exactly-once.** The API has no idempotency key, so each create carries a client
  token in ``spec.annotations``; after an ambiguous failure (the request may have arrived) the
  client lists instances to find the one its token made before trying again. Instance names
  are unique per project, so a retried create can never make a second instance either. The
  Notebook API allows repeated names and has no annotations: there the client finds its
  instance by name, image, flavor and creation time (the rule: :mod:`._notebooks`).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import copy
import json
import time
import uuid
import warnings
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncGenerator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Optional,
    TypedDict,
    TypeVar,
)

import httpx

from nb_devenv._version import __version__
from nb_devenv.contract import (
    CLIENT_TOKEN_KEY,
    AutoStopSetting,
    build_create_body,
    build_update_body,
    validate_action,
    validate_create,
    validate_list_query,
    validate_update,
)
from nb_devenv.core.clock import SystemClock
from nb_devenv.core.redaction import redact

from ._api import API_TITLES, NOTEBOOKS, ApiName, resolve_api
from ._auth import DevEnvAuth, httpx_auth
from ._connection import Connection, resolve_connection
from ._defaults import POLL_FAST, POLL_SLOW, REQUEST_TIMEOUT, WAIT_TIMEOUT
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ConflictError,
    InstanceFailedError,
    NotFoundError,
    SpecValidationError,
    UnsupportedOperationError,
    WaitTimeoutError,
)
from ._http_errors import error_from_response
from ._models import ActionResult, Instance, InstanceList, Lease, NotebookFlavor, NotebookImage
from ._poller import InstanceHub, Subscription

if TYPE_CHECKING:
    from ._notebooks import NotebookEndpoints
from ._retry import RETRYABLE_STATUSES, RetryPolicy

__all__ = ["AsyncDevEnvClient"]

# an offset between our clock and the server's below this is rounding of the Date header
_SKEW_THRESHOLD_MS = 2000
_LIST_PAGE = 100
_JSON_HEADERS = {"Content-Type": "application/json"}


T = TypeVar("T")
#: what a call does after a failed attempt, told the error and whether any attempt so far may
#: have taken effect: the call's result if the request did take effect, or ``None`` when
#: sending it (again) is safe
Settle = Callable[[APIError, bool], Awaitable[Optional[T]]]


class _Where(TypedDict):
    """The client's arguments that :func:`resolve_connection` turns into a :class:`Connection`."""

    endpoint: str | None
    region: str | None
    project_id: str | None
    data_dir: str | Path | None


@dataclass(frozen=True)
class _Attempt:
    """The outcome of sending a request once."""

    response: httpx.Response | None = None
    error: APIError | None = None
    #: the request failed but may have been received and acted on (a broken connection, a
    #: timeout waiting for the answer, a 5xx or 408 from somewhere on the way)
    ambiguous: bool = False
    retry_after: str | None = None

    @property
    def retryable(self) -> bool:
        """Whether asking again may succeed: connection problems, timeouts, 408/429/5xx; never
        a conflict (a taken name, a wrong status), which asking again at once does not mend."""
        if self.error is None or isinstance(self.error, ConflictError):
            return False
        if isinstance(self.error, APIStatusError):
            return self.error.status_code in RETRYABLE_STATUSES
        return True  # connection problems and timeouts


class _Sender:
    """Sends the client's API requests: the one place that decides whether a failed request is
    sent again, after how long (backoff, ``Retry-After``), and whether that is safe."""

    def __init__(self, http: httpx.AsyncClient, connection: Connection, retry: RetryPolicy,
                 observe: Callable[[httpx.Response], None]):
        self.http, self.connection, self.retry, self.observe = http, connection, retry, observe

    async def once(self, method: str, path: str, params: tuple[tuple[str, str], ...] | None,
                   body: Any) -> _Attempt:
        """Send once; every failure becomes an :class:`_Attempt` with the package's error."""
        content = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        secrets = self.connection.secrets
        url = f"{self.connection.endpoint}{path}"
        try:
            response = await self.http.request(method, path, params=params, content=content,
                                               headers=_JSON_HEADERS)
        except httpx.ConnectTimeout:
            return _Attempt(error=APITimeoutError("timed out connecting", method=method, url=url))
        except httpx.TimeoutException:
            return _Attempt(error=APITimeoutError("timed out waiting for the answer", method=method, url=url),
                            ambiguous=True)
        except httpx.ConnectError as error:
            return _Attempt(error=APIConnectionError(f"cannot connect: {redact(str(error), secrets)}",
                                                     method=method, url=url))
        except httpx.TransportError as error:
            # the request may have been received and acted on before the connection broke
            return _Attempt(error=APIConnectionError(
                f"connection broken: {redact(str(error), secrets) or type(error).__name__}", method=method, url=url),
                ambiguous=True)
        self.observe(response)
        if response.is_success:
            return _Attempt(response=response)
        return _Attempt(error=error_from_response(response, secrets),
                        ambiguous=response.status_code >= 500 or response.status_code == 408,
                        retry_after=response.headers.get("Retry-After"))

    async def send(self, method: str, path: str, *, params: tuple[tuple[str, str], ...] | None = None,
                   body: Any = None, idempotent: bool, settle: Settle[T] | None = None) -> httpx.Response | T:
        """Send, and again after a retryable failure while that is safe.

        ``idempotent``: sending the request twice does no harm (GET, PUT, DELETE), so any
        retryable failure is retried. Otherwise a failure that may have taken effect ends the
        call, unless ``settle`` tells what happened: it is called after every failure and
        returns the call's result if the request did take effect (create finds the instance
        its token made), or ``None`` when sending again is safe.
        """
        may_have_acted = False
        for attempt in range(self.retry.max_retries + 1):
            outcome = await self.once(method, path, params, body)
            if outcome.response is not None:
                return outcome.response
            assert outcome.error is not None
            may_have_acted = may_have_acted or outcome.ambiguous
            if settle is not None:
                settled = await settle(outcome.error, may_have_acted)
                if settled is not None:
                    return settled
            unsafe = outcome.ambiguous and not idempotent and settle is None
            if attempt == self.retry.max_retries or not outcome.retryable or unsafe:
                raise outcome.error
            await asyncio.sleep(self.retry.delay(attempt, outcome.retry_after))
        raise AssertionError("unreachable")


class AsyncDevEnvClient:
    """Client for ``/v1/{project_id}/demanager/instances`` or ``/v1/{project_id}/notebooks``
    and their siblings.

    Parameters
    ----------
    api
        ``"devenviron"`` (the old DevEnviron API) or ``"notebooks"`` (today's Notebook API);
        default: ``$NB_DEVENV_API``, else ``"devenviron"``. A
        :class:`~nb_devenv.client._exceptions.ConfigurationError` for any other name.
    endpoint, region, project_id
        Where to send requests; all optional (see :mod:`nb_devenv.client._connection`). With none of
        them, the embedded local server is used, and started if it is not running.
    auth
        An :class:`~nb_devenv.client._auth.AkSkAuth` or :class:`~nb_devenv.client._auth.TokenAuth` (or any
        :class:`~nb_devenv.client._auth.DevEnvAuth`); by default credentials come from the environment or the
        local server's credentials file.
    timeout
        Seconds for each HTTP request.
    retry
        The :class:`~nb_devenv.client._retry.RetryPolicy` for retried calls.
    transport
        An ``httpx.AsyncBaseTransport`` (tests use it to inject faults that cannot be produced
        for real, such as a connection reset mid-response).
    """

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        region: str | None = None,
        project_id: str | None = None,
        auth: DevEnvAuth | None = None,
        data_dir: str | Path | None = None,
        timeout: float = REQUEST_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        poll_fast: float = POLL_FAST,
        poll_slow: float = POLL_SLOW,
        api: str | None = None,
    ):
        #: the API this client speaks: ``"devenviron"`` or ``"notebooks"``
        self.api: ApiName = resolve_api(api)
        self._notebooks: NotebookEndpoints | None = None
        if self.api == NOTEBOOKS:  # the Notebook dialect (its rules, catalogue, schemas) loads only then
            from ._notebooks import NotebookEndpoints

            self._notebooks = NotebookEndpoints(self)
        self._options = _Where(endpoint=endpoint, region=region, project_id=project_id, data_dir=data_dir)
        self._auth = auth
        self._timeout = timeout
        self.retry = retry or RetryPolicy()
        self._transport = transport
        self.poll_fast, self.poll_slow = poll_fast, poll_slow
        #: the server's clock as far as we know it (wall clock + the skew seen in ``Date``)
        self.clock = SystemClock()
        self._last_date: str | None = None
        self._connection: Connection | None = None
        self._http: httpx.AsyncClient | None = None
        self._sender: _Sender | None = None
        self._ready = asyncio.Lock()

    def __repr__(self) -> str:
        if self._connection is None:
            return f"AsyncDevEnvClient(api={self.api!r}, <not connected yet>)"
        c = self._connection.describe()
        return (f"AsyncDevEnvClient(api={self.api!r}, endpoint={c['endpoint']!r}, project_id={c['project_id']!r}, "
                f"auth={c['auth']!r})")

    # -- connection ----------------------------------------------------------------------------

    async def connect(self) -> Connection:
        """Resolve endpoint and credentials (starting the local server if that is the target)."""
        if self._connection is not None:  # the common case, on every request: no lock needed
            return self._connection
        async with self._ready:
            if self._connection is None:
                connection = await resolve_connection(**self._options, auth=self._auth)
                self._http = httpx.AsyncClient(
                    base_url=connection.endpoint,
                    auth=httpx_auth(connection.auth),
                    timeout=httpx.Timeout(self._timeout, connect=min(10.0, self._timeout)),
                    headers={"User-Agent": f"nb_devenv/{__version__} httpx/{httpx.__version__}"},
                    transport=self._transport,
                )
                self._sender = _Sender(self._http, connection, self.retry, self._observe_clock)
                self._connection = connection
        return self._connection

    @property
    def connection(self) -> Connection | None:
        """The resolved connection, once :meth:`connect` (or any call) has run."""
        return self._connection

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
            self._sender = None
            self._connection = None

    async def __aenter__(self) -> "AsyncDevEnvClient":
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _unsupported(self, what: str, instead: str) -> UnsupportedOperationError:
        """The error for an operation (or a field) that the client's API does not have."""
        return UnsupportedOperationError(f"{what} is not part of {API_TITLES[self.api]}: {instead}", api=self.api)

    def _nb(self, what: str, instead: str) -> NotebookEndpoints:
        """The Notebook API's calls, or the error that says ``what`` needs that API."""
        if self._notebooks is None:
            raise self._unsupported(what, instead)
        return self._notebooks

    # -- sending ----------------------------------------------------------------------------------

    def _observe_clock(self, response: httpx.Response) -> None:
        """Learn the server's clock from ``Date`` so ``remain_time`` counts down by its time."""
        date = response.headers.get("Date")
        if not date or date == self._last_date:
            return  # Date has whole seconds: most answers repeat the previous one
        self._last_date = date
        try:
            server_ms = int(parsedate_to_datetime(date).timestamp() * 1000)
        except (TypeError, ValueError):
            return
        # Date has whole seconds: the server's clock is within [server_ms, server_ms + 1000)
        offset = server_ms + 500 - int(time.time() * 1000)
        self.clock.offset_ms = offset if abs(offset) >= _SKEW_THRESHOLD_MS else 0

    async def _send(self, method: str, path: str, *, params: tuple[tuple[str, str], ...] | None = None,
                    body: Any = None, idempotent: bool, settle: Settle[T] | None = None) -> httpx.Response | T:
        """Send a request about this project, ``path`` under ``/v1/{project_id}`` (see
        :meth:`_Sender.send`)."""
        connection = await self.connect()
        assert self._sender is not None
        return await self._sender.send(method, f"/v1/{connection.project_id}{path}", params=params, body=body,
                                       idempotent=idempotent, settle=settle)

    async def _call(self, method: str, path_parts: tuple[str, ...] = (), *,
                    params: tuple[tuple[str, str], ...] | None = None, body: Any = None, idempotent: bool,
                    settle: Settle[T] | None = None) -> httpx.Response | T:
        """Send a request about this project's instances of the old API."""
        return await self._send(method, "/".join(["/demanager/instances", *path_parts]), params=params, body=body,
                                idempotent=idempotent, settle=settle)

    def _instance(self, data: dict[str, Any]) -> Instance:
        return Instance.from_api(data, clock=self.clock)

    # -- endpoints ------------------------------------------------------------------------------

    async def create(self, body: dict[str, Any] | None = None, /, **fields: Any) -> Instance:
        """Create an instance from an API-shaped ``body`` and/or flat ``fields``; fields
        override the body. Returns the instance as the create answer describes it (usually
        CREATING). Made exactly once, also when a failed attempt is retried.

        * DevEnviron API: the fields are ``name``, ``profile_id``, ``flavor``, ``description``,
          ``storage``, ``path``, ``volume_size``, ``auto_stop``, ``annotations``, ``workspace``;
          ``auto_stop`` is a running time in seconds or ``"off"``, as in :meth:`update`.
        * Notebook API: the body is a NotebookCreateRequest; the fields are ``name``,
          ``image_id`` (see :meth:`find_image`), ``flavor``, ``description``, ``capacity`` (GB),
          ``lease`` (seconds, or ``"off"``), ``lease_type``, ``workspace_id``, ``feature``.
        """
        if self._notebooks is not None:
            return await self._notebooks.create(body, fields)
        if body is None or fields:
            body = build_create_body(base=body, **fields)
        violations = validate_create(body)
        if violations:
            raise SpecValidationError(violations)
        client_token = uuid.uuid4().hex
        marked = copy.deepcopy(body)
        marked["spec"].setdefault("annotations", {})
        marked["spec"]["annotations"] = {**(marked["spec"]["annotations"] or {}), CLIENT_TOKEN_KEY: client_token}

        async def find_mine(_error: APIError, may_have_acted: bool) -> Instance | None:
            """After a failure that may have created the instance: the instance this call's
            token made, if there is one."""
            if not may_have_acted:
                return None
            try:
                return await self._find_by_client_token(client_token, marked.get("workspace"))
            except APIConnectionError:
                return None  # still unreachable: sending again is safe all the same (names are unique)

        created = await self._call("POST", body=marked, idempotent=False, settle=find_mine)
        return created if isinstance(created, Instance) else self._instance(created.json())

    async def _find_by_client_token(self, client_token: str, workspace: Any) -> Instance | None:
        # an instance is listed only in its own workspace (the list defaults to workspace "0")
        workspace_id = workspace.get("id") if isinstance(workspace, dict) else None
        for instance in await self.list_all(workspace_id=workspace_id):
            if instance.annotations.get(CLIENT_TOKEN_KEY) == client_token:
                return instance
        return None

    async def list(
        self,
        *,
        status: str | None = None,
        sortby: str | None = None,
        order: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
        workspace_id: str | None = None,
        show_self: bool | None = None,
        ai_project: str | None = None,
        pool_id: str | None = None,
        provision_type: str | None = None,
        de_type: str = "Notebook",
        name: str | None = None,
        flavor: str | None = None,
        image_id: str | None = None,
        sort_key: str | None = None,
        sort_dir: str | None = None,
        feature: str | None = None,
        owner: str | None = None,
    ) -> InstanceList:
        """One page of instances (``limit`` 0 or ``None``: all of them); every query parameter
        of the API is available.

        ``status``, ``sortby`` (``name`` or ``creation_timestamp``), ``order`` (``asc`` or
        ``desc``), ``offset``, ``limit``, ``workspace_id`` and ``pool_id`` work with both
        APIs; ``show_self``, ``ai_project``, ``provision_type`` are the old API's, ``name``,
        ``flavor``, ``image_id``, ``sort_key``, ``sort_dir``, ``feature``, ``owner`` the
        Notebook API's (each raises UnsupportedOperationError with the other).
        """
        if self._notebooks is not None:
            foreign = {"show_self": show_self, "ai_project": ai_project, "provision_type": provision_type}
            self._refuse_fields(foreign, "the Notebook API's list filters are name, flavor, image_id, owner, ...")
            return await self._notebooks.list({
                "status": status, "offset": offset, "limit": limit or None, "workspace_id": workspace_id,
                "pool_id": pool_id, "name": name, "flavor": flavor, "image_id": image_id, "feature": feature,
                "owner": owner, "sort_key": sort_key, "sort_dir": sort_dir}, sortby=sortby, order=order)
        self._refuse_fields({"name": name, "flavor": flavor, "image_id": image_id, "sort_key": sort_key,
                             "sort_dir": sort_dir, "feature": feature, "owner": owner},
                            "the DevEnviron API filters by status and workspace_id and sorts with sortby/order")
        raw = {"de_type": de_type, "provision_type": provision_type, "status": status, "sortby": sortby,
               "order": order, "offset": offset, "limit": limit, "workspace_id": workspace_id,
               "show_self": None if show_self is None else str(bool(show_self)).lower(),
               "ai_project": ai_project, "pool_id": pool_id}
        params = {k: str(v) for k, v in raw.items() if v is not None}
        _, violations = validate_list_query(params)
        if violations:
            raise SpecValidationError(violations)
        response = await self._call("GET", params=tuple(sorted(params.items())), idempotent=True)
        data = response.json()
        return InstanceList(int(data.get("total_count") or 0),
                            [self._instance(item) for item in data.get("instances") or []])

    def _refuse_fields(self, given: Mapping[str, Any], instead: str) -> None:
        """UnsupportedOperationError for the first field given that the client's API lacks."""
        for key, value in given.items():
            if value is not None:
                raise self._unsupported(f"{key}=", instead)

    # ``list`` here is the method above: the builtin is ``builtins.list`` in this class's signatures
    async def list_all(self, **filters: Any) -> builtins.list[Instance]:
        """Every matching instance, fetched page by page."""
        if self._notebooks is not None:
            return (await self.list(**filters)).instances  # without a limit it pages through all
        found: list[Instance] = []
        while True:
            page = await self.list(**filters, offset=len(found), limit=_LIST_PAGE)
            found += page.instances
            if not page.instances or len(found) >= page.total_count:
                return found

    async def get(self, instance_id: str) -> Instance:
        """The instance's details (:class:`~nb_devenv.client._exceptions.NotFoundError` if it is gone)."""
        if self._notebooks is not None:
            return await self._notebooks.get(instance_id)
        response = await self._call("GET", (instance_id,), idempotent=True)
        return self._instance(response.json())

    async def update(self, instance_id: str, *, description: str | None = None,
                     auto_stop: AutoStopSetting | Mapping[str, Any] | None = None, name: str | None = None,
                     flavor: str | None = None, image_id: str | None = None,
                     storage_new_size: int | None = None) -> Instance:
        """Change the description and/or the auto-stop; ``None`` leaves one as it is.

        ``auto_stop`` takes the shape :meth:`create` takes: a running time in seconds, or
        ``"off"``. While the instance runs, a new duration applies from its next start.
        *Deprecated:* an API-shaped ``{"enable", "duration", "prompt"}`` dict is still accepted
        (and sent as it is); pass seconds or ``"off"`` instead.

        Notebook API: ``name``, ``description``, ``flavor``, ``image_id`` and
        ``storage_new_size`` (GB, grow only) of a STOPPED instance. Its run time is no update
        field there: :meth:`extend` (a running instance) or :meth:`start`'s ``lease``.
        """
        if self._notebooks is not None:
            if auto_stop is not None:
                raise self._unsupported("auto_stop=", "the run time is the lease: extend(id, seconds) while it runs, "
                                                      "or start(id, lease=seconds)")
            return await self._notebooks.update(instance_id, {
                "name": name, "description": description, "flavor": flavor, "image_id": image_id,
                "storage_new_size": storage_new_size})
        self._refuse_fields({"name": name, "flavor": flavor, "image_id": image_id,
                             "storage_new_size": storage_new_size},
                            "the DevEnviron API updates description and auto_stop only")
        if isinstance(auto_stop, Mapping):
            warnings.warn("update(auto_stop={...}) is deprecated: pass seconds or 'off'", DeprecationWarning,
                          stacklevel=2)
        body = build_update_body(description=description, auto_stop=auto_stop)
        violations = validate_update(body)
        if violations:
            raise SpecValidationError(violations)
        response = await self._call("PUT", (instance_id,), body=body, idempotent=True)
        return self._instance(response.json())

    async def delete(self, instance_id: str) -> str:
        """Delete a stopped instance; returns its id. A retry that finds it gone counts as done."""
        if self._notebooks is not None:
            return await self._notebooks.delete(instance_id)

        async def gone(error: APIError, may_have_acted: bool) -> str | None:
            # an earlier attempt may have deleted it, and its answer was lost
            return instance_id if may_have_acted and isinstance(error, NotFoundError) else None

        deleted = await self._call("DELETE", (instance_id,), idempotent=True, settle=gone)
        return deleted if isinstance(deleted, str) else str(deleted.json().get("instance_id", instance_id))

    async def action(self, instance_id: str, action: str) -> ActionResult:
        """``POST .../action``: ``start``, ``stop`` or ``restart`` (``queue``/``dequeue``: free
        flavors only). The Notebook API has ``start`` and ``stop`` only (``POST .../start``,
        ``.../stop``)."""
        if self._notebooks is not None:
            if action not in ("start", "stop"):
                raise self._unsupported(f"the {action!r} action", "it has start and stop only (a restart is a stop, "
                                                                  "then a start once STOPPED)")
            return await self._notebooks.start_or_stop(instance_id, action)
        body = {"action": action}
        violations = validate_action(body)
        if violations:
            raise SpecValidationError(violations)
        response = await self._call("POST", (instance_id, "action"), body=body, idempotent=False)
        data = response.json()
        return ActionResult(data.get("current_status", ""), data.get("previous_state", ""))

    async def start(self, instance_id: str, *, lease: AutoStopSetting | None = None) -> ActionResult:
        """Start a stopped instance. Notebook API: ``lease`` is this run's time (seconds, or
        ``"off"``; default: the API's, 1 h)."""
        if self._notebooks is not None:
            return await self._notebooks.start_or_stop(instance_id, "start", lease)
        if lease is not None:
            raise self._unsupported("start(lease=)", "a start runs for the auto-stop duration set with update()")
        return await self.action(instance_id, "start")

    async def stop(self, instance_id: str) -> ActionResult:
        return await self.action(instance_id, "stop")

    async def restart(self, instance_id: str) -> ActionResult:
        return await self.action(instance_id, "restart")

    async def token(self, instance_id: str) -> str:
        """The token that opens the instance's Jupyter server (a secret: do not print it)."""
        if self._notebooks is not None:
            return await self._notebooks.token(instance_id)
        response = await self._call("GET", (instance_id, "token"), idempotent=True)
        token: str = response.json()["token"]  # the answer is {"token": "..."}
        return token

    async def open_url(self, instance_id: str) -> str | None:
        """The URL that opens the instance's JupyterLab logged in (its token in the query;
        ``None`` unless it is running)."""
        if self._notebooks is not None:
            return await self._notebooks.open_url(instance_id)
        instance = await self.get(instance_id)
        if not instance.url:
            return None
        return instance.url_with_token(await self.token(instance_id))

    # -- the Notebook API's lease and catalogue ----------------------------------------------

    async def lease(self, instance_id: str) -> Lease:
        """Notebook API: the running instance's lease (deadline, time left, live)."""
        return await self._nb("lease()", "a running instance's deadline is instance.auto_stop.stop_timestamp, and "
                                         "it cannot move").lease(instance_id)

    async def extend(self, instance_id: str, seconds: int, *, from_now: bool = False) -> Lease:
        """Notebook API: let the running instance run ``seconds`` longer than it would (its
        deadline moves by ``seconds``), or with ``from_now``, until ``seconds`` from now (the
        API's renew as it is). Its run time, counted from now, must stay within 1-72 h
        (ModelArts.6349, checked before sending). Returns the new lease."""
        endpoints = self._nb("extend()", "the running deadline cannot move; update(id, auto_stop=seconds) "
                                         "changes the duration of the next start")
        return await endpoints.extend(instance_id, seconds, from_now=from_now)

    async def images(self, *, name: str | None = None, type: str | None = None, service_type: str | None = None,
                     workspace_id: str | None = None) -> builtins.list[NotebookImage]:
        """Notebook API: every image the server offers (``GET /v1/{project_id}/images``, all pages)."""
        return await self._nb("images()", "its environments are the profiles (profile_id)").images(
            {"name": name, "type": type, "service_type": service_type, "workspace_id": workspace_id})

    async def flavors(self, *, category: str | None = None) -> builtins.list[NotebookFlavor]:
        """Notebook API: every flavor the server offers (``GET .../notebooks/flavors``), with
        ``sold_out`` as the server says it."""
        return await self._nb("flavors()", "its flavors are nb_devenv.contract.FLAVORS").flavors({"category": category})

    async def find_image(self, ref: str) -> NotebookImage:
        """Notebook API: the server's image named by ``ref``: its id, ``name:tag``, its name, or
        its show name (on the local server, the old API's profile id: ``find_image("Python3")``).
        A SpecValidationError (ModelArts.6797) if none or several match."""
        return await self._nb("find_image()", "it names environments by profile_id").find_image(ref)

    # -- the local server's own routes (its own project only; others get PermissionDeniedError) --

    async def _emulator(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        """Call a ``/_emulator`` route once (no retry: a clock move or a shutdown must not
        happen twice)."""
        connection = await self.connect()
        assert self._http is not None  # connect() made it
        response = await self._http.request(method, path, json=body)
        if not response.is_success:
            raise error_from_response(response, connection.secrets)
        self._observe_clock(response)
        answer: dict[str, Any] = response.json()  # every /_emulator route answers a JSON object
        return answer

    async def clock_advance(self, seconds: float) -> int:
        """Local server only: move its lifecycle clock forward (reach auto-stop deadlines
        without waiting). Returns the server's new time in ms."""
        return int((await self._emulator("POST", "/_emulator/clock", {"advance_seconds": seconds}))["now"])

    async def server_info(self) -> dict[str, Any]:
        """Local server only: ``version``, ``pid``, ``started_at``, ``endpoint``, ``data_dir``
        and ``instances``, the number of instances of all projects in each status."""
        return await self._emulator("GET", "/_emulator/server")

    async def shutdown_server(self) -> dict[str, Any]:
        """Local server only: stop every running instance of every project, wait until they
        are STOPPED, then end the server. Returns ``{"pid", "stopped": [{"id", "name",
        "project_id", "project"}, ...]}``; the server exits right after answering."""
        return await self._emulator("POST", "/_emulator/shutdown")

    # -- waiting and watching -------------------------------------------------------------------

    async def watch(self, instance_id: str, *, fast: float | None = None,
                    slow: float | None = None) -> AsyncGenerator[Instance, None]:
        """Yield a new snapshot of the instance each time it changes.

        Watches through an :class:`~nb_devenv.client._poller.InstanceHub` of its own (the poller
        the notebook's widgets share): every ``fast`` seconds while the instance is in
        transition, towards ``slow`` while it is stable. Raises
        :class:`~nb_devenv.client._exceptions.InstanceFailedError` (after yielding the failed
        snapshot) on CREATE_FAILED / START_FAILED, :class:`~nb_devenv.client._exceptions.NotFoundError`
        once the instance is deleted, and the error of a poll that failed (after its retries).
        """
        hub = InstanceHub(self, fast=self.poll_fast if fast is None else fast,
                          slow=self.poll_slow if slow is None else slow)
        news: asyncio.Queue[Instance | BaseException | None] = asyncio.Queue()
        subscription = Subscription(instance_id, on_update=news.put_nowait, on_error=news.put_nowait,
                                    on_gone=lambda: news.put_nowait(subscription.gone))
        hub.subscribe(subscription)
        last_key = None
        try:
            while True:
                item = await news.get()
                if isinstance(item, BaseException):
                    raise item
                if item is None:
                    raise AssertionError("unreachable: the hub sets subscription.gone before on_gone")
                key = item.state_key()
                if key != last_key:
                    last_key = key
                    yield item
                    if item.is_failed:
                        raise InstanceFailedError(item)
        finally:
            subscription.close()

    async def wait_until(self, instance_id: str, status: str | Iterable[str] = "RUNNING", *,
                         timeout: float = WAIT_TIMEOUT,
                         on_snapshot: Callable[[Instance], None] | None = None) -> Instance:
        """Wait until the instance is in ``status`` (one or several); return that snapshot.

        ``on_snapshot`` is called with each new snapshot seen on the way (the magics' ``--wait``
        hands them to the widgets watching the instance, so they show every state it passes).

        Raises :class:`~nb_devenv.client._exceptions.InstanceFailedError` if it fails on the way and
        :class:`~nb_devenv.client._exceptions.WaitTimeoutError` after ``timeout`` seconds.
        """
        wanted = {status} if isinstance(status, str) else set(status)
        last: Instance | None = None

        async def _wait() -> Instance:
            nonlocal last
            async with contextlib.aclosing(self.watch(instance_id)) as snapshots:  # stops its poller at once
                async for instance in snapshots:
                    last = instance
                    if on_snapshot is not None:
                        on_snapshot(instance)
                    if instance.status in wanted:
                        return instance
            raise AssertionError("watch never ends by itself")

        try:
            return await asyncio.wait_for(_wait(), timeout)
        except asyncio.TimeoutError:
            snapshot = last or await self.get(instance_id)
            raise WaitTimeoutError(snapshot, sorted(wanted), timeout) from None

