"""What each Notebook API operation does to the state, in the order the service checks things.

The Notebook API (``/v1/{project_id}/notebooks``, images, flavors, lease) runs on the same
store, lifecycle, provisioner and admission as the old API (:mod:`.operations`): only its
rules, its statuses' names and its objects differ, and those come from
:mod:`nb_devenv.contract.notebooks`. This module decides the order of the checks (e.g. create:
body rules → flavor permission → sold out → quota) and the facts only the server knows.

Each API sees only its own instances: an id of the other API is not found (ModelArts.6309).
"""

from __future__ import annotations

import copy
import dataclasses
import secrets
import uuid
from typing import Any, Callable, Mapping, NamedTuple

from nb_devenv.contract import FLAVORS, Flavor
from nb_devenv.contract import notebooks as nb

from .admission import Admission
from .crash_points import crash_point
from .errors import ErrorAnswer
from .lifecycle import Lifecycle
from .notebook_json import COMPUTE_BILLED
from .store import NOTEBOOKS, InstanceQuery, InstanceRecord, Project, Storage, Store

__all__ = ["NotebookOperations", "Page"]

#: the list's ``sort_key`` names and the stored columns they sort by
_SORT_COLUMNS: Mapping[str, str] = {"create_at": "created_ms", "update_at": "updated_ms", "name": "name",
                                    "status": "status"}
#: the stored statuses a list may show (a DELETED row is an instance being deleted: gone for the API)
_LISTED = {internal: shown for internal, shown in nb.INTERNAL_STATUS_MAP.items() if internal != "DELETED"}
#: the list filters on things the local server has none of: given, they match nothing
_NOTHING_HAS = ("pool_id", "pool_name", "tags", "ip")


class Page(NamedTuple):
    """A page of instances: its records, how many match in all, and where it starts."""

    items: list[Any]
    total: int
    offset: int
    limit: int | None


def _run_ms(duration_ms: int) -> int | None:
    """The run facts' ``run_ms`` of a lease duration (``None``: auto-stop off)."""
    return None if duration_ms == nb.LEASE_OFF_MS else duration_ms


def _lease(duration_ms: int, lease_type: str) -> dict[str, Any]:
    return {"duration": duration_ms, "type": lease_type, "enable": duration_ms != nb.LEASE_OFF_MS}


def _refuse_invalid(violations: list[Any]) -> None:
    if violations:
        raise ErrorAnswer.from_violations(violations)


def _sorted(items: list[Any], sort_key: tuple[str, ...], sort_dir: str, key_of: Callable[[Any, str], Any]) -> list[Any]:
    """``items`` by the fields of ``sort_key`` (stable: equal items keep catalogue order)."""
    if not sort_key:
        return items
    return sorted(items, key=lambda item: tuple(key_of(item, key) for key in sort_key), reverse=sort_dir == "DESC")


class NotebookOperations:
    """The Notebook API's operations for one authenticated project.

    Parameters
    ----------
    store, lifecycle
        State and the state machine (shared with the old API).
    admission
        The quota, the granted flavors and the machine's hardware (shared with the old API).
    """

    def __init__(self, store: Store, lifecycle: Lifecycle, admission: Admission):
        self.store = store
        self.lifecycle = lifecycle
        self.admission = admission

    def _now(self) -> int:
        return self.lifecycle.clock.now_ms()

    def _refuse(self, operation: str, record: InstanceRecord, fields: list[str] | None = None) -> None:
        """The status rules of §6.3, on the status in this API's names."""
        refusal = nb.refusal(operation, nb.notebook_status(record.status), fields=fields or ())
        if refusal is not None:
            raise ErrorAnswer(refusal.code, *refusal.args, detail=refusal.detail)

    def _refuse_busy(self, record: InstanceRecord) -> None:
        if self.lifecycle.busy(record.id):
            raise ErrorAnswer("ModelArts.6357", detail="a start or stop of this instance is in progress")

    def _check_flavor(self, flavor_name: str) -> None:
        self.admission.check_flavor_permitted(flavor_name)
        self.admission.check_runnable(flavor_name)

    # --- create ------------------------------------------------------------------------------

    def create(self, project: Project, body: Any) -> InstanceRecord:
        """A new instance, CREATING; the lifecycle brings it up (RUNNING or CREATE_FAILED).
        Names may repeat in this API, so there is no name check."""
        _refuse_invalid(nb.validate_create(body))
        self._check_flavor(body["flavor"])
        self.admission.check_quota(project)
        request = nb.with_defaults(body)
        image = nb.image_by_id(request["image_id"])
        assert image is not None  # validate_create checked it
        now = self._now()
        record = InstanceRecord(
            id=str(uuid.uuid4()),
            project_id=project.id,
            api=NOTEBOOKS,
            name=request["name"],
            status="CREATING",
            request=request,
            profile_id=image.profile_id,
            flavor=request["flavor"],
            storage=Storage("EVS", int(request["volume"]["capacity"])),
            run_ms=_run_ms(int(request["lease"]["duration"])),
            created_ms=now,
            updated_ms=now,
            jupyter_token=secrets.token_hex(16),
        )
        self.store.insert_instance(record)
        crash_point("create.stored")
        self.lifecycle.begin_create(record)
        return record

    # --- read --------------------------------------------------------------------------------

    def get(self, project: Project, instance_id: str) -> InstanceRecord:
        """The project's instance of this API; any other id is not found (6309)."""
        record = self.store.instance_in_project(project.id, instance_id, NOTEBOOKS)
        if record is None:
            raise ErrorAnswer("ModelArts.6309")
        return record

    def list(self, project: Project, params: Mapping[str, str], *, every_workspace: bool = False) -> Page:
        """A page of the project's instances of this API (``GET /notebooks``), filtered, sorted
        and cut by the store. ``every_workspace`` (``GET /notebooks/all``): without a
        ``workspace_id``, the instances of every workspace, not only of workspace "0"."""
        query, violations = nb.validate_list_query(params)
        _refuse_invalid(violations)
        return self._page(project, query, every_workspace=every_workspace and not (
            params.get("workspace_id") or params.get("workspaceId")))

    def _page(self, project: Project, query: Mapping[str, Any], *, every_workspace: bool) -> Page:
        """The list's query in the store's terms. Where ModelArts says nothing, the local server
        decides: every instance has its volume billed (``billing`` STORAGE matches all, COMPUTE
        and ALL the RUNNING ones); ``owner`` and ``username`` match the project's IAM user or
        nothing; pool, tag and ip filters match nothing (there are none here)."""
        statuses: frozenset[str] | None = None
        if query["status"] is not None:
            statuses = frozenset(i for i, shown in _LISTED.items() if shown == query["status"])
        if query["billing"] in ("COMPUTE", "ALL"):  # STORAGE: every instance has its volume billed
            statuses = COMPUTE_BILLED if statuses is None else statuses & COMPUTE_BILLED
        profiles: frozenset[str] | None = None
        if query["image_id"] is not None:
            image = nb.image_by_id(query["image_id"])
            profiles = frozenset({image.profile_id} if image else ())
        if query["swr_path"] is not None:
            wanted = query["swr_path"].lower()
            matching = frozenset(i.profile_id for i in nb.IMAGES.values() if wanted in i.swr_path.lower())
            profiles = matching if profiles is None else profiles & matching
        nothing = (any(query[key] is not None for key in _NOTHING_HAS)
                   or (query["owner"] is not None and query["owner"] != project.user_id)
                   or (query["username"] is not None and query["username"].lower() not in project.user_name.lower()))
        equals = [("$.feature", query["feature"])]
        if not every_workspace:
            equals.append(("$.workspace_id", query["workspace_id"]))
        contains = [("$.description", query["description"])] if query["description"] is not None else []
        instance_query = InstanceQuery(
            statuses=frozenset() if nothing else statuses,
            id=query["id"],
            name_contains=query["name"],
            flavor_contains=query["flavor"],
            profile_ids=profiles,
            request_equals=tuple(equals),
            request_contains=tuple(contains),
            order=tuple(_SORT_COLUMNS[key] for key in query["sort_key"]),
            descending=query["sort_dir"] == "DESC",
            status_names=_LISTED,
            limit=query["limit"],
            offset=query["offset"],
        )
        total, records = self.store.page_of(project.id, NOTEBOOKS, instance_query)
        return Page(records, total, query["offset"], query["limit"])

    # --- update ------------------------------------------------------------------------------

    def update(self, project: Project, instance_id: str, body: Any) -> InstanceRecord:
        """Name, description, flavor, image and a larger volume, of a STOPPED instance (6347).

        A new flavor must be granted (6328), runnable here (6329) and suit the image (6330); a
        new image must suit the flavor; the volume only grows (6331). The run facts follow."""
        record = self.get(project, instance_id)
        _refuse_invalid(nb.validate_update(body))
        self._refuse("update", record, nb.changed_fields(body))
        request = copy.deepcopy(record.request)
        changes: dict[str, Any] = {}
        for key in ("name", "description"):
            if body.get(key) is not None:
                request[key] = body[key]
        if body.get("name") is not None:
            changes["name"] = body["name"]
        new_image, new_flavor = body.get("image_id"), body.get("flavor")
        if new_image is not None or new_flavor is not None:
            image = nb.image_by_id(new_image or request["image_id"])
            assert image is not None  # validated, or stored
            flavor: Flavor = FLAVORS[new_flavor or record.flavor]
            mismatch = nb.image_flavor_mismatch(image, flavor, "flavor" if new_flavor else "image_id")
            if mismatch is not None:
                raise ErrorAnswer.from_violations([mismatch])
            if new_flavor is not None and new_flavor != record.flavor:
                self._check_flavor(new_flavor)
            request["image_id"], request["flavor"] = image.id, flavor.name
            changes["profile_id"], changes["flavor"] = image.profile_id, flavor.name
        size = body.get("storage_new_size")
        if size is not None:
            current = record.storage.capacity_gb or nb.VOLUME_DEFAULT
            too_small = nb.check_storage_new_size(current, size)
            if too_small is not None:
                raise ErrorAnswer.from_violations([too_small])
            request["volume"]["capacity"] = size
            changes["storage"] = dataclasses.replace(record.storage, capacity_gb=size)
        updated = self.store.update_instance(instance_id, request=request, updated_ms=self._now(), **changes)
        if updated is None:  # deleted meanwhile (a delete marks it first, on this same loop)
            raise ErrorAnswer("ModelArts.6309")
        return updated

    # --- delete ------------------------------------------------------------------------------

    async def delete(self, project: Project, instance_id: str) -> InstanceRecord:
        """The instance as it is being deleted (DELETING). Like the old API: a STOPPED or failed
        instance only (6304 while RUNNING), marked first, then its files, then its row."""
        record = self.get(project, instance_id)
        self._refuse("delete", record)
        self._refuse_busy(record)
        await self.lifecycle.delete(record)
        return dataclasses.replace(record, status="DELETED", updated_ms=self._now())

    # --- start and stop ----------------------------------------------------------------------

    def start(self, project: Project, instance_id: str, params: Mapping[str, str]) -> InstanceRecord:
        """``?duration=&type=``: a STOPPED or START_FAILED instance starts, for that run time
        (default 1 h; -1: no auto-stop), counted from when it is RUNNING."""
        record = self.get(project, instance_id)
        lease, violations = nb.validate_start_query(params)
        _refuse_invalid(violations)
        self._refuse("start", record)
        self._refuse_busy(record)
        request = copy.deepcopy(record.request)
        request["lease"] = _lease(lease["duration"], lease["type"])
        held = self.store.update_instance(instance_id, request=request, run_ms=_run_ms(lease["duration"]))
        if held is None:
            raise ErrorAnswer("ModelArts.6309")
        return self.lifecycle.begin_start(held)

    def stop(self, project: Project, instance_id: str) -> InstanceRecord:
        record = self.get(project, instance_id)
        self._refuse("stop", record)
        self._refuse_busy(record)
        return self.lifecycle.begin_stop(record)

    # --- the lease ---------------------------------------------------------------------------

    def lease(self, project: Project, instance_id: str) -> InstanceRecord:
        """The instance whose lease is asked for: RUNNING only (6327)."""
        record = self.get(project, instance_id)
        self._refuse("show_lease", record)
        return record

    def renew(self, project: Project, instance_id: str, body: Any, params: Mapping[str, str]) -> InstanceRecord:
        """Stop ``duration`` from now instead (a query ``duration`` wins over the body): the
        lifecycle's auto-stop then fires at the new deadline. RUNNING only (6327)."""
        record = self.get(project, instance_id)
        lease, violations = nb.validate_lease(body, params)
        _refuse_invalid(violations)
        self._refuse("renew_lease", record)
        now = self._now()
        request = copy.deepcopy(record.request)
        request["lease"] = _lease(lease["duration"], lease["type"])
        updated = self.store.update_instance(instance_id, request=request, run_ms=_run_ms(lease["duration"]),
                                             stop_timestamp=nb.deadline_from_now(now, lease["duration"]),
                                             updated_ms=now)
        if updated is None:
            raise ErrorAnswer("ModelArts.6309")
        self.lifecycle.wake()
        return updated

    # --- images and flavors ------------------------------------------------------------------

    def images(self, params: Mapping[str, str]) -> dict[str, Any]:
        """The built-in images (one per profile), filtered, sorted and paged. They are PUBLIC
        BUILD_IN COMMON images: a workspace sees them all, other types match nothing."""
        query, violations = nb.validate_images_query(params)
        _refuse_invalid(violations)
        found = [image.as_api() for image in nb.IMAGES.values()]
        if query["type"] not in (None, "BUILD_IN") or query["service_type"] not in (None, "COMMON"):
            found = []
        name = query["name"]
        if name is not None:
            found = [i for i in found if (name in i["name"] if query["name_fuzzy_match"] else name == i["name"])]
        for key in ("namespace", "show_name", "show_tag"):
            if query[key] is not None:
                found = [i for i in found if i[key] == query[key]]
        found = _sorted(found, query["sort_key"], query["sort_dir"], lambda item, key: item[key])
        return nb.page_envelope(found, offset=query["offset"], limit=query["limit"])

    def image(self, image_id: str) -> dict[str, Any]:
        """The Image (ShowImage body); an unknown id is ModelArts.6797."""
        image = nb.image_by_id(image_id)
        if image is None:
            raise ErrorAnswer("ModelArts.6797", image_id[:64])
        return image.as_api(detail=True)

    def flavors(self, params: Mapping[str, str], *,
                only: Callable[[Flavor], bool] = lambda flavor: True) -> dict[str, Any]:
        """Notebook flavors (``sold_out`` for those this machine cannot run), filtered by the
        query and by ``only``, sorted and paged. Every flavor here is MANAGED, none ASCEND."""
        query, violations = nb.validate_flavors_query(params)
        _refuse_invalid(violations)
        sold_out = self.admission.sold_out_names()
        flavors = [f for f in FLAVORS.values() if only(f)]
        if query["category"] is not None:
            flavors = [f for f in flavors if f.hardware == query["category"]]
        if query["type"] == "DEDICATED" or query["flavor_type"] is not None:
            flavors = []
        found = [nb.notebook_flavor(f, sold_out=f.name in sold_out) for f in flavors]
        found = _sorted(found, query["sort_key"], query["sort_dir"], lambda item, key: item[key])
        return nb.flavors_envelope(found, offset=query["offset"], limit=query["limit"])

    def switchable_flavors(self, project: Project, instance_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        """The flavors the instance can be changed to: the other flavors of its image's kind."""
        record = self.get(project, instance_id)
        image = nb.image_for_profile(record.profile_id)
        return self.flavors(params, only=lambda flavor: flavor.name != record.flavor
                            and nb.image_flavor_mismatch(image, flavor) is None)
