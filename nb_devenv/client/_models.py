"""Typed, read-only views of the API's JSON answers.

An :class:`Instance` keeps the raw JSON it was built from (``raw``) and adds what users ask
for: the URL, the remaining auto-stop time (derived from ``stop_timestamp`` and a clock, so
it is right at any moment without a new request), and readable timestamps.

One :class:`Instance` describes an instance of either API (``api`` says which), so the poller,
the widgets and the CLI need not know: a Notebook API instance's ``lease`` is also given as the
``auto_stop`` the old API has (its deadline is ``stop_timestamp``), its ``volume`` as
``storage`` and its ``fail_reason`` as ``failed_reasons``. :class:`NotebookImage` and
:class:`NotebookFlavor` are the Notebook API's catalogue answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator
from urllib.parse import quote

from nb_devenv.contract import format_duration
from nb_devenv.core.clock import Clock, SystemClock

from ._api import DEVENVIRON, NOTEBOOKS, is_failed, is_transitional

__all__ = ["Storage", "AutoStop", "Lease", "Instance", "InstanceList", "ActionResult", "NotebookImage",
           "NotebookFlavor"]

_DEFAULT_CLOCK = SystemClock()


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _str_list(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


@dataclass(frozen=True)
class Storage:
    """The instance's work storage: the old API's ``spec.storage``, or the Notebook API's
    ``volume`` (``type`` its ``category``, ``volume_size`` its ``capacity``)."""

    type: str  # as the API returned it ("obs", "EVS", ...)
    path: str | None = None
    volume_size: int | None = None

    @property
    def kind(self) -> str:
        """``OBS``, ``EVS``, ... regardless of how the request spelled it."""
        return self.type.upper()

    def describe(self) -> str:
        """``OBS bucket/dir/`` or ``EVS 5 GB``: the one-line form lists and widgets show."""
        if self.kind == "OBS":
            return f"OBS {self.path or ''}".strip()
        if self.kind in ("", "EVS"):
            return f"EVS {self.volume_size or 5} GB"
        return f"{self.kind} {self.volume_size} GB" if self.volume_size else self.kind

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
class Lease:
    """The Notebook API's auto-stop lease (``GET``/``PATCH .../lease``, and ``lease`` of an
    instance). ``duration`` counts milliseconds from ``create_at``, as the API does; the
    deadline and the time left are derived (the contract's lease arithmetic), and ``remaining``
    follows the clock without a request, like an instance's ``remain_time``."""

    enable: bool
    duration: int | None = None  # ms, counted from create_at
    type: str = ""
    create_at: int | None = None  # ms
    update_at: int | None = None  # ms: when the lease was last armed (created, started, renewed)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    clock: Clock = field(default=_DEFAULT_CLOCK, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict[str, Any] | None, clock: Clock | None = None) -> "Lease":
        data = data or {}
        return cls(bool(data.get("enable", False)), _int_or_none(data.get("duration")), str(data.get("type") or ""),
                   _int_or_none(data.get("create_at")), _int_or_none(data.get("update_at")), dict(data),
                   clock or _DEFAULT_CLOCK)

    @property
    def deadline_ms(self) -> int | None:
        """When the instance stops (ms since the epoch, server clock); ``None`` when off."""
        # the Notebook dialect loads when a lease is first read, not with the client
        from nb_devenv.contract.notebooks.lease import lease_deadline_ms

        return lease_deadline_ms({"enable": self.enable, "create_at": self.create_at, "duration": self.duration})

    @property
    def remaining(self) -> int | None:
        """Seconds left before the deadline, on the clock (0 once due); ``None`` when off.
        Meaningful while the instance runs: the lease of a stopped instance does not count down."""
        deadline = self.deadline_ms
        return None if deadline is None else max(0, (deadline - self.clock.now_ms()) // 1000)

    @property
    def run_seconds(self) -> int | None:
        """The run time asked for when the lease was last armed (deadline - ``update_at``)."""
        deadline = self.deadline_ms
        if deadline is None or self.update_at is None:
            return None
        return max(0, (deadline - self.update_at) // 1000)

    @property
    def stops_at(self) -> datetime | None:
        """The deadline as an aware UTC datetime, if there is one."""
        deadline = self.deadline_ms
        return None if deadline is None else datetime.fromtimestamp(deadline / 1000, tz=timezone.utc)


@dataclass(frozen=True)
class NotebookImage:
    """An image of the Notebook API (``GET /v1/{project_id}/images``; also an instance's
    ``image``, which carries fewer fields)."""

    id: str
    name: str
    tag: str = ""
    swr_path: str = ""
    description: str = ""
    arch: str = ""
    type: str = ""
    resource_categories: tuple[str, ...] = ()
    status: str = ""
    #: preset images' display name; the local server gives the old API's profile id here
    show_name: str = ""
    workspace_id: str = "0"
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> "NotebookImage":
        return cls(
            id=str(data.get("id", "")), name=str(data.get("name", "")), tag=str(data.get("tag") or ""),
            swr_path=str(data.get("swr_path") or ""), description=str(data.get("description") or ""),
            arch=str(data.get("arch") or ""), type=str(data.get("type") or ""),
            resource_categories=_str_list(data.get("resource_categories")), status=str(data.get("status") or ""),
            show_name=str(data.get("show_name") or ""), workspace_id=str(data.get("workspace_id") or "0"),
            raw=data,
        )

    def matches(self, ref: str) -> bool:
        """Whether ``ref`` names this image: its id, its name, ``name:tag`` or its show name."""
        return ref in (self.id, self.name, f"{self.name}:{self.tag}") or bool(self.show_name and ref == self.show_name)


@dataclass(frozen=True)
class NotebookFlavor:
    """A flavor of ``GET /v1/{project_id}/notebooks/flavors`` (NotebookFlavor)."""

    id: str
    name: str = ""
    description: str = ""
    category: str = ""
    arch: str = ""
    vcpus: int | None = None
    #: memory in GiB (the API gives KiB)
    memory_gib: int | None = None
    gpus: int = 0
    gpu_type: str = ""
    free: bool = False
    sold_out: bool = False
    storages: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> "NotebookFlavor":
        from nb_devenv.contract.notebooks.flavors import KIB_PER_GIB

        memory = _int_or_none(data.get("memory"))
        gpu: dict[str, Any] = data["gpu"] if isinstance(data.get("gpu"), dict) else {}
        return cls(
            id=str(data.get("id", "")), name=str(data.get("name") or ""),
            description=str(data.get("description") or ""), category=str(data.get("category") or ""),
            arch=str(data.get("arch") or ""), vcpus=_int_or_none(data.get("vcpus")),
            memory_gib=None if memory is None else memory // KIB_PER_GIB, gpus=_int_or_none(gpu.get("gpu")) or 0,
            gpu_type=str(gpu.get("type") or ""), free=bool(data.get("free", False)),
            sold_out=bool(data.get("sold_out", False)), storages=_str_list(data.get("storages")), raw=data,
        )


@dataclass(frozen=True)
class Instance:
    """One development environment instance, as a details/list/create answer of either API
    described it (``api``: ``"devenviron"`` or ``"notebooks"``)."""

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
    #: which API described it: ``"devenviron"`` or ``"notebooks"``
    api: str = DEVENVIRON
    #: Notebook API: the image it runs (``None`` for the old API, which names a ``profile_id``)
    image: NotebookImage | None = None
    #: Notebook API: its auto-stop lease (also given as ``auto_stop``)
    lease: Lease | None = None
    #: Notebook API: the token that opens its JupyterLab, part of every answer there (a secret:
    #: never in ``repr``; the old API has it at ``GET .../token`` only)
    token: str | None = field(default=None, repr=False, compare=False)
    #: Notebook API: the object's ``url`` (``url`` gives it while the instance runs)
    notebook_url: str | None = field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any], clock: Clock | None = None, api: str = DEVENVIRON) -> "Instance":
        """The instance an answer of ``api`` describes (a details, list item, create, update,
        start or stop answer)."""
        if api == NOTEBOOKS:
            return cls._from_notebook(data, clock)
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

    @classmethod
    def _from_notebook(cls, data: dict[str, Any], clock: Clock | None) -> "Instance":
        """A NotebookResp: the lease becomes ``auto_stop`` too (its deadline is
        ``stop_timestamp`` while the instance runs), the volume ``storage``, ``fail_reason``
        ``failed_reasons["message"]``, and ``create_at``/``update_at`` (or the lease's, which
        the SDK's model keeps) the timestamps."""
        clock = clock or _DEFAULT_CLOCK
        status = str(data.get("status", ""))
        lease = Lease.from_api(data["lease"], clock) if isinstance(data.get("lease"), dict) else None
        volume: dict[str, Any] = data["volume"] if isinstance(data.get("volume"), dict) else {}
        image = NotebookImage.from_api(data["image"]) if isinstance(data.get("image"), dict) else None
        auto_stop = AutoStop()
        if lease is not None:
            running = status == "RUNNING" and lease.enable
            auto_stop = AutoStop(lease.enable, lease.run_seconds, True, lease.deadline_ms if running else None)
        fail_reason = data.get("fail_reason") or None
        return cls(
            id=str(data.get("id", "")),
            name=str(data.get("name", "")),
            status=status,
            description=data.get("description") or "",
            flavor=data.get("flavor") or "",
            creation_timestamp=_int_or_none(data.get("create_at")) or (lease.create_at if lease else None),
            latest_update_timestamp=_int_or_none(data.get("update_at")),
            storage=Storage(str(volume.get("category") or ""), volume.get("uri"), _int_or_none(volume.get("capacity"))),
            auto_stop=auto_stop,
            failed_reasons={"message": str(fail_reason)} if fail_reason else None,
            workspace_id=str(data.get("workspace_id") or "0"),
            raw=data,
            clock=clock,
            api=NOTEBOOKS,
            image=image,
            lease=lease,
            token=data.get("token") or None,
            notebook_url=data.get("url") or None,
        )

    # -- derived facts ---------------------------------------------------------------------

    @property
    def url(self) -> str | None:
        """The instance's JupyterLab URL while it runs (without its token), else ``None``."""
        if self.api == NOTEBOOKS:
            return self.notebook_url if self.status == "RUNNING" else None
        return self.annotations.get("url") or None

    @property
    def fail_reason(self) -> str | None:
        """Why it failed, in words (the Notebook API's ``fail_reason``; the old API's
        ``failed_reasons.message``)."""
        message = (self.failed_reasons or {}).get("message")
        return str(message) if message else None

    def url_with_token(self, token: str) -> str | None:
        """The URL that opens the instance's JupyterLab logged in (a secret, like ``token``);
        the one place that builds it, for ``nb-devenv open`` and the widget's Open link alike."""
        if not self.url:
            return None
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}token={quote(token, safe='')}"

    @property
    def is_transitional(self) -> bool:
        """In a status it leaves on its own (its API's list: the Notebook API adds INIT, ...)."""
        return is_transitional(self.api, self.status)

    @property
    def is_failed(self) -> bool:
        return is_failed(self.api, self.status)

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
        ``remain_time`` and the bookkeeping ``latest_update_timestamp`` (``update_at``). A
        Notebook API lease that does not count down (the instance is not running, or auto-stop
        is off) is drawn "as if armed now", so only its kind counts then. Watchers compare keys to act only on real
        changes."""
        raw = dict(self.raw)
        if self.api == NOTEBOOKS:
            raw.pop("update_at", None)
            counting = self.status == "RUNNING" and self.lease is not None and self.lease.enable
            if not counting and isinstance(raw.get("lease"), dict):
                raw["lease"] = {k: v for k, v in raw["lease"].items() if k in ("enable", "type")}
            return json.dumps(raw, sort_keys=True)
        raw.pop("latest_update_timestamp", None)
        spec = dict(raw.get("spec") or {})
        spec["auto_stop"] = {k: v for k, v in (spec.get("auto_stop") or {}).items() if k != "remain_time"}
        raw["spec"] = spec
        return json.dumps(raw, sort_keys=True)

    def raw_without_token(self) -> dict[str, Any]:
        """The API's JSON of the instance minus its ``token`` (the Notebook API sends it in
        every answer): what the CLI prints, so a token never lands in a log by accident."""
        return {k: v for k, v in self.raw.items() if k != "token"}

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
    """The answer to start/stop/restart: the status before and right after the action.

    The Notebook API answers with the instance itself (``instance``); its ``previous_state`` is
    the status the operation is allowed from when there is only one (a stop is accepted only
    from RUNNING), else ``""`` (a start may come from STOPPED or START_FAILED)."""

    current_status: str
    previous_state: str
    instance: Instance | None = field(default=None, compare=False)

    def transition(self, arrow: str = "→") -> str:
        """``RUNNING → STOPPING``, or ``→ STARTING`` when the status before is not known."""
        return f"{self.previous_state} {arrow} {self.current_status}".strip()
