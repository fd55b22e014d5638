"""The live status widget of one instance.

It shows name, id, flavor, storage, the status (a coloured badge; CSS class per status family),
the lifecycle step, failure reasons, the time since creation and, while the instance runs with
auto-stop on, a countdown with a bar and the local time at which it will stop (a warning below
ten minutes). Stop / Start / Delete are enabled only when :func:`nb_devenv.contract.can` allows them.

How it stays current
--------------------
The widget subscribes to the kernel's shared :class:`~nb_devenv.notebook.watch.InstanceHub` (see
:mod:`nb_devenv.notebook.widgets.runtime`): one list request per poll for every widget of the kernel,
fast during transitions, slow when stable, and a 1-second tick without any request that
recomputes the countdown from ``stop_timestamp`` and the clock (never a local decrement). All
trait changes of one update go out inside ``hold_sync()``. ``close()`` unsubscribes and cancels
the widget's tasks before closing; a deleted instance shows "deleted" and stops being polled.
While another cell blocks the kernel (``time.sleep``, heavy CPU), the widget pauses; it catches
up when the cell ends.

The instance's access token (security)
--------------------------------------
Opening the instance needs its Jupyter URL *with its token*, which is a secret. Widget state
is saved into notebooks (JupyterLab "save widget state", nbclient's ``store_widget_state``) and
updates sent by background tasks may be recorded with the cell that started them, so a link
that carried the token all the time could end up in a saved or executed notebook. Therefore:

* the token is fetched (``client.token()``) only when the user clicks **Open**; nbclient and
  papermill never click, so executed tutorials never hold it;
* the link (class ``nb-devenv-open-link``) then carries the token for :data:`LINK_TTL` seconds
  and is cleared earlier when the instance leaves RUNNING, the widget closes or the extension is
  unloaded; :func:`nb_devenv.notebook.widgets.wait` clears it before it re-sends the widget state;
* the token is never part of ``repr()``, the text fallback, the message line or a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from datetime import datetime
from typing import Iterable

import ipywidgets as widgets
from traitlets import Bool, Int, Unicode

from nb_devenv.core.clock import Clock
from nb_devenv.client._exceptions import DevEnvError, InstanceFailedError, NotFoundError
from nb_devenv.client._models import Instance
from nb_devenv.contract import FAILED, by_code, can, format_duration
from nb_devenv.client._tables import instance_row
from ..watch import InstanceHub, Subscription
from . import runtime
from ._html import STYLE, badge, esc, family

__all__ = ["InstanceStatusWidget", "LINK_TTL", "WARN_BELOW"]

#: seconds the Open link (which carries the access token) stays in the page
LINK_TTL = 120.0
#: below this many seconds of auto-stop time left the widget warns
WARN_BELOW = 600

_CREATE_FLOW = ("CREATING", "STARTING", "RUNNING")
_START_FLOW = ("STARTING", "RUNNING")
_STOP_FLOW = ("STOPPING", "STOPPED")
# statuses shown as one of the flow steps above
_STEP_OF = {"CREATE_QUEUING": "CREATING", "START_QUEUING": "STARTING", "READY_TO_START": "STARTING",
            "RESTARTING": "STARTING"}
_VERBS = {"stop": "stopping", "start": "starting", "restart": "restarting", "delete": "deleting"}


def _hidden(widget: widgets.DOMWidget, hidden: bool) -> None:
    widget.layout.display = "none" if hidden else None


def _error_text(error: BaseException) -> str:
    # DevEnvError messages already carry the error code and the request id
    return f"{type(error).__name__}: {error}"


def _gone_error(instance_id: str) -> NotFoundError:
    return NotFoundError(status_code=404, error_code="ModelArts.6309",
                         error_msg=f"{by_code('ModelArts.6309').template} ({instance_id} was deleted)")


class InstanceStatusWidget(widgets.VBox):
    """Live status of one instance (see the module docstring).

    Parameters
    ----------
    instance
        An :class:`~nb_devenv.client._models.Instance` snapshot, or just an instance id (the widget
        then shows "loading" until the first poll).
    hub
        The :class:`~nb_devenv.notebook.watch.InstanceHub` to subscribe to; by default the kernel's shared
        hub for ``settings``.
    settings
        :class:`~nb_devenv.notebook.widgets.runtime.ClientSettings` (default: the defaults; the magics pass theirs).
    clock
        A :class:`~nb_devenv.core.clock.Clock` for the countdown and the age (tests pass a
        :class:`~nb_devenv.core.clock.ManualClock`); default: the client's clock, which follows the
        server's ``Date``.
    watch
        Subscribe at once (needs a running event loop, as in a kernel). With ``False``, feed it
        with :meth:`update` / :meth:`tick`, or call :meth:`start` later.
    """

    instance_id = Unicode("", help="id of the watched instance")
    status = Unicode("", help="last status seen ('DELETED' once deleted)")
    remaining = Int(None, allow_none=True, help="seconds left before auto-stop, or None")
    message = Unicode("", help="result of the last action")
    error = Unicode("", help="error of the last action (shown in red)")
    poll_error = Unicode("", help="why the last poll failed (cleared by the next good one)")
    live = Bool(False, help="subscribed to a hub and receiving updates")
    deleted = Bool(False)

    def __init__(self, instance: Instance | str, *, hub: InstanceHub | None = None,
                 settings: runtime.ClientSettings | None = None, clock: Clock | None = None,
                 watch: bool = True, **kwargs):
        self._hub = hub
        self._settings = settings
        self._clock = clock
        self._instance: Instance | None = None
        self._subscription: Subscription | None = None
        self._tasks: set[asyncio.Task] = set()
        self._waiters: list[tuple[frozenset, asyncio.Future]] = []
        self._seen: set[str] = set()
        self._busy: str | None = None
        self._closed = False
        self._link_timer: asyncio.TimerHandle | None = None
        self._watch_wanted = watch

        self._title = widgets.HTML()
        self._title.add_class("nb-devenv-title")
        self._status_value = widgets.HTML()
        self._status_value.add_class("nb-devenv-status-value")
        self._steps = widgets.HTML()
        self._steps.add_class("nb-devenv-steps")
        self._details = widgets.HTML()
        self._details.add_class("nb-devenv-details")
        self._countdown = widgets.HTML()
        self._countdown.add_class("nb-devenv-countdown")
        self._bar = widgets.FloatProgress(min=0.0, max=1.0, value=0.0, bar_style="success",
                                          layout=widgets.Layout(width="240px"))
        self._bar.add_class("nb-devenv-countdown-bar")
        self._warning = widgets.HTML()
        self._warning.add_class("nb-devenv-warning")
        self._open_button = widgets.Button(
            description="Open", icon="external-link",
            tooltip=f"Show a link to the instance's JupyterLab; it carries the access token and "
                    f"disappears after {LINK_TTL:g} s")
        self._open_button.add_class("nb-devenv-open-button")
        self._link = widgets.HTML()
        self._link.add_class("nb-devenv-open-link")
        self._stop_button = widgets.Button(description="Stop", icon="stop")
        self._start_button = widgets.Button(description="Start", icon="play")
        self._delete_button = widgets.Button(description="Delete", icon="trash", button_style="danger")
        self._refresh_button = widgets.Button(description="Refresh", icon="refresh")
        for name, button in (("stop", self._stop_button), ("start", self._start_button),
                             ("delete", self._delete_button), ("refresh", self._refresh_button)):
            button.add_class(f"nb-devenv-{name}-button")
        self._message_html = widgets.HTML()
        self._message_html.add_class("nb-devenv-message")
        self._error_html = widgets.HTML()
        self._error_html.add_class("nb-devenv-error")

        self._status_row = widgets.HBox([self._status_value, self._steps])
        self._countdown_row = widgets.HBox([self._countdown, self._bar, self._warning])
        self._open_row = widgets.HBox([self._open_button, self._link])
        self._button_row = widgets.HBox([self._stop_button, self._start_button, self._delete_button,
                                         self._refresh_button])
        self._parts: list[widgets.DOMWidget] = [
            self._title, self._status_value, self._steps, self._details, self._countdown, self._bar,
            self._warning, self._open_button, self._link, self._stop_button, self._start_button,
            self._delete_button, self._refresh_button, self._message_html, self._error_html,
            self._status_row, self._countdown_row, self._open_row, self._button_row,
        ]
        self._style = widgets.HTML(STYLE)
        self._style.add_class("nb-devenv-style")
        self._parts.append(self._style)
        super().__init__(children=[self._style, self._title, self._status_row, self._details, self._countdown_row,
                                   self._open_row, self._button_row, self._message_html, self._error_html],
                         **kwargs)
        self.add_class("nb-devenv-status")

        self._stop_button.on_click(lambda _b: self._click("stop"))
        self._start_button.on_click(lambda _b: self._click("start"))
        self._delete_button.on_click(lambda _b: self._click("delete"))
        self._refresh_button.on_click(lambda _b: self._spawn(self.refresh(), "refresh"))
        self._open_button.on_click(lambda _b: self._spawn(self._reveal_link(), "open"))

        if isinstance(instance, Instance):
            self.instance_id = instance.id
            self._apply(instance)
        else:
            self.instance_id = str(instance)
        runtime.register(self)
        if watch:
            self.start()
        self._render()

    # -- public --------------------------------------------------------------------------------

    @property
    def instance(self) -> Instance | None:
        """The latest snapshot (``None`` before the first one)."""
        return self._instance

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self) -> bool:
        """Subscribe to the hub; ``False`` (and a note in the widget) when no loop is running."""
        if self._closed or self.deleted:
            return False
        if self._subscription is not None:
            return True
        try:
            asyncio.get_running_loop()
            hub = self._hub or runtime.hub_for(self._settings)
        except RuntimeError:
            self.live = False
            self._render()
            return False
        self._hub = hub
        self.live = True
        self._subscription = hub.subscribe(Subscription(
            self.instance_id, on_update=self.update, on_gone=self.mark_deleted,
            on_error=self.show_poll_error, on_tick=self.tick))
        return True

    def update(self, instance: Instance) -> None:
        """A new snapshot of the instance (the hub calls this after each poll)."""
        if self._closed or self.deleted or instance.id != self.instance_id:
            return
        current = self._instance
        if (current is not None and current.latest_update_timestamp and instance.latest_update_timestamp
                and instance.latest_update_timestamp < current.latest_update_timestamp):
            return  # an older snapshot (e.g. a cached one) must not move the display back
        unchanged = current is not None and not self.poll_error and current.state_key() == instance.state_key()
        self._apply(instance)
        if unchanged:  # the usual poll of a stable instance: only the clock-driven parts move
            self.tick()
            return
        self.poll_error = ""
        self._render()
        self._resolve_waiters()

    def tick(self) -> None:
        """Recompute what the clock moves — the countdown, its bar, the age — and nothing else
        (no request; only changed values reach the front end: about one message a second)."""
        if self._closed or self._instance is None:
            return
        with self._countdown.hold_sync(), self._bar.hold_sync(), self._details.hold_sync():
            self._details.value = self._details_html(self._instance)
            self._render_countdown(self._instance)

    def mark_deleted(self) -> None:
        """The instance is gone: say so, stop polling, disable the buttons."""
        if self._closed:
            return
        self.deleted = True
        self.status = "DELETED"
        self._hide_link()
        self._unsubscribe()
        self._render()
        self._resolve_waiters()

    def show_poll_error(self, error: BaseException) -> None:
        """A poll failed; shown until the next successful one (the hub keeps trying)."""
        if not self._closed:
            self.poll_error = f"could not refresh, retrying: {_error_text(error)}"
            self._render()

    def close(self) -> None:
        """Stop watching, cancel this widget's tasks, then close it and its parts."""
        if self._closed:
            return
        self._closed = True
        self._hide_link()
        self._unsubscribe()
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        self._resolve_waiters()
        for part in self._parts:
            part.close()
        super().close()

    @property
    def buttons(self) -> dict[str, widgets.Button]:
        """The action buttons by description: Stop, Start, Delete, Refresh, Open."""
        return {b.description: b for b in (self._stop_button, self._start_button, self._delete_button,
                                           self._refresh_button, self._open_button)}

    @property
    def parts(self) -> dict[str, widgets.DOMWidget]:
        """The display parts by role (for tests and for embedding them elsewhere)."""
        return {"title": self._title, "status": self._status_value, "steps": self._steps,
                "details": self._details, "countdown": self._countdown, "bar": self._bar,
                "warning": self._warning, "link": self._link, "message": self._message_html,
                "error": self._error_html, "countdown_row": self._countdown_row, "open_row": self._open_row}

    def all_widgets(self) -> list[widgets.Widget]:
        """This widget, its parts, and their layouts and styles (what :func:`wait` re-sends)."""
        found: list[widgets.Widget] = []
        for w in (self, *self._parts):
            found.append(w)
            for sub in (getattr(w, "layout", None), getattr(w, "style", None)):
                if isinstance(sub, widgets.Widget):
                    found.append(sub)
        return found

    def __repr__(self) -> str:
        instance = self._instance
        if instance is None:
            return f"InstanceStatus(id={self.instance_id!r}, status={self.status or 'unknown'})"
        row = instance_row(instance)
        status = "DELETED" if self.deleted else row["status"]
        left = "-" if self.deleted else row["time left"]
        return (f"InstanceStatus(name={row['name']!r}, id={row['id']!r}, status={status}, "
                f"flavor={row['flavor']}, storage={row['storage']}, time left {left})")

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        if data:
            data["text/plain"] = repr(self)  # the full line, not ipywidgets' 110-char cut
        return data

    # -- waiting (used by nb_devenv.notebook.widgets.wait) -----------------------------------------------

    def _add_waiter(self, wanted: Iterable[str]) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((frozenset(wanted), future))
        self._resolve_waiters()
        return future

    def _resolve_waiters(self) -> None:
        instance = self._instance
        for entry in list(self._waiters):
            wanted, future = entry
            if not future.done():
                if self.deleted:
                    if "DELETED" in wanted:
                        future.set_result(instance)
                    else:
                        future.set_exception(_gone_error(self.instance_id))
                elif self._closed:
                    future.set_exception(DevEnvError(f"the status widget of {self.instance_id} was closed"))
                elif instance is not None and instance.status in wanted:
                    future.set_result(instance)
                elif instance is not None and instance.status in FAILED:
                    future.set_exception(InstanceFailedError(instance))
            if future.done():
                self._waiters.remove(entry)

    # -- internals ----------------------------------------------------------------------------------

    def _apply(self, instance: Instance) -> None:
        if self._clock is not None:
            instance = dataclasses.replace(instance, clock=self._clock)
        self._instance = instance
        self._seen.add(instance.status)
        self.status = instance.status
        if instance.status != "RUNNING":
            self._hide_link()

    def _unsubscribe(self) -> None:
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            subscription.close()
        self.live = False

    def _client(self):
        if self._hub is None:
            self._hub = runtime.hub_for(self._settings)  # RuntimeError without a running loop
        return self._hub.client

    def _spawn(self, coro, what: str) -> asyncio.Task | None:
        """Run a button's work on the kernel loop, keeping a strong reference to the task."""
        if self._closed:
            coro.close()
            return None
        try:
            task = runtime.spawn(coro, name=f"nb_devenv-{what}-{self.instance_id}")
        except RuntimeError:
            self.error = (f"{what} needs a running event loop (a Jupyter kernel); "
                          f"use %devenv {what} {self.instance_id} instead")
            self._render()
            return None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _click(self, op: str) -> None:
        """Stop / Start / Delete: busy at once (no double submit), the work in a task."""
        if self._busy is not None or self._closed:
            return
        if self._spawn(self._act(op), op) is None:
            return
        name = self._instance.name if self._instance else self.instance_id
        self._busy = op
        self.error = ""
        self.message = f"{_VERBS[op]} {name}…"
        self._render()

    async def _act(self, op: str) -> None:
        try:
            client = self._client()
            if op == "delete":
                deleted = await client.delete(self.instance_id)
                self.message = f"deleted {deleted}"
                self.mark_deleted()
                return
            result = await client.action(self.instance_id, op)
            self.message = f"{op}: {result.previous_state} → {result.current_status}"
            self.update(await client.get(self.instance_id))  # show the new status at once
            if self._hub is not None:
                self._hub.poke()  # and poll fast while it moves
        except NotFoundError:
            self.mark_deleted()
        except Exception as error:  # noqa: BLE001 - shown in the widget: callback output is invisible
            self.error = _error_text(error)
        finally:
            self._busy = None
            if not self._closed:
                self._render()

    async def refresh(self, *, announce: bool = True) -> None:
        """Fetch a fresh snapshot now instead of at the next poll (the Refresh button; also
        :func:`~nb_devenv.notebook.widgets.wait` before it starts waiting, and after a clock move)."""
        self.error = ""
        try:
            instance = await self._client().get(self.instance_id)
        except NotFoundError:
            self.mark_deleted()
            return
        except Exception as error:  # noqa: BLE001
            self.error = _error_text(error)
            self._render()
            return
        self.update(instance)
        if announce:
            self.message = f"refreshed at {time.strftime('%H:%M:%S')}"
        self._render()

    async def _reveal_link(self) -> None:
        self.error = ""
        try:
            token = await self._client().token(self.instance_id)
        except Exception as error:  # noqa: BLE001
            self.error = _error_text(error)
            self._render()
            return
        instance = self._instance
        if self._closed or instance is None or instance.status != "RUNNING" or not instance.url:
            return
        href = instance.url_with_token(token)
        self._link.value = (
            f'<a class="nb-devenv-open-anchor" href="{esc(href)}" target="_blank" rel="noopener noreferrer" '
            f'style="color:#0969da;text-decoration:underline;font-weight:600">Open {esc(instance.name)} in JupyterLab ↗</a> '
            f'<span style="color:#57606a">(the link holds the access token; hidden again in {LINK_TTL:g} s)</span>')
        if self._link_timer is not None:
            self._link_timer.cancel()
        self._link_timer = asyncio.get_running_loop().call_later(LINK_TTL, self._hide_link)
        self._render()

    def _hide_link(self) -> None:
        if self._link_timer is not None:
            self._link_timer.cancel()
            self._link_timer = None
        if self._link.value:
            self._link.value = ""

    @property
    def link_shown(self) -> bool:
        """Whether the token-bearing Open link is currently in the page."""
        return bool(self._link.value)

    @contextlib.contextmanager
    def _hold(self):
        with contextlib.ExitStack() as stack:
            for w in self.all_widgets():
                stack.enter_context(w.hold_sync())
            yield

    def _set_family(self, fam: str) -> None:
        for w in (self, self._status_value):
            classes = [c for c in w._dom_classes if not c.startswith("nb-devenv-state-")]
            classes.append(f"nb-devenv-state-{fam}")
            if tuple(classes) != tuple(w._dom_classes):
                w._dom_classes = tuple(classes)

    def _render(self) -> None:
        """Set every part from the current snapshot, the flags and the clock (pure display)."""
        if self._closed:
            return
        instance = self._instance
        with self._hold():
            status = "DELETED" if self.deleted else (instance.status if instance else "")
            self._set_family(family(status))
            self._title.value = self._title_html(instance)
            self._status_value.value = badge(status, "deleted" if self.deleted else None)
            self._steps.value = self._steps_html(instance, status)
            self._details.value = self._details_html(instance)
            self._render_countdown(instance)
            running = bool(instance and not self.deleted and instance.status == "RUNNING" and instance.url)
            _hidden(self._open_row, not running)
            self._open_button.disabled = not running or self._busy is not None
            self._render_buttons(status)
            self._message_html.value = esc(self.message) + self._live_note()
            _hidden(self._message_html, not self._message_html.value)
            problems = [p for p in (self.error, self.poll_error) if p]
            self._error_html.value = "<br>".join(
                f'<span style="color:#cf222e">⚠ {esc(p)}</span>' for p in problems)
            _hidden(self._error_html, not problems)

    def _live_note(self) -> str:
        if self.live or self.deleted or not self._watch_wanted:
            return ""
        note = (f"not updating live (no running event loop here); in a notebook, "
                f"<code>%devenv watch {esc(self.instance_id)}</code> shows a live widget")
        return ("<br>" if self.message else "") + f'<span style="color:#57606a">{note}</span>'

    def _render_buttons(self, status: str) -> None:
        idle = self._busy is None and not self.deleted
        self._stop_button.disabled = not (idle and can("stop", status))
        self._start_button.disabled = not (idle and can("start", status))
        self._delete_button.disabled = not (idle and can("delete", status))
        self._refresh_button.disabled = not idle

    def _title_html(self, instance: Instance | None) -> str:
        if instance is None:
            return f'<code class="nb-devenv-id">{esc(self.instance_id)}</code> <i>loading…</i>'
        text = (f'<b class="nb-devenv-name" style="font-size:1.1em">{esc(instance.name)}</b> '
                f'<code class="nb-devenv-id">{esc(instance.id)}</code>')
        if instance.description:
            text += f'<div class="nb-devenv-description" style="color:#57606a">{esc(instance.description)}</div>'
        return text

    def _flow(self, step: str) -> tuple[str, ...]:
        if step in _STOP_FLOW:
            return _STOP_FLOW
        if step in _CREATE_FLOW:
            if step == "CREATING" or self._seen & {"CREATING", "CREATE_QUEUING"}:
                return _CREATE_FLOW
            return _START_FLOW
        return ()

    def _steps_html(self, instance: Instance | None, status: str) -> str:
        if self.deleted:
            return '<span class="nb-devenv-step-deleted">the instance was deleted</span>'
        if instance is None:
            return ""
        if status in FAILED:
            reasons = instance.failed_reasons or {}
            code = reasons.get("code")
            text = f'✗ {esc(status)}: {esc(reasons.get("message") or "no reason given")}'
            if code:
                text += f" [{esc(code)}]"
            details = reasons.get("detail") or {}
            if isinstance(details, dict) and details:
                text += "<br>" + "; ".join(f"{esc(k)}: {esc(v)}" for k, v in details.items())
            return f'<span class="nb-devenv-failed-reason" style="color:#cf222e">{text}</span>'
        step = _STEP_OF.get(status, status)
        flow = self._flow(step)
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

    def _details_html(self, instance: Instance | None) -> str:
        if instance is None:
            return ""
        items = [f"flavor <code>{esc(instance.flavor)}</code>",
                 f"storage {esc(instance.storage.describe())}"]
        if instance.profile_id:
            items.append(f"profile {esc(instance.profile_id)}")
        age = instance.age_seconds()
        if age is not None:
            items.append(f'created <span class="nb-devenv-age">{format_duration(age, "age")}</span> ago')
        if instance.auto_stop.enable and instance.auto_stop.duration:
            items.append(f"auto-stop after {format_duration(instance.auto_stop.duration, 'short')} of running")
        elif not instance.auto_stop.enable:
            items.append("auto-stop off")
        return '<span style="color:#57606a">' + " · ".join(items) + "</span>"

    @staticmethod
    def _local_stop_time(instance: Instance) -> str:
        # stop_timestamp is on the server's clock; shift it by the known skew to our wall clock
        offset = getattr(instance.clock, "offset_ms", 0) or 0
        moment = datetime.fromtimestamp((instance.auto_stop.stop_timestamp - offset) / 1000).astimezone()
        return moment.strftime("%H:%M:%S")

    def _render_countdown(self, instance: Instance | None) -> None:
        left = None if (instance is None or self.deleted) else instance.remain_time
        self.remaining = left
        if left is not None:
            duration = instance.auto_stop.duration or 0
            at = self._local_stop_time(instance)
            self._countdown.value = (
                f'auto-stop in <b class="nb-devenv-countdown-value" style="font-family:monospace">'
                f'{format_duration(left)}</b> · stops at {at} (local time)')
            self._bar.max = float(max(duration, left, 1))
            # the bar is 240 px wide: move it only when that shows, not every second
            step = self._bar.max / 240
            self._bar.value = float(round(left / step) * step)
            warn = left < WARN_BELOW
            self._bar.bar_style = "warning" if warn else "success"
            self._warning.value = (
                f'<span style="color:#9a6700;font-weight:600">⚠ less than {WARN_BELOW // 60} minutes left: '
                f'the instance stops at {at}. Save your work.</span>' if warn else "")
            _hidden(self._bar, False)
            _hidden(self._warning, not warn)
            _hidden(self._countdown_row, False)
        elif instance is not None and not self.deleted and instance.status == "RUNNING" and not instance.auto_stop.enable:
            self._countdown.value = "auto-stop off: it runs until you stop it"
            self._warning.value = ""
            _hidden(self._bar, True)
            _hidden(self._warning, True)
            _hidden(self._countdown_row, False)
        else:
            self._countdown.value = ""
            self._warning.value = ""
            _hidden(self._countdown_row, True)
