"""When and how long to wait before trying a request again.

Exponential backoff with full jitter (so many notebooks never retry in step), capped, and
overridden by the server's ``Retry-After`` when it sends one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "RETRYABLE_STATUSES", "retry_after_seconds"]

#: answers that mean "try again later" rather than "this request is wrong"
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` extra attempts; waits ``U(0, min(cap, initial * 2**attempt))``."""

    max_retries: int = 3
    initial: float = 0.25
    cap: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        told = retry_after_seconds(retry_after)
        if told is not None:
            return min(told, self.max_retry_after)
        return random.uniform(0, min(self.cap, self.initial * 2 ** attempt))
