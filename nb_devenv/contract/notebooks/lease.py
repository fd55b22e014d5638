"""The auto-stop lease of the Notebook API as pure arithmetic (reference §3.5, §6.5).

Requests give a run time *from now* (create ``lease.duration`` / ``duration``, start
``?duration=``, renew); the Lease object counts ``duration`` *from the instance's creation*.
Every sample of the reference fits one rule, which this module is the one home of: when the
lease is armed (the instance reaches RUNNING, is started or renewed), ``update_at = now`` and
``duration = (now - create_at) + requested``, so the instance stops at ``now + requested``
and the time left is ``create_at + duration - now``.

Our Python API speaks seconds (like the old dialect's auto-stop); the wire speaks
milliseconds. :func:`lease_ms` and :func:`lease_seconds` are the one conversion.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..durations import AUTO_STOP_OFF, AutoStopSetting

__all__ = [
    "DURATION_MIN_MS",
    "DURATION_MAX_MS",
    "DURATION_DEFAULT_MS",
    "LEASE_OFF_MS",
    "LEASE_TYPES",
    "DEFAULT_LEASE_TYPE",
    "MS_PER_SECOND",
    "lease_ms",
    "lease_seconds",
    "deadline_from_now",
    "armed_duration",
    "lease_object",
    "remaining_ms",
    "lease_deadline_ms",
    "lease_remaining_ms",
]

#: a requested run time: 1 h to 72 h in milliseconds (create, start, renew; ModelArts.6349)
DURATION_MIN_MS = 3_600_000
DURATION_MAX_MS = 259_200_000
DURATION_DEFAULT_MS = 3_600_000
#: "auto-stop off". Not documented: the only evidence is third-party code that drives the live
#: service and sends ``duration: -1`` on create and ``?duration=-1`` on start to keep an instance
#: running (reference §4.1). -1 is accepted wherever a duration is, and nothing else below the range.
LEASE_OFF_MS = -1
#: ``TIMING`` stops at a fixed instant; ``IDLE`` stops an idle instance (how idleness is judged is
#: not documented: the local server may count it like TIMING)
LEASE_TYPES: tuple[str, ...] = ("TIMING", "IDLE")
DEFAULT_LEASE_TYPE = "TIMING"
MS_PER_SECOND = 1000


def lease_ms(setting: AutoStopSetting) -> int:
    """A run time of our Python API (seconds, or ``"off"``) in the wire's milliseconds
    (:data:`LEASE_OFF_MS` for off)."""
    if setting == AUTO_STOP_OFF:
        return LEASE_OFF_MS
    return int(setting) * MS_PER_SECOND


def lease_seconds(duration_ms: int) -> AutoStopSetting:
    """The inverse of :func:`lease_ms`: whole seconds (rounded down), or ``"off"``."""
    if duration_ms == LEASE_OFF_MS:
        return AUTO_STOP_OFF
    return duration_ms // MS_PER_SECOND


def deadline_from_now(now_ms: int, duration_ms: int) -> int | None:
    """The stop instant of a lease armed at ``now_ms`` for ``duration_ms`` (create, start,
    renew: "from now", not "from the old deadline"); ``None`` when auto-stop is off."""
    if duration_ms == LEASE_OFF_MS:
        return None
    return now_ms + duration_ms


def armed_duration(created_ms: int, now_ms: int, duration_ms: int) -> int:
    """``lease.duration`` right after arming at ``now_ms``: counted from the creation."""
    return (now_ms - created_ms) + duration_ms


def lease_object(*, created_ms: int, deadline_ms: int | None, duration_ms: int, lease_type: str,
                 now_ms: int) -> dict[str, Any]:
    """The Lease object ``{create_at, duration, enable, type, update_at}``.

    ``deadline_ms`` is the running instance's stop instant (``None`` while it does not count
    down: not running, or auto-stop off); ``duration_ms`` is the run time requested at the
    last arming (or :data:`LEASE_OFF_MS`).

    * Counting down: ``duration = deadline - create_at`` and ``update_at = deadline -
      duration_ms``, the instant of the arming, so the answer is the same on every call.
    * Not counting down, auto-stop on: the lease as it would be armed now, which is what
      the reference's stop and create samples show (a stop answer carries ``update_at`` = the
      stop instant; a create answer ``duration`` = the requested one).
    * Auto-stop off: ``enable`` false and ``duration`` -1, the value that asked for it (not
      documented: no sample shows ``enable`` false).
    """
    if duration_ms == LEASE_OFF_MS:
        return {"create_at": created_ms, "duration": LEASE_OFF_MS, "enable": False, "type": lease_type,
                "update_at": now_ms}
    if deadline_ms is None:
        duration, updated = armed_duration(created_ms, now_ms, duration_ms), now_ms
    else:
        duration, updated = deadline_ms - created_ms, deadline_ms - duration_ms
    return {"create_at": created_ms, "duration": duration, "enable": True, "type": lease_type,
            "update_at": updated}


def remaining_ms(deadline_ms: int | None, now_ms: int) -> int | None:
    """Milliseconds left before the stop (0 once due); ``None`` without a deadline."""
    if deadline_ms is None:
        return None
    return max(0, deadline_ms - now_ms)


def lease_deadline_ms(lease: Mapping[str, Any]) -> int | None:
    """The stop instant of a Lease object as the API sends it (``create_at + duration``);
    ``None`` when ``enable`` is false or a field is missing."""
    if not lease.get("enable"):
        return None
    created, duration = lease.get("create_at"), lease.get("duration")
    if not isinstance(created, int) or not isinstance(duration, int) or duration < 0:
        return None
    return created + duration


def lease_remaining_ms(lease: Mapping[str, Any], now_ms: int) -> int | None:
    """Milliseconds left according to a Lease object as the API sends it (``create_at +
    duration - now``, at least 0); ``None`` when ``enable`` is false or a field is missing."""
    return remaining_ms(lease_deadline_ms(lease), now_ms)
