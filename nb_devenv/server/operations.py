"""What each DevEnviron operation does to the state, in the order the service checks things.

Every rule comes from ``nb_devenv.contract`` (validation, defaults, which action each status allows);
this module only decides the order (e.g. create: body rules → duplicate name → quota → flavor
permission) and the server-side facts the spec cannot know (names taken, counts, grants).
"""

from __future__ import annotations

import copy
import secrets
import sqlite3
import uuid
from typing import Any, Mapping

from nb_devenv.contract import (
    action_refusal,
    delete_refusal,
    validate_action,
    validate_create,
    validate_list_query,
    validate_update,
    with_defaults,
)

from .admission import Admission
from .crash_points import crash_point
from .errors import ErrorAnswer
from .lifecycle import Lifecycle
from .store import DEVENVIRON, InstanceQuery, InstanceRecord, Project, Store, devenviron_run_facts

__all__ = ["InstanceOperations"]


class InstanceOperations:
    """The six instance operations for one authenticated project.

    Parameters
    ----------
    store, lifecycle
        State and the state machine.
    admission
        The quota and the granted flavors, shared with the Notebook API.
    """

    def __init__(self, store: Store, lifecycle: Lifecycle, admission: Admission):
        self.store = store
        self.lifecycle = lifecycle
        self.admission = admission

    def flavor_permitted(self, flavor_name: str) -> bool:
        return self.admission.flavor_permitted(flavor_name)

    def _now(self) -> int:
        return self.lifecycle.clock.now_ms()

    # --- create ------------------------------------------------------------------------------

    def create(self, project: Project, body: Any) -> InstanceRecord:
        violations = validate_create(body)
        if violations:
            raise ErrorAnswer.from_violations(violations)
        if self.store.name_taken(project.id, body["name"]):
            raise ErrorAnswer("ModelArts.6301", detail=f"an instance named {body['name']!r} exists in this project")
        self.admission.check_quota(project)
        self.admission.check_flavor_permitted(body["flavor"])
        now = self._now()
        request = with_defaults(body)
        record = InstanceRecord(
            id=f"DE-{uuid.uuid4()}",
            project_id=project.id,
            name=body["name"],
            status="CREATING",
            request=request,
            created_ms=now,
            updated_ms=now,
            jupyter_token=secrets.token_hex(16),
            **devenviron_run_facts(request),
        )
        try:
            self.store.insert_instance(record)
        except sqlite3.IntegrityError:  # same name created at the same moment by another request
            raise ErrorAnswer("ModelArts.6301") from None
        crash_point("create.stored")
        self.lifecycle.begin_create(record)
        return record

    # --- read --------------------------------------------------------------------------------

    def get(self, project: Project, instance_id: str) -> InstanceRecord:
        """The project's instance; another project's instance does not exist for it (6309)."""
        record = self.store.instance_in_project(project.id, instance_id, DEVENVIRON)
        if record is None:
            raise ErrorAnswer("ModelArts.6309")
        return record

    def list(self, project: Project, params: Mapping[str, str]) -> tuple[int, list[InstanceRecord]]:
        """``(total_count before paging, the page)``: filtered, sorted and cut by the store."""
        query, violations = validate_list_query(params)
        if violations:
            raise ErrorAnswer.from_violations(violations)
        order = ("name", "created_ms") if query["sortby"] == "name" else ("created_ms", "name")
        return self.store.page_of(project.id, DEVENVIRON, InstanceQuery(
            statuses=None if query["status"] is None else frozenset({query["status"]}),
            request_equals=(("$.workspace.id", query["workspace_id"]),),
            order=order,
            descending=query["order"] == "desc",
            limit=query["limit"] or None,  # 0: all of them
            offset=query["offset"],
        ))

    # --- update ------------------------------------------------------------------------------

    def update(self, project: Project, instance_id: str, body: Any) -> InstanceRecord:
        """Description and ``spec.auto_stop``.

        While RUNNING, a new duration takes effect at the next start (as documented), but
        ``enable: false`` cancels the pending stop at once, and enabling auto-stop on a running
        instance that has no pending stop sets one ``duration`` from now (otherwise the switch
        would silently do nothing until the next start).
        """
        record = self.get(project, instance_id)
        violations = validate_update(body)
        if violations:
            raise ErrorAnswer.from_violations(violations)
        request = copy.deepcopy(record.request)
        if body.get("description") is not None:
            request["description"] = body["description"]
        changes: dict[str, Any] = {}
        new_auto_stop = (body.get("spec") or {}).get("auto_stop")
        if new_auto_stop is not None:
            merged = {**request["spec"]["auto_stop"],
                      **{k: v for k, v in new_auto_stop.items() if v is not None}}
            request["spec"]["auto_stop"] = merged
            changes["run_ms"] = devenviron_run_facts(request)["run_ms"]
            if record.status == "RUNNING":
                if not merged.get("enable"):
                    changes["stop_timestamp"] = None
                elif record.stop_timestamp is None:
                    changes["stop_timestamp"] = self._now() + int(merged["duration"]) * 1000
        updated = self.store.update_instance(instance_id, request=request, updated_ms=self._now(), **changes)
        if updated is None:  # deleted meanwhile (a delete marks it first, on this same loop)
            raise ErrorAnswer("ModelArts.6309")
        if changes:
            self.lifecycle.wake()
        return updated

    # --- delete ------------------------------------------------------------------------------

    async def delete(self, project: Project, instance_id: str) -> None:
        """Removes the instance and its EVS disk; OBS files stay, as on the real service."""
        record = self.get(project, instance_id)
        refusal = delete_refusal(record.status)
        if refusal is not None:
            raise ErrorAnswer(refusal, detail=f"the instance is {record.status}")
        if self.lifecycle.busy(instance_id):
            raise ErrorAnswer("ModelArts.6357")
        await self.lifecycle.delete(record)

    # --- actions -----------------------------------------------------------------------------

    def act(self, project: Project, instance_id: str, body: Any) -> dict[str, Any]:
        """``{"current_status", "previous_state"}`` after starting the requested transition."""
        record = self.get(project, instance_id)
        violations = validate_action(body)
        if violations:
            raise ErrorAnswer.from_violations(violations)
        action = body["action"]
        refusal = action_refusal(action, record.status)
        if refusal is not None:
            why = (f"'{action}' applies to free flavors only, and this server has none"
                   if action in ("queue", "dequeue") else f"the instance is {record.status}")
            raise ErrorAnswer(refusal, detail=why)
        if self.lifecycle.busy(instance_id):
            raise ErrorAnswer("ModelArts.6357")
        transition = {
            "start": self.lifecycle.begin_start,
            "stop": self.lifecycle.begin_stop,
            "restart": self.lifecycle.begin_restart,
        }[action]
        updated = transition(record)
        return {"current_status": updated.status, "previous_state": record.status}
