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

from ._html import badge, esc, family, muted, tone_text

__all__ = ["WARN_BELOW", "CRITICAL_BELOW", "EXTEND_STEPS", "CountdownView", "LeaseView", "text_line", "shown_status",
           "tone", "transition_elapsed", "status_pill", "title_html", "steps_html", "details_html", "local_stop_time",
           "countdown_view", "lease_view", "live_note_html", "problems_html", "button_tooltips", "delete_question"]

#: below this many seconds of auto-stop time left the widget warns (amber)
WARN_BELOW = 600
#: below this many seconds left the warning turns red
CRITICAL_BELOW = 60
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


def tone(status: str, remaining: int | None) -> str:
    """The colour of the badge and the border: the status family's, but a running instance with
    less than :data:`WARN_BELOW` seconds left is "warn" (amber), less than
    :data:`CRITICAL_BELOW` "critical" (red)."""
    fam = family(status)
    if fam == "running" and remaining is not None:
        if remaining < CRITICAL_BELOW:
            return "critical"
        if remaining < WARN_BELOW:
            return "warn"
    return fam


def transition_elapsed(instance: Instance | None, clock: Clock | None = None) -> str:
    """How long the instance has been in its transitional status (``1m5s``), on the server's
    clock from its last update; ``""`` when it is not in one or the time is not known."""
    if instance is None or family(instance.status) != "transition" or not instance.latest_update_timestamp:
        return ""
    now = _read_on(instance, clock).clock.now_ms()
    return format_duration(max(0, now - instance.latest_update_timestamp) // 1000, "short")


def status_pill(status: str, *, deleted: bool = False, remaining: int | None = None, elapsed: str = "") -> str:
    """The status badge, coloured by :func:`tone`; a transition's turns and shows ``elapsed``."""
    return badge(status, "DELETED" if deleted else None, tone=tone(status, remaining), elapsed=elapsed)


def title_html(instance_id: str, instance: Instance | None) -> str:
    """Name, id and description; the id and "loading…" before the first snapshot."""
    if instance is None:
        return f'<code class="nb-devenv-id">{esc(instance_id)}</code> <i>loading…</i>'
    text = (f'<b class="nb-devenv-name" style="font-size:1.1em">{esc(instance.name)}</b> '
            f'<code class="nb-devenv-id">{esc(instance.id)}</code>')
    if instance.description:
        text += f'{muted(esc(instance.description), "nb-devenv-description", "div")}'
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
    return f'<span class="nb-devenv-failed-reason" style="{tone_text("failed")}">{text}</span>'


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
            parts.append(f'<span class="nb-devenv-step-done" style="{tone_text("running")}">✓ {name}</span>')
        elif index == current:
            shown = status if status != step else name
            parts.append(f'<span class="nb-devenv-step-current"><b>● {esc(shown)}</b></span>')
        else:
            parts.append(muted(f"○ {name}", "nb-devenv-step-next"))
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
    return muted(" · ".join(items))


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
    #: the :func:`tone` of the time left: "running", "warn" or "critical"
    shade: str = "running"

    @property
    def bar_style(self) -> str:
        return {"warn": "warning", "critical": "danger"}.get(self.shade, "success")


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
        shade = tone("RUNNING", left)
        warning, digits = "", "font-family:monospace"
        if shade != "running":
            within = "1 minute" if shade == "critical" else f"{WARN_BELOW // 60} minutes"
            warning = (f'<span style="{tone_text(shade)};font-weight:600">⚠ less than {within} left: '
                       f'the instance stops at {at}. Save your work{" now" if shade == "critical" else ""}.</span>')
            digits += f";{tone_text(shade)}"
        return CountdownView(
            remaining=left,
            text=(f'<span class="nb-devenv-nowrap">auto-stop in <b class="nb-devenv-countdown-value" '
                  f'style="{digits}">{format_duration(left, "clock")}</b></span> · '
                  f'<span class="nb-devenv-nowrap">stops at {at} (local time)</span>'),
            warning=warning, bar_max=bar_max, bar_value=float(round(left / step) * step), shade=shade)
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
    #: an action runs (the Extend buttons wait for it)
    busy: bool = False


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
            extend=True, extendable=frozenset(s for s in EXTEND_STEPS if s <= room) if idle else frozenset(),
            busy=not idle)
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
    return ("<br>" if after_message else "") + muted(note)


def problems_html(problems: Sequence[str]) -> str:
    """The error line: one red "⚠ …" per problem (an action's error, a failed poll)."""
    return "<br>".join(f'<span style="{tone_text("failed")}">⚠ {esc(p)}</span>' for p in problems)


#: what each button does, its tooltip while enabled
_DOES = {"Stop": "Stop the instance (its storage and files stay)", "Start": "Start the instance",
         "Delete": "Delete the instance (asks first)", "Refresh": "Fetch its status now"}


def _why_not(button: str, status: str) -> str:
    fam = family(status)
    if not status:
        return "waiting for the instance's status"
    if fam == "transition":
        return f"wait until {status} is over"
    if button == "Start" and fam == "running":
        return "the instance is already running"
    if button == "Stop" and fam in ("stopped", "failed"):
        return "the instance is not running" if fam == "failed" else "the instance is already stopped"
    if button == "Delete" and fam == "running":
        return "stop the instance first (a running instance cannot be deleted)"
    return f"not possible while the instance is {status}"


def button_tooltips(status: str, enabled: dict[str, bool], *, busy: str | None = None) -> dict[str, str]:
    """The tooltip of each action button ("Stop", "Start", "Delete", "Refresh"): what it does
    when it is enabled, why not when it is disabled ("Start: the instance is already running")."""
    tips = {}
    for button, on in enabled.items():
        if on:
            tips[button] = _DOES[button]
        elif busy is not None:
            tips[button] = f"{button}: wait for the {busy} to finish"
        elif button == "Refresh":
            tips[button] = "Refresh: the instance was deleted"
        else:
            tips[button] = f"{button}: {_why_not(button, status)}"
    return tips


def delete_question(instance: Instance | None, instance_id: str) -> str:
    """What Delete asks before it deletes: which instance, and what happens to its storage
    (an EVS disk goes with the instance, OBS files stay)."""
    name = esc(instance.name) if instance is not None else esc(instance_id)
    storage = instance.storage if instance is not None else None
    if storage is not None and storage.kind == "OBS":
        fate = f"Its files in OBS ({esc(storage.path or 'the bucket')}) stay; only the instance goes."
    elif storage is not None:
        fate = (f"Its disk ({esc(storage.describe())}) and every file on it are deleted with it; "
                "this cannot be undone.")
    else:
        fate = "Its disk and every file on it are deleted with it; this cannot be undone."
    return f'<b>Delete {name}?</b> {fate}'
