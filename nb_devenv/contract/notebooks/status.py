"""The Notebook API's instance statuses (§6.1), which operation each allows (§6.3), and the
server's internal (old-API) statuses in the new API's names.

The operation rules follow the old dialect where the reference leaves a choice, so both APIs
of the same server answer alike: delete needs a stopped (or failed) instance and is refused
with ModelArts.6304 while RUNNING; update needs STOPPED (6347); the lease calls need RUNNING
(6327). Two rules come before every table: a DELETED instance is gone (6309) and a FROZEN
one is frozen (6326), whatever the operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Mapping

__all__ = [
    "STATUSES",
    "TRANSITIONAL",
    "FAILED",
    "STABLE",
    "OPERATIONS",
    "OPERATION_SETTLES_IN",
    "Refusal",
    "refusal",
    "can",
    "allowed_from",
    "notebook_status",
    "INTERNAL_STATUS_MAP",
]

#: the 14 statuses of §6.1 (also the values of the list call's ``status`` filter)
STATUSES: tuple[str, ...] = (
    "INIT",
    "CREATING",
    "STARTING",
    "STOPPING",
    "DELETING",
    "RUNNING",
    "STOPPED",
    "SNAPSHOTTING",
    "CREATE_FAILED",
    "START_FAILED",
    "DELETE_FAILED",
    "ERROR",
    "DELETED",
    "FROZEN",
)

#: statuses an instance leaves on its own; watchers poll fast while in one
TRANSITIONAL = frozenset({"INIT", "CREATING", "STARTING", "STOPPING", "DELETING", "SNAPSHOTTING"})

#: statuses that end an operation with an error (``fail_reason`` says why)
FAILED = frozenset({"CREATE_FAILED", "START_FAILED", "DELETE_FAILED", "ERROR"})

#: everything else: RUNNING, STOPPED, the failed ones, DELETED (terminal) and FROZEN (blocked)
STABLE = frozenset(STATUSES) - TRANSITIONAL

#: the operations whose status rules §6.3 gives (show and list are allowed in every status)
OPERATIONS: tuple[str, ...] = ("start", "stop", "delete", "update", "show_lease", "renew_lease")

#: the status a successful operation ends in (what ``--wait`` waits for); a delete ends with the
#: instance gone
OPERATION_SETTLES_IN: Mapping[str, str] = MappingProxyType(
    {"create": "RUNNING", "start": "RUNNING", "stop": "STOPPED"})

_ALLOWED_FROM: Mapping[str, frozenset[str]] = MappingProxyType({
    "start": frozenset({"STOPPED", "START_FAILED"}),
    "stop": frozenset({"RUNNING"}),
    "delete": frozenset({"STOPPED"}) | FAILED,
    "update": frozenset({"STOPPED"}),
    "show_lease": frozenset({"RUNNING"}),
    "renew_lease": frozenset({"RUNNING"}),
})

# the code that refuses an operation in a status; statuses not named get the operation's default
_STARTING_LIKE = {"INIT": "ModelArts.6306", "CREATING": "ModelArts.6306", "STARTING": "ModelArts.6306",
                  "STOPPING": "ModelArts.6308"}
_REFUSALS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "start": {**_STARTING_LIKE, "RUNNING": "ModelArts.6305"},
    # the old dialect's 6307 for an instance already stopped (third-party code saw 6357 from the
    # live service; 6307 says more); a failed instance is "not running" (6327), as in the old dialect
    "stop": {**_STARTING_LIKE, "STOPPED": "ModelArts.6307", "CREATE_FAILED": "ModelArts.6327",
             "START_FAILED": "ModelArts.6327"},
    "delete": {**_STARTING_LIKE, "RUNNING": "ModelArts.6304"},
    "update": {},
    "show_lease": {},
    "renew_lease": {},
})
_DEFAULT_REFUSAL: Mapping[str, str] = MappingProxyType({
    "start": "ModelArts.6357",
    "stop": "ModelArts.6357",
    "delete": "ModelArts.6357",
    "update": "ModelArts.6347",
    "show_lease": "ModelArts.6327",
    "renew_lease": "ModelArts.6327",
})
_BEFORE_ALL: Mapping[str, str] = MappingProxyType({"DELETED": "ModelArts.6309", "FROZEN": "ModelArts.6326"})

_WHAT: Mapping[str, str] = MappingProxyType({
    "start": "start needs a STOPPED or START_FAILED instance",
    "stop": "stop needs a RUNNING instance",
    "delete": "delete needs a STOPPED or failed instance (stop it first)",
    "update": "update needs a STOPPED instance",
    "show_lease": "the lease of an instance exists only while it is RUNNING",
    "renew_lease": "the lease of an instance can be renewed only while it is RUNNING",
})


@dataclass(frozen=True)
class Refusal:
    """Why an operation is refused: the code, its message's arguments, and a detail in words
    (what the server appends to the documented message)."""

    code: str
    args: tuple[object, ...]
    detail: str


def refusal(operation: str, status: str, *, fields: Iterable[str] = ()) -> Refusal | None:
    """The refusal of ``operation`` (one of :data:`OPERATIONS`) on an instance in ``status``,
    or ``None`` if it is allowed. For ``update``, ``fields`` names the fields the body changes:
    ModelArts.6347 says "in the '<status>' status, the '<fields>' parameter cannot be modified"."""
    if operation not in _ALLOWED_FROM:
        raise ValueError(f"unknown operation {operation!r}: one of {', '.join(OPERATIONS)}")
    if status in _ALLOWED_FROM[operation]:
        return None
    detail = f"{_WHAT[operation]}; the instance is {status}"
    code = _BEFORE_ALL.get(status) or _REFUSALS[operation].get(status) or _DEFAULT_REFUSAL[operation]
    args: tuple[object, ...] = ()
    if code == "ModelArts.6347":
        args = (status, ", ".join(fields) or "any")
    return Refusal(code, args, detail)


def can(operation: str, status: str) -> bool:
    """Whether ``operation`` is allowed on an instance in ``status``."""
    return refusal(operation, status) is None


def allowed_from(operation: str) -> frozenset[str]:
    """The statuses ``operation`` is allowed from."""
    return _ALLOWED_FROM[operation]


#: the server's statuses (the old API's names) in the new API's names. The server uses CREATING,
#: STARTING, RESTARTING, RUNNING, STOPPING, STOPPED, CREATE_FAILED, START_FAILED and DELETED; the
#: old API's other statuses are mapped too, to their nearest new meaning (§9.5): the free-flavor
#: queue has no place in the new API (queued for creation is INIT, for a start STARTING), a fault
#: is ERROR, and a resize (a flavor change, done on a stopped instance in the new API) is STOPPED
#: while it runs and ERROR when it failed.
INTERNAL_STATUS_MAP: Mapping[str, str] = MappingProxyType({
    "CREATE_QUEUING": "INIT",
    "CREATING": "CREATING",
    "CREATE_FAILED": "CREATE_FAILED",
    "START_QUEUING": "STARTING",
    "READY_TO_START": "STARTING",
    "STARTING": "STARTING",
    "RESTARTING": "STARTING",
    "START_FAILED": "START_FAILED",
    "RUNNING": "RUNNING",
    "STOPPING": "STOPPING",
    "STOPPED": "STOPPED",
    "UNAVAILABLE": "ERROR",
    "DELETED": "DELETED",
    "RESIZING": "STOPPED",
    "RESIZE_FAILED": "ERROR",
})


def notebook_status(internal: str, *, deleting: bool = False) -> str:
    """The new API's status of an instance whose server status is ``internal``.

    The server marks an instance DELETED first, then removes its files, then its record:
    while that runs (``deleting``) the new API says DELETING (the delete sample's status);
    once done, the instance is not found at all."""
    if internal == "DELETED" and deleting:
        return "DELETING"
    try:
        return INTERNAL_STATUS_MAP[internal]
    except KeyError:
        raise ValueError(f"unknown server status {internal!r}") from None
