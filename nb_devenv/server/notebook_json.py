"""The Notebook API's instance object (NotebookResp, reference §3.1), from a stored record.

Like ``instance_json`` for the old API, and apart from storage for the same reason: what is
kept (the normalised request, the run facts, the server's handle and url, deadline) and what is shown (the
status in this API's names, the lease counted from the creation, ``url`` only while RUNNING)
never mix. Every field is in :func:`nb_devenv.contract.notebooks.schema.notebook_schema`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from nb_devenv.contract import notebooks as nb
from nb_devenv.contract.notebooks.rules import SUPPORTED_OWNERSHIP

from .provisioners.base import BAD_STORAGE, NO_RESOURCES
from .store import InstanceRecord, Project

__all__ = ["notebook_json", "lease_json", "COMPUTE_BILLED"]

#: the steps of ``action_progress`` (§3.2), with the descriptions of the reference's sample
_STEPS = ((1, "Prepare the storage."), (2, "Prepare the compute resource."), (3, "Configuring the network."),
          (4, "Initialize the notebook instance."))

#: the server statuses in which an instance is billed for compute as well as for its volume
#: (``billing_items``, and the list's ``billing`` filter): while it runs
COMPUTE_BILLED = frozenset({"RUNNING"})


@lru_cache(maxsize=None)
def _image_json(profile_id: str) -> dict[str, Any]:
    # the catalogue is immutable: built once per image; only json.dumps reads it
    return nb.image_for_profile(profile_id).as_instance_api()


def _failed_step(record: InstanceRecord) -> int:
    """Which step a failed bring-up failed at, from the provisioner's failure code."""
    code = (record.failed_reasons or {}).get("code")
    return {BAD_STORAGE: 1, NO_RESOURCES: 2}.get(str(code), 4)


def _progress(record: InstanceRecord) -> list[dict[str, Any]]:
    """The four steps of bringing an instance up, as far as the server status tells.

    CREATING (or a start whose process does not exist yet) prepares storage; once the Jupyter
    server exists, the first three steps are done and the fourth waits for it to answer. A
    failed bring-up fails at the step its cause belongs to; any other status has all done."""
    status = record.status
    if status in ("CREATE_FAILED", "START_FAILED"):
        failed = _failed_step(record)
        states = ["COMPLETED" if step < failed else "FAILED" if step == failed else "WAITING"
                  for step, _ in _STEPS]
    elif status == "CREATING" or (status in ("STARTING", "RESTARTING") and record.handle is None):
        states = ["PROCESSING", "WAITING", "WAITING", "WAITING"]
    elif status in ("STARTING", "RESTARTING"):
        states = ["COMPLETED", "COMPLETED", "COMPLETED", "PROCESSING"]
    else:
        states = ["COMPLETED"] * len(_STEPS)
    return [{"step": step, "status": state, "description": text} for (step, text), state in zip(_STEPS, states)]


def lease_json(record: InstanceRecord, now_ms: int) -> dict[str, Any]:
    """The Lease object: counting down while RUNNING with auto-stop on; otherwise the lease as it
    was armed at the instance's last update (the contract's
    :func:`~nb_devenv.contract.notebooks.lease_object`).

    Armed at the last update, not now: a lease that is not counting down is then the same on
    every read (a watcher sees no change where there is none), and it matches the documented
    samples: a new instance's lease is the requested duration, a stopped one's was armed at
    its stop.
    """
    lease = record.request["lease"]
    deadline = record.stop_timestamp if record.status == "RUNNING" else None
    armed_at = now_ms if deadline is not None else record.updated_ms
    return nb.lease_object(created_ms=record.created_ms, deadline_ms=deadline, duration_ms=int(lease["duration"]),
                           lease_type=str(lease["type"]), now_ms=armed_at)


def notebook_json(record: InstanceRecord, *, now_ms: int, owner: Project) -> dict[str, Any]:
    """NotebookResp of ``record`` (an instance of the Notebook API).

    Parameters
    ----------
    record
        The stored instance. A DELETED record is one being deleted (its row goes once its files
        are gone), shown as DELETING.
    now_ms
        The lifecycle clock's now, for the lease.
    owner
        The instance's project, whose IAM user is the instance's ``user``.
    """
    request = record.request
    url = record.url if record.status == "RUNNING" and record.url else None
    domain = {"id": owner.domain_name, "name": owner.domain_name}
    answer: dict[str, Any] = {
        "id": record.id,
        "name": record.name,
        "description": request.get("description", ""),
        "status": nb.notebook_status(record.status, deleting=True),
        "action_progress": _progress(record),
        "flavor": record.flavor,
        "image": _image_json(record.profile_id),
        "lease": lease_json(record, now_ms),
        # this API shows the token in the object (the old one has a route for it)
        "token": record.jupyter_token,
        "volume": {"category": record.storage.category, "ownership": SUPPORTED_OWNERSHIP,
                   "capacity": record.storage.capacity_gb, "mount_path": nb.MOUNT_PATH, "read_only": False},
        "workspace_id": request["workspace_id"],
        "feature": request["feature"],
        "billing_items": ["COMPUTE", "STORAGE"] if record.status in COMPUTE_BILLED else ["STORAGE"],
        "user": {"id": owner.user_id, "name": owner.user_name, "domain": domain},
        "endpoints": [{"service": "NOTEBOOK", "dev_service": "NOTEBOOK", "uri": url}] if url else [],
        "tags": [],
        "data_volumes": [],
        "create_at": record.created_ms,
        "update_at": record.updated_ms,
    }
    if url:
        answer["url"] = url
    if record.failed_reasons:
        answer["fail_reason"] = str(record.failed_reasons.get("message", ""))
    return answer
