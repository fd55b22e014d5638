"""The Notebook API's calls (``/v1/{project_id}/notebooks``, ``/images``): what
:class:`~nb_devenv.client._client.AsyncDevEnvClient` does when it speaks ``api="notebooks"``.

Every request goes through the client's one sender (:class:`~nb_devenv.client._client._Sender`):
the same retries, the same error tree, the same clock tracking as the old API. Each request is
checked before it is sent by :mod:`nb_devenv.contract.notebooks` (a
:class:`~nb_devenv.client._exceptions.SpecValidationError`, nothing sent).

Exactly-once create
-------------------
The Notebook API allows instances of the same name and has no annotation that could carry a
client token, so the old API's way (find the instance by its token) is not open. Instead:

1. Before the first attempt, one list request (filtered by the name) notes the ids of the
   instances that already have this name in this workspace.
2. After a failed attempt that may have taken effect (a broken connection, a timeout, a 5xx),
   the client lists that name again. The instance this call made is one that has the body's
   name, ``image_id`` and ``flavor``, was not noted in step 1, and whose ``create_at`` (or its
   lease's) lies inside the call's window on the *server's* clock: from the first attempt, as
   the client's clock (corrected by the server's ``Date``) told it, to now, each end widened by
   :data:`CLOCK_TOLERANCE_MS` for what ``Date`` cannot tell (whole seconds, and offsets under
   two seconds are not corrected). If it finds one, that is the call's result (the earliest, if
   several). If it finds none, sending again is safe.
3. If the client cannot look (the list fails after its own retries), it raises the original
   error rather than send again and risk a second instance.

What this cannot rule out: a request held somewhere on the way that reaches the server only
after the client has looked and sent again (two instances then exist); and an instance of the
same name, image and flavor that another client creates inside the same window (it may be
taken for this call's). The old API's unique names exclude both there.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import httpx

from nb_devenv.contract import AutoStopSetting, Violation, format_duration
from nb_devenv.contract import notebooks as nb

from ._api import NOTEBOOKS
from ._exceptions import APIError, DevEnvError, NotFoundError, SpecValidationError
from ._models import ActionResult, Instance, InstanceList, Lease, NotebookFlavor, NotebookImage

if TYPE_CHECKING:
    from ._client import AsyncDevEnvClient

__all__ = ["NotebookEndpoints", "CLOCK_TOLERANCE_MS", "LIST_PAGE", "SORT_KEYS_OF_OLD_SORTBY"]

#: how far ``create_at`` may lie outside the attempt window and still count as this call's:
#: ``Date`` has whole seconds and the client ignores offsets under 2 s (see ``_observe_clock``)
CLOCK_TOLERANCE_MS = 3000
#: the page size when the client pages through a list: the largest the reference prints
LIST_PAGE = 50
#: the old API's ``sortby`` values in the Notebook API's ``sort_key`` names
SORT_KEYS_OF_OLD_SORTBY = {"name": "name", "creation_timestamp": "create_at"}


def _check(violations: builtins.list[Violation]) -> None:
    if violations:
        raise SpecValidationError(violations)


def _json(response: httpx.Response) -> Any:
    """The answer's JSON, or ``None`` for an answer without a body (the reference lists 204
    for delete and renew)."""
    return response.json() if response.content else None


class NotebookEndpoints:
    """The Notebook API's calls, made through ``client`` (its connection, sender and clock)."""

    def __init__(self, client: AsyncDevEnvClient):
        self.client = client

    def _instance(self, data: dict[str, Any]) -> Instance:
        return Instance.from_api(data, clock=self.client.clock, api=NOTEBOOKS)

    async def _get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        response = await self.client._send("GET", path, params=tuple(sorted((params or {}).items())) or None,
                                           idempotent=True)
        return _json(response)

    # -- instances ------------------------------------------------------------------------------

    async def create(self, body: dict[str, Any] | None, fields: dict[str, Any]) -> Instance:
        """See the module docstring for how a create is made exactly once."""
        if body is None or fields:
            body = nb.build_create_body(base=body, **fields)
        _check(nb.validate_create(body))
        name, image_id, flavor = body["name"], body["image_id"], body["flavor"]
        workspace = body.get("workspace_id") or nb.DEFAULT_WORKSPACE
        before = {i.id for i in await self._namesakes(name, workspace)}
        since = self.client.clock.now_ms() - CLOCK_TOLERANCE_MS

        async def find_mine(error: APIError, may_have_acted: bool) -> Instance | None:
            if not may_have_acted:
                return None
            try:
                namesakes = await self._namesakes(name, workspace)
            except APIError:
                raise error from None  # cannot look: sending again could make a second instance
            until = self.client.clock.now_ms() + CLOCK_TOLERANCE_MS
            mine = [i for i in namesakes
                    if i.id not in before and i.image is not None and i.image.id == image_id and i.flavor == flavor
                    and (i.creation_timestamp is None or since <= i.creation_timestamp <= until)]
            return min(mine, key=lambda i: i.creation_timestamp or 0) if mine else None

        created = await self.client._send("POST", "/notebooks", body=body, idempotent=False, settle=find_mine)
        return created if isinstance(created, Instance) else self._instance(created.json())

    async def _namesakes(self, name: str, workspace: str) -> builtins.list[Instance]:
        """The instances called exactly ``name`` in ``workspace`` (the list's name filter is fuzzy)."""
        found = await self.client.list_all(name=name, workspace_id=workspace)
        return [i for i in found if i.name == name]

    async def list(self, query: dict[str, Any], *, sortby: str | None = None, order: str | None = None) -> InstanceList:
        """One page (``limit`` given), or every match page by page (``limit`` ``None``, as
        the old API's ``limit`` 0 lists all): the hub's one list request per poll stays one
        request up to :data:`LIST_PAGE` instances. The old API's ``sortby``/``order`` stand
        for ``sort_key``/``sort_dir`` when those are not given."""
        query = {**query, "sort_key": query.get("sort_key") or SORT_KEYS_OF_OLD_SORTBY.get(sortby or "", sortby),
                 "sort_dir": query.get("sort_dir") or (order.upper() if order else None)}
        params = {k: str(v) for k, v in query.items() if v is not None}
        _check(nb.validate_list_query(params)[1])
        if "limit" in params:
            data = await self._get_json("/notebooks", params)
            return InstanceList(int(data.get("total") or 0), [self._instance(i) for i in data.get("data") or []])
        found: builtins.list[Instance] = []
        offset = int(params.pop("offset", "0"))
        while True:
            data = await self._get_json("/notebooks", {**params, "offset": str(offset + len(found)),
                                                       "limit": str(LIST_PAGE)})
            page = [self._instance(i) for i in data.get("data") or []]
            found += page
            total = int(data.get("total") or 0)
            if not page or offset + len(found) >= total:
                return InstanceList(total, found)

    async def get(self, instance_id: str) -> Instance:
        return self._instance(await self._get_json(f"/notebooks/{instance_id}"))

    async def update(self, instance_id: str, changes: dict[str, Any]) -> Instance:
        body = nb.build_update_body(**changes)
        _check(nb.validate_update(body))
        response = await self.client._send("PUT", f"/notebooks/{instance_id}", body=body, idempotent=True)
        return self._instance(response.json())

    async def delete(self, instance_id: str) -> str:
        async def gone(error: APIError, may_have_acted: bool) -> str | None:
            return instance_id if may_have_acted and isinstance(error, NotFoundError) else None

        await self.client._send("DELETE", f"/notebooks/{instance_id}", idempotent=True, settle=gone)
        return instance_id

    async def start_or_stop(self, instance_id: str, operation: str, lease: AutoStopSetting | None = None) -> ActionResult:
        """``POST .../start`` (``?duration=`` from ``lease``, seconds or ``"off"``) or ``.../stop``;
        the answer is the instance."""
        params = nb.build_start_query(lease) if operation == "start" else {}
        if params:
            _check(nb.validate_start_query(params)[1])
        response = await self.client._send("POST", f"/notebooks/{instance_id}/{operation}",
                                           params=tuple(sorted(params.items())) or None, idempotent=False)
        data = _json(response)
        instance = self._instance(data) if data else await self.get(instance_id)
        allowed = nb.allowed_from(operation)
        previous = next(iter(allowed)) if len(allowed) == 1 else ""
        return ActionResult(instance.status, previous, instance)

    async def token(self, instance_id: str) -> str:
        instance = await self.get(instance_id)
        if not instance.token:
            raise DevEnvError(f"the Notebook API gave no token for {instance_id} (status {instance.status})")
        return instance.token

    async def open_url(self, instance_id: str) -> str | None:
        instance = await self.get(instance_id)  # one request: the answer carries url and token
        return instance.url_with_token(instance.token) if instance.url and instance.token else None

    # -- the lease ------------------------------------------------------------------------------

    async def lease(self, instance_id: str) -> Lease:
        return Lease.from_api(await self._get_json(f"/notebooks/{instance_id}/lease"), self.client.clock)

    async def extend(self, instance_id: str, seconds: int, *, from_now: bool = False) -> Lease:
        """Renew the lease so that the instance stops ``seconds`` later than it would (or, with
        ``from_now``, ``seconds`` from now, which is what the API's renew itself means)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise TypeError(f"extend takes a whole number of seconds, got {seconds!r}")
        run = seconds
        if not from_now:
            current = await self.lease(instance_id)
            if current.remaining is None:
                raise DevEnvError(f"auto-stop is off for {instance_id}: it runs until it is stopped, so there is "
                                  f"no deadline to extend (from_now=True / --from-now sets one)")
            run = current.remaining + seconds
        body = nb.build_lease_body(run)
        violations = nb.validate_lease(body, {})[1]
        if violations and not from_now:  # say what the user asked for, not only the milliseconds sent
            asked = (f"{format_duration(seconds, 'short')} more makes {format_duration(run, 'short')} from now, "
                     f"the run time this renewal asks for")
            violations = [Violation(v.code, v.field, f"{v.rule} ({asked})", v.args) for v in violations]
        _check(violations)
        # idempotent: the body says "stop `run` seconds from now", so a retry moves the
        # deadline by no more than the retry's delay
        response = await self.client._send("PATCH", f"/notebooks/{instance_id}/lease", body=body, idempotent=True)
        data = _json(response)
        return Lease.from_api(data, self.client.clock) if data else await self.lease(instance_id)

    # -- the catalogue ----------------------------------------------------------------------------

    async def images(self, filters: dict[str, Any]) -> builtins.list[NotebookImage]:
        params = {k: str(v) for k, v in filters.items() if v is not None}
        _check(nb.validate_images_query(params)[1])
        found: builtins.list[NotebookImage] = []
        while True:
            data = await self._get_json("/images", {**params, "offset": str(len(found))})
            page = [NotebookImage.from_api(i) for i in data.get("data") or []]
            found += page
            if not page or len(found) >= int(data.get("total") or 0):
                return found

    async def flavors(self, filters: dict[str, Any]) -> builtins.list[NotebookFlavor]:
        params = {k: str(v) for k, v in filters.items() if v is not None}
        _check(nb.validate_flavors_query(params)[1])
        data = await self._get_json("/notebooks/flavors", params)  # no limit: every flavor at once
        return [NotebookFlavor.from_api(i) for i in data.get("data") or []]

    async def find_image(self, ref: str) -> NotebookImage:
        """The server's image that ``ref`` names: its id, ``name:tag``, its name, or its show
        name (the local server's is the old API's profile id), in that order of precedence; a
        :class:`SpecValidationError` (ModelArts.6797) when none or several match."""
        images = await self.images({})
        for rule in (lambda i: i.id == ref, lambda i: f"{i.name}:{i.tag}" == ref, lambda i: i.name == ref,
                     lambda i: bool(i.show_name) and i.show_name == ref):
            matches = [i for i in images if rule(i)]
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise SpecValidationError([Violation(
                    "ModelArts.6797", "image_id",
                    f"{ref!r} names {len(matches)} images ({', '.join(f'{i.name}:{i.tag}' for i in matches)}): "
                    f"give name:tag or the id", (ref,))])
        known = ", ".join(i.show_name or i.name for i in images) or "none"
        raise SpecValidationError([Violation(
            "ModelArts.6797", "image_id",
            f"no image of this server is called {ref!r} (by id, name, name:tag or show name; it has: {known})",
            (ref,))])
