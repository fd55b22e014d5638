"""Instance statuses and which operation each one allows.

The server enforces these tables, the client's watcher uses them to poll fast during
transitions, and the status widget uses them to enable only the buttons that would succeed.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "STATUSES",
    "TRANSITIONAL",
    "FAILED",
    "STABLE",
    "ACTIONS",
    "ACTION_SETTLES_IN",
    "action_refusal",
    "delete_refusal",
    "can",
]

#: every status the API documents (the status table of the DevEnviron API reference), in lifecycle order
STATUSES: tuple[str, ...] = (
    "CREATE_QUEUING",
    "CREATING",
    "CREATE_FAILED",
    "START_QUEUING",
    "READY_TO_START",
    "STARTING",
    "RESTARTING",
    "START_FAILED",
    "RUNNING",
    "STOPPING",
    "STOPPED",
    "UNAVAILABLE",
    "DELETED",
    "RESIZING",
    "RESIZE_FAILED",
)

#: statuses an instance passes through on its own; watchers poll fast while in one
TRANSITIONAL = frozenset(
    {"CREATE_QUEUING", "CREATING", "START_QUEUING", "READY_TO_START", "STARTING",
     "RESTARTING", "STOPPING", "RESIZING"}
)

#: statuses that end a create or start attempt with an error (``spec.failed_reasons`` says why)
FAILED = frozenset({"CREATE_FAILED", "START_FAILED", "RESIZE_FAILED"})

STABLE = frozenset(STATUSES) - TRANSITIONAL

#: the ``action`` values of ``POST .../action`` (queue/dequeue exist only for free flavors)
ACTIONS: tuple[str, ...] = ("start", "stop", "restart", "queue", "dequeue")

#: the status a successful start/stop/restart ends in (what ``--wait`` waits for)
ACTION_SETTLES_IN = MappingProxyType({"start": "RUNNING", "stop": "STOPPED", "restart": "RUNNING"})

# For each action: the statuses it is allowed from, and the error code for each refused status.
# Statuses not listed in either map are refused with ModelArts.6357 ("not allowed ... now").
_ALLOWED_FROM = MappingProxyType({
    "start": frozenset({"STOPPED", "START_FAILED"}),
    "stop": frozenset({"RUNNING"}),
    "restart": frozenset({"RUNNING"}),
    "queue": frozenset(),
    "dequeue": frozenset(),
})

_REFUSALS = MappingProxyType({
    "start": {"RUNNING": "ModelArts.6305", "STARTING": "ModelArts.6306", "RESTARTING": "ModelArts.6306",
              "CREATING": "ModelArts.6306", "STOPPING": "ModelArts.6308"},
    "stop": {"STOPPED": "ModelArts.6307", "STARTING": "ModelArts.6306", "RESTARTING": "ModelArts.6306",
             "CREATING": "ModelArts.6306", "STOPPING": "ModelArts.6308", "CREATE_FAILED": "ModelArts.6327",
             "START_FAILED": "ModelArts.6327"},
    "restart": {"STOPPED": "ModelArts.6327", "STARTING": "ModelArts.6306", "RESTARTING": "ModelArts.6306",
                "CREATING": "ModelArts.6306", "STOPPING": "ModelArts.6308", "CREATE_FAILED": "ModelArts.6327",
                "START_FAILED": "ModelArts.6327"},
})

#: delete needs an instance that is not running anything
_DELETABLE = frozenset({"STOPPED"}) | FAILED


def action_refusal(action: str, status: str) -> str | None:
    """The error code that refuses ``action`` in ``status``, or ``None`` if it is allowed."""
    if status in _ALLOWED_FROM.get(action, frozenset()):
        return None
    return _REFUSALS.get(action, {}).get(status, "ModelArts.6357")


def delete_refusal(status: str) -> str | None:
    """The error code that refuses a delete in ``status`` (ModelArts.6304), or ``None``."""
    return None if status in _DELETABLE else "ModelArts.6304"


def can(operation: str, status: str) -> bool:
    """Whether ``operation`` (an action name or ``"delete"``) is allowed in ``status``."""
    if operation == "delete":
        return delete_refusal(status) is None
    return action_refusal(operation, status) is None
