"""Why a watched instance stopped, when the server does not say: "stopped by auto-stop at 14:02".

Neither API records why an instance stopped. A widget that watched it knows more: it saw it
RUNNING with an auto-stop deadline, then STOPPING or STOPPED with its last change at or after
that deadline. A stop made by someone before the deadline changes the instance earlier, so it
is not taken for an auto-stop. An instance first seen already stopped gets no reason: the
widget did not see it happen.
"""

from __future__ import annotations

from nb_devenv.client._models import Instance

from .status_view import local_stop_time

__all__ = ["auto_stop_deadline", "auto_stop_note", "STOPPED_STATES"]

#: the statuses of an instance on its way down or down
STOPPED_STATES = frozenset({"STOPPING", "STOPPED"})

#: ms by which the server's scheduler may record the stop before the deadline (its timers fire
#: a little early or late; a user's stop within this margin would be taken for the auto-stop)
_MARGIN_MS = 2_000


def auto_stop_deadline(previous: Instance | None, current: Instance) -> int | None:
    """The deadline (ms on the server's clock) at which auto-stop stopped ``current``, inferred
    from the snapshot before it; ``None`` when it was not (or cannot be told to be) auto-stop."""
    if previous is None or previous.status != "RUNNING" or current.status not in STOPPED_STATES:
        return None
    deadline = previous.auto_stop.stop_timestamp if previous.auto_stop.enable else None
    if deadline is None:
        return None
    changed = current.latest_update_timestamp or current.clock.now_ms()
    return deadline if changed >= deadline - _MARGIN_MS else None


def auto_stop_note(deadline: int, instance: Instance) -> str:
    """The words for it: "stopped by auto-stop at HH:MM" (local time)."""
    return f"stopped by auto-stop at {local_stop_time(deadline, instance.clock)[:5]}"
