"""The instance object as the API shows it (its response table in "Querying the Details of a Development Environment Instance", modelarts_03_0112), from a stored record.

Kept apart from storage so that what is persisted (the normalised request, the server's handle and url, the deadline)
and what is shown (``remain_time`` computed at read time, ``url`` only while RUNNING) never mix.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from nb_devenv.contract import FLAVORS, PROFILES

from .store import InstanceRecord, Project

__all__ = ["instance_json"]


# The catalogue is immutable, so its JSON is built once per entry (the details endpoint is the
# hottest path: clients poll it). Only json.dumps reads these dicts; nothing mutates them.
@lru_cache(maxsize=None)
def _profile_json(profile_id: str) -> dict[str, Any]:
    return PROFILES[profile_id].as_api()


@lru_cache(maxsize=None)
def _flavor_json(flavor_name: str, permitted: bool) -> dict[str, Any]:
    return FLAVORS[flavor_name].as_api(permitted)


def instance_json(record: InstanceRecord, *, now_ms: int, flavor_permitted: bool, owner: Project) -> dict[str, Any]:
    """The API's instance object.

    Parameters
    ----------
    record
        The stored instance.
    now_ms
        The lifecycle clock's now, for ``remain_time``.
    flavor_permitted
        ``flavor_details.is_permitted`` for this server.
    owner
        The instance's project, whose IAM user is the instance's ``user``.
    """
    request = record.request  # freshly decoded from SQLite: safe to share, copied where changed
    spec = request["spec"]
    running = record.status == "RUNNING"

    auto_stop = dict(spec["auto_stop"])
    if running and auto_stop.get("enable") and record.stop_timestamp is not None:
        auto_stop["stop_timestamp"] = record.stop_timestamp
        auto_stop["remain_time"] = max(0, (record.stop_timestamp - now_ms) // 1000)

    annotations = dict(spec.get("annotations") or {})
    # the instance's JupyterLab (its token is not part of it: see the token route)
    annotations["url"] = record.url if running and record.url else ""

    storage = spec["storage"] if "location" in spec["storage"] else {**spec["storage"], "location": None}

    return {
        "id": record.id,
        "name": record.name,
        "description": request.get("description", ""),
        "status": record.status,
        "creation_timestamp": str(record.created_ms),
        "latest_update_timestamp": str(record.updated_ms),
        "profile": _profile_json(request["profile_id"]),
        "flavor": request["flavor"],
        "flavor_details": _flavor_json(request["flavor"], flavor_permitted),
        "spec": {
            "storage": storage,
            "auto_stop": auto_stop,
            "annotations": annotations,
            "failed_reasons": record.failed_reasons,
            "extend_params": None,
        },
        "workspace": {"id": request["workspace"]["id"]},
        "ai_project": {"id": "default-ai-project"},
        "user": {"id": owner.user_id, "name": owner.user_name},
    }
