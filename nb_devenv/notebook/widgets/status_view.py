"""What the status widget shows, as pure functions of a snapshot and a clock.

No widgets and no I/O here: each function turns an :class:`~nb_devenv.client._models.Instance`
(or ``None`` before the first snapshot), a few flags and a :class:`~nb_devenv.core.clock.Clock`
into HTML strings or trait values, so the display can be tested without building a widget.
:class:`~nb_devenv.notebook.widgets.status.InstanceStatusWidget` puts the results into its parts.
Everything that came from the server passes through :func:`~._html.esc`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Collection, Sequence

from nb_devenv.client._api import NOTEBOOKS
from nb_devenv.client._models import Instance
from nb_devenv.client._tables import instance_row
from nb_devenv.contract import format_duration
from nb_devenv.core.clock import Clock

from ._html import badge, esc

__all__ = ["WARN_BELOW", "EXTEND_STEPS", "CountdownView", "LeaseView", "text_line", "shown_status", "status_pill",
           "title_html", "steps_html", "details_html", "local_stop_time", "countdown_view", "lease_view",
           "live_note_html", "problems_html"]

#: below this many seconds of auto-stop time left the widget warns
WARN_BELOW = 600
#: what the Extend buttons of a Notebook API instance add to its run time, in seconds
EXTEND_STEPS = (3600, 4 * 3600)

_CREATE_FLOW = ("CREATING", "STARTING", "RUNNING")
_START_FLOW = ("STARTING", "RUNNING")
_STOP_FLOW = ("STOPPING", "STOPPED")
# statuses shown as one of the flow steps above
_STEP_OF = {"CREATE_QUEUING": "CREATING", "START_QUEUING": "STARTING", "READY_TO_START": "STARTING",
            "RESTARTING": "STARTING", "INIT": "CREATING"}


def _read_on(instance: Instance, clock: Clock | None) -> Instance:
    """The snapshot whose ``remain_time`` and ``age_seconds`` follow ``clock`` (default: its own)."""
    if clock is None or instance.clock is clock:
        return instance
    return dataclasses.replace(instance, clock=clock)


def text_line(instance_id: str, instance: Instance | None, clock: Clock | None = None, *,
              status: str = "", deleted: bool = False) -> str:
    """The widget in one line of text (``repr``, the text/plain fallback): the facts, never the
    token. ``status`` is the last one seen, for the line before the first snapshot."""
    if instance is None:
        return f"InstanceStatus(id={instance_id!r}, status={status or 'unknown'})"
    row = instance_row(_read_on(instance, clock))
    shown = "DELETED" if deleted else row["status"]
    left = "-" if deleted else row["time left"]
    return (f"InstanceStatus(name={row['name']!r}, id={row['id']!r}, status={shown}, "
            f"flavor={row['flavor']}, storage={row['storage']}, time left {left})")


def shown_status(instance: Instance | None, *, deleted: bool) -> str:
    """The status the widget shows: ``DELETED`` once deleted, ``""`` before the first snapshot."""
    if deleted:
        return "DELETED"
    return instance.status if instance is not None else ""


def status_pill(status: str, *, deleted: bool = False) -> str:
    """The coloured status badge (it says "deleted" in lower case once the instance is gone)."""
    return badge(status, "deleted" if deleted else None)


def title_html(instance_id: str, instance: Instance | None) -> str:
    """Name, id and description; the id and "loading…" before the first snapshot."""
    if instance is None:
        return f'<code class="nb-devenv-id">{esc(instance_id)}</code> <i>loading…</i>'
    text = (f'<b class="nb-devenv-name" style="font-size:1.1em">{esc(instance.name)}</b> '
            f'<code class="nb-devenv-id">{esc(instance.id)}</code>')
    if instance.description:
        text += f'<div class="nb-devenv-description" style="color:#57606a">{esc(instance.description)}</div>'
    return text


def _flow(step: str, seen: Collection[str]) -> tuple[str, ...]:
    # a start is shown as a creation when this widget saw the instance being created
    if step in _STOP_FLOW:
        return _STOP_FLOW
    if step in _CREATE_FLOW:
        if step == "CREATING" or "CREATING" in seen or "CREATE_QUEUING" in seen:
            return _CREATE_FLOW
        return _START_FLOW
    return ()


def _failure_html(status: str, reasons: dict[str, object]) -> str:
    code = reasons.get("code")
    text = f'✗ {esc(status)}: {esc(reasons.get("message") or "no reason given")}'
    if code:
        text += f" [{esc(code)}]"
    details = reasons.get("detail") or {}
    if isinstance(details, dict) and details:
        text += "<br>" + "; ".join(f"{esc(k)}: {esc(v)}" for k, v in details.items())
    return f'<span class="nb-devenv-failed-reason" style="color:#cf222e">{text}</span>'


def steps_html(instance: Instance | None, status: str, *, deleted: bool = False,
               seen: Collection[str] = ()) -> str:
    """The lifecycle step flow (✓ done → ● current → ○ next), or the failure reasons.

    ``seen`` holds every status this widget has shown: a STARTING that follows a CREATING is
    drawn as a step of the creation, a STARTING after a STOPPED as a start.
    """
    if deleted:
        return '<span class="nb-devenv-step-deleted">the instance was deleted</span>'
    if instance is None:
        return ""
    if instance.is_failed:
        return _failure_html(status, instance.failed_reasons or {})
    step = _STEP_OF.get(status, status)
    flow = _flow(step, seen)
    if not flow:
        return f'<span class="nb-devenv-step-current">{esc(status)}</span>'
    current = flow.index(step)
    parts = []
    for index, name in enumerate(flow):
        if index < current:
            parts.append(f'<span class="nb-devenv-step-done" style="color:#1a7f37">✓ {name}</span>')
        elif index == current:
            shown = status if status != step else name
            parts.append(f'<span class="nb-devenv-step-current"><b>● {esc(shown)}</b></span>')
        else:
            parts.append(f'<span class="nb-devenv-step-next" style="color:#8c959f">○ {name}</span>')
    return " → ".join(parts)


def details_html(instance: Instance | None, clock: Clock | None = None) -> str:
    """Flavor, storage, profile or image, age (on ``clock``) and the auto-stop setting, on one
    line."""
    if instance is None:
        return ""
    items = [f"flavor <code>{esc(instance.flavor)}</code>",
             f"storage {esc(instance.storage.describe())}"]
    if instance.profile_id:
        items.append(f"profile {esc(instance.profile_id)}")
    if instance.image is not None:
        items.append(f"image <code>{esc(instance.image.name)}:{esc(instance.image.tag)}</code>")
    age = _read_on(instance, clock).age_seconds()
    if age is not None:
        items.append(f'created <span class="nb-devenv-age">{format_duration(age, "age")}</span> ago')
    counting_to = instance.auto_stop.stop_timestamp if instance.status == "RUNNING" else None
    at = local_stop_time(counting_to, _read_on(instance, clock).clock)[:5] if counting_to is not None else ""
    if instance.lease is not None:
        # the lease's run time restarts at each renewal: "after 2h of running" would mislead;
        # while it counts, the deadline the countdown counts to (it moves with each renewal)
        lease = f"auto-stop: lease ({esc(instance.lease.type or 'TIMING')})" + (f" until {at}" if at else "")
        items.append(lease if instance.lease.enable else "auto-stop off")
    elif instance.auto_stop.enable and instance.auto_stop.duration:
        setting = format_duration(instance.auto_stop.duration, "short")
        if at:
            # the deadline was set at start: a duration updated since applies to the next start
            # only, so say the deadline the countdown counts to, then the setting
            items.append(f"auto-stop at {at} · each start runs {setting}")
        else:
            items.append(f"auto-stop after {setting} of running")
    elif not instance.auto_stop.enable:
        items.append("auto-stop off")
    return '<span style="color:#57606a">' + " · ".join(items) + "</span>"


def local_stop_time(stop_timestamp: int, clock: Clock) -> str:
    """``HH:MM:SS``, local time, of ``stop_timestamp`` (ms on the server's clock, which ``clock``
    follows with its ``offset_ms``, when it has one)."""
    offset: int = getattr(clock, "offset_ms", 0) or 0
    return datetime.fromtimestamp((stop_timestamp - offset) / 1000).astimezone().strftime("%H:%M:%S")


@dataclass(frozen=True)
class CountdownView:
    """The countdown row at one moment; ``text == ""`` hides the row."""

    #: seconds left before auto-stop, or ``None``
    remaining: int | None = None
    #: the countdown line (HTML)
    text: str = ""
    #: the below-:data:`WARN_BELOW` warning (HTML; ``""`` hides it)
    warning: str = ""
    #: the bar's full length in seconds; ``None`` hides the bar
    bar_max: float | None = None
    #: the bar's value, in steps of 1/240 of ``bar_max`` (the bar is 240 px wide)
    bar_value: float = 0.0

    @property
    def bar_style(self) -> str:
        return "warning" if self.warning else "success"


def countdown_view(instance: Instance | None, clock: Clock | None = None, *,
                   deleted: bool = False) -> CountdownView:
    """Time left before auto-stop on ``clock`` (from ``stop_timestamp``, never a local counter),
    the bar and the warning; "auto-stop off" for a running instance without it; else nothing."""
    if instance is None or deleted:
        return CountdownView()
    snapshot = _read_on(instance, clock)
    left, stop_timestamp = snapshot.remain_time, snapshot.auto_stop.stop_timestamp
    if left is not None and stop_timestamp is not None:  # remain_time is None without a stop_timestamp
        at = local_stop_time(stop_timestamp, snapshot.clock)
        bar_max = float(max(instance.auto_stop.duration or 0, left, 1))
        # move the bar only when that shows, not every second
        step = bar_max / 240
        warning = ""
        if left < WARN_BELOW:
            warning = (f'<span style="color:#9a6700;font-weight:600">⚠ less than {WARN_BELOW // 60} minutes '
                       f'left: the instance stops at {at}. Save your work.</span>')
        return CountdownView(
            remaining=left,
            text=(f'auto-stop in <b class="nb-devenv-countdown-value" style="font-family:monospace">'
                  f'{format_duration(left, "clock")}</b> · stops at {at} (local time)'),
            warning=warning, bar_max=bar_max, bar_value=float(round(left / step) * step))
    if instance.status == "RUNNING" and not instance.auto_stop.enable:
        return CountdownView(text="auto-stop off: it runs until you stop it")
    return CountdownView()


@dataclass(frozen=True)
class LeaseView:
    """The lease row at one moment; all empty hides it."""

    #: a line about the lease (HTML)
    note: str = ""
    #: whether the Extend buttons are shown
    extend: bool = False
    #: the steps of :data:`EXTEND_STEPS` that keep the run time within the API's 72 h
    extendable: frozenset[int] = frozenset()


def lease_view(instance: Instance | None, clock: Clock | None = None, *, deleted: bool = False,
               idle: bool = True) -> LeaseView:
    """What the lease row says: for a running Notebook API instance with a lease, the Extend
    buttons (each enabled while the new run time stays within 72 h and nothing else runs); for a
    running old-API instance with auto-stop, why its deadline cannot move; else nothing."""
    if instance is None or deleted or instance.status != "RUNNING":
        return LeaseView()
    snapshot = _read_on(instance, clock)
    left = snapshot.remain_time
    if instance.api == NOTEBOOKS:
        if left is None:
            return LeaseView()
        from nb_devenv.contract.notebooks import DURATION_MAX_MS  # loaded with the first such instance

        room = DURATION_MAX_MS // 1000 - left
        return LeaseView(
            note="lease: let it run longer",
            extend=True, extendable=frozenset(s for s in EXTEND_STEPS if s <= room) if idle else frozenset())
    if left is None:
        return LeaseView()
    return LeaseView(note=(
        "the DevEnviron API cannot move a running instance's deadline: "
        f"<code>%devenv update {esc(instance.id)} --auto-stop …</code> changes how long its next start runs "
        "(the Notebook API, <code>--api notebooks</code>, can extend a running instance)"))


def live_note_html(instance_id: str, *, after_message: bool = False) -> str:
    """Why a widget made where no event loop runs (terminal IPython) does not move."""
    note = (f"not updating live (no running event loop here); in a notebook, "
            f"<code>%devenv watch {esc(instance_id)}</code> shows a live widget")
    return ("<br>" if after_message else "") + f'<span style="color:#57606a">{note}</span>'


def problems_html(problems: Sequence[str]) -> str:
    """The error line: one red "⚠ …" per problem (an action's error, a failed poll)."""
    return "<br>".join(f'<span style="color:#cf222e">⚠ {esc(p)}</span>' for p in problems)
