"""Typed, read-only views of the API's JSON answers.

An :class:`Instance` keeps the raw JSON it was built from (``raw``) and adds what users ask
for: the URL, the remaining auto-stop time (derived from ``stop_timestamp`` and a clock, so
it is right at any moment without a new request), and readable timestamps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator
from urllib.parse import quote

from nb_devenv.contract import FAILED, TRANSITIONAL, format_duration
from nb_devenv.core.clock import Clock, SystemClock

__all__ = ["Storage", "AutoStop", "Instance", "InstanceList", "ActionResult"]

_DEFAULT_CLOCK = SystemClock()


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Storage:
    type: str  # as the API returned it ("obs", "EVS", ...)
    path: str | None = None
    volume_size: int | None = None

    @property
    def kind(self) -> str:
        """``OBS`` or ``EVS`` regardless of how the request spelled it."""
        return self.type.upper()

    def describe(self) -> str:
        """``OBS bucket/dir/`` or ``EVS 5 GB``: the one-line form lists and widgets show."""
        if self.kind == "OBS":
            return f"OBS {self.path or ''}".strip()
        return f"EVS {self.volume_size or 5} GB"

    @classmethod
    def from_api(cls, data: dict[str, Any] | None) -> "Storage":
        data = data or {}
        location = data.get("location") or {}
        return cls(str(data.get("type") or ""), location.get("path"), _int_or_none(location.get("volume_size")))


@dataclass(frozen=True)
class AutoStop:
    enable: bool = False
    duration: int | None = None  # seconds, applies to every start
    prompt: bool = True
    stop_timestamp: int | None = None  # ms since the epoch; set while RUNNING

    @classmethod
    def from_api(cls, data: dict[str, Any] | None) -> "AutoStop":
        data = data or {}
        return cls(
            bool(data.get("enable", False)),
            _int_or_none(data.get("duration")),
            bool(data.get("prompt", True)),
            _int_or_none(data.get("stop_timestamp")),
        )


@dataclass(frozen=True)
class Instance:
    """One development environment instance, as a details/list/create answer described it."""

    id: str
    name: str
    status: str
    description: str = ""
    flavor: str = ""
    profile_id: str = ""
    creation_timestamp: int | None = None  # ms
    latest_update_timestamp: int | None = None  # ms
    storage: Storage = field(default_factory=lambda: Storage(""))
    auto_stop: AutoStop = field(default_factory=AutoStop)
    annotations: dict[str, Any] = field(default_factory=dict)
    failed_reasons: dict[str, Any] | None = None
    workspace_id: str = "0"
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    clock: Clock = field(default=_DEFAULT_CLOCK, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict[str, Any], clock: Clock | None = None) -> "Instance":
        spec = data.get("spec") or {}
        profile = data.get("profile") or {}
        return cls(
            id=str(data.get("id", "")),
            name=str(data.get("name", "")),
            status=str(data.get("status", "")),
            description=data.get("description") or "",
            flavor=data.get("flavor") or "",
            profile_id=profile.get("id") or data.get("profile_id") or "",
            creation_timestamp=_int_or_none(data.get("creation_timestamp")),
            latest_update_timestamp=_int_or_none(data.get("latest_update_timestamp")),
            storage=Storage.from_api(spec.get("storage")),
            auto_stop=AutoStop.from_api(spec.get("auto_stop")),
            annotations=dict(spec.get("annotations") or {}),
            failed_reasons=spec.get("failed_reasons") or None,
            workspace_id=str((data.get("workspace") or {}).get("id", "0")),
            raw=data,
            clock=clock or _DEFAULT_CLOCK,
        )

    # -- derived facts ---------------------------------------------------------------------

    @property
    def url(self) -> str | None:
        """The instance's JupyterLab URL while it runs (without its token), else ``None``."""
        return self.annotations.get("url") or None

    def url_with_token(self, token: str) -> str | None:
        """The URL that opens the instance's JupyterLab logged in (a secret, like ``token``);
        the one place that builds it, for ``nb-devenv open`` and the widget's Open link alike."""
        if not self.url:
            return None
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}token={quote(token, safe='')}"

    @property
    def is_transitional(self) -> bool:
        return self.status in TRANSITIONAL

    @property
    def is_failed(self) -> bool:
        return self.status in FAILED

    @property
    def remain_time(self) -> int | None:
        """Seconds left before auto-stop, from ``stop_timestamp`` and the clock; ``None`` when
        the instance is not running with auto-stop on."""
        if self.status != "RUNNING" or not self.auto_stop.enable or self.auto_stop.stop_timestamp is None:
            return None
        return max(0, (self.auto_stop.stop_timestamp - self.clock.now_ms()) // 1000)

    @property
    def stops_at(self) -> datetime | None:
        """The moment auto-stop will stop the instance (aware, UTC), if it will."""
        stop_timestamp = self.auto_stop.stop_timestamp
        # remain_time is None without a stop_timestamp; the second test says so to mypy
        if self.remain_time is None or stop_timestamp is None:
            return None
        return datetime.fromtimestamp(stop_timestamp / 1000, tz=timezone.utc)

    @property
    def created_at(self) -> datetime | None:
        if self.creation_timestamp is None:
            return None
        return datetime.fromtimestamp(self.creation_timestamp / 1000, tz=timezone.utc)

    def age_seconds(self) -> int | None:
        """Seconds since creation, by the same clock as ``remain_time``."""
        if self.creation_timestamp is None:
            return None
        return max(0, (self.clock.now_ms() - self.creation_timestamp) // 1000)

    def state_key(self) -> str:
        """What counts as a change of this instance: everything in its JSON except the ticking
        ``remain_time`` and the bookkeeping ``latest_update_timestamp``. Watchers compare keys
        to act only on real changes."""
        raw = dict(self.raw)
        raw.pop("latest_update_timestamp", None)
        spec = dict(raw.get("spec") or {})
        spec["auto_stop"] = {k: v for k, v in (spec.get("auto_stop") or {}).items() if k != "remain_time"}
        raw["spec"] = spec
        return json.dumps(raw, sort_keys=True)

    def summary(self) -> str:
        """One line: name, id, status, flavor, storage and time left."""
        left = self.remain_time
        stop = f", auto-stop in {format_duration(left)}" if left is not None else ""
        return (f"{self.name} ({self.id}) {self.status} · {self.flavor} · "
                f"{self.storage.describe()}{stop}")


@dataclass(frozen=True)
class InstanceList:
    """One page of the list endpoint: ``total_count`` counts all matches, not just this page."""

    total_count: int
    instances: list[Instance]

    def __iter__(self) -> Iterator[Instance]:
        return iter(self.instances)

    def __len__(self) -> int:
        return len(self.instances)


@dataclass(frozen=True)
class ActionResult:
    """The answer to start/stop/restart: the status before and right after the action."""

    current_status: str
    previous_state: str
