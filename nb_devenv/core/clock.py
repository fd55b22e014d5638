"""Clocks that can be replaced: wall time for real use, a manual clock for tests.

``remain_time`` and the auto-stop countdown are computed from ``stop_timestamp`` and a clock,
never from a local counter, so they are right at any moment without a request; tests drive a
:class:`ManualClock` instead of sleeping.
"""

from __future__ import annotations

import time

__all__ = ["Clock", "SystemClock", "ManualClock"]


class Clock:
    """Milliseconds since the epoch, as the API's ``*_timestamp`` fields count them."""

    def now_ms(self) -> int:
        raise NotImplementedError

    def now(self) -> float:
        """Seconds since the epoch."""
        return self.now_ms() / 1000.0


class SystemClock(Clock):
    """Wall-clock time, shifted by ``offset_ms`` (the server's clock minus ours, when known)."""

    def __init__(self, offset_ms: int = 0):
        self.offset_ms = offset_ms

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms


class ManualClock(Clock):
    """A clock that only moves when told to; for tests."""

    def __init__(self, start_ms: int = 1_700_000_000_000):
        self._now_ms = start_ms

    def now_ms(self) -> int:
        return self._now_ms

    def advance(self, seconds: float) -> None:
        self._now_ms += int(seconds * 1000)
