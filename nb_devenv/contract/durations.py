"""Durations as people write them and as every surface shows them.

:func:`parse_duration` reads the ``--auto-stop`` syntax; :func:`format_duration` is the one
formatter of a number of seconds (the countdown, an auto-stop duration, an age), used by the
client's models, the CLI and the widgets alike.
"""

from __future__ import annotations

import re
from typing import Literal, Union

__all__ = ["AUTO_STOP_OFF", "AutoStopSetting", "parse_duration", "format_duration", "DurationStyle"]

#: how every surface says "auto-stop off" where it takes a duration (flags, the Python API)
AUTO_STOP_OFF: Literal["off"] = "off"
#: an auto-stop setting: a running time in seconds, or :data:`AUTO_STOP_OFF`
AutoStopSetting = Union[int, Literal["off"]]

_DURATION = re.compile(r"(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?\s*(?:(?P<s>\d+)\s*s)?", re.I)
_OFF = {"off", "no", "none", "false", "0"}

#: ``clock`` 01:59:30 (a countdown), ``short`` 1h30m (a setting, as typed), ``age`` 3h 05m (how long ago)
DurationStyle = Literal["clock", "short", "age"]
_UNKNOWN: dict[str, str] = {"clock": "--:--:--", "short": "?", "age": "?"}


def parse_duration(text: str | int | None) -> AutoStopSetting | None:
    """Seconds from ``7200``, ``2h``, ``90m``, ``1h30m`` or ``45s``; :data:`AUTO_STOP_OFF` for
    ``off`` (or ``no``, ``none``, ``false``, ``0``); ``None`` for ``None``.

    Only the syntax is checked here; whether the value is in the allowed range is the rules'
    business (ModelArts.6349), so every surface reports it the same way.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError("auto-stop duration must be a number of seconds or like 2h, 90m, 1h30m, or 'off'")
    if isinstance(text, int):
        return text
    value = str(text).strip().lower()
    if value in _OFF:
        return AUTO_STOP_OFF
    if value.isdigit():
        return int(value)
    match = _DURATION.fullmatch(value)
    if not value or not match or not any(match.groupdict().values()):
        raise ValueError(f"auto-stop duration {text!r} is not understood: use seconds (7200), "
                         "hours/minutes (2h, 90m, 1h30m) or 'off'")
    parts = {k: int(v or 0) for k, v in match.groupdict().items()}
    return parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def format_duration(seconds: int | None, style: DurationStyle = "clock") -> str:
    """``seconds`` for display: ``01:59:30`` (clock), ``1h30m`` (short, the inverse of
    :func:`parse_duration`) or ``3h 05m`` (age: coarse, so it changes at most once a minute).
    ``None`` (not known) is ``--:--:--`` as a clock and ``?`` otherwise."""
    if seconds is None:
        return _UNKNOWN[style]
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if style == "clock":
        return f"{hours:02d}:{minutes:02d}:{secs:02d}"
    if style == "short":
        return "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n) or "0s"
    if hours == 0:
        return f"{secs}s" if minutes == 0 else f"{minutes}m"
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    return f"{hours // 24}d {hours % 24}h"
