"""The live status widget of one instance, of either API.

It shows name, id, flavor, storage, the status (a coloured badge; CSS class per status family),
the lifecycle step, failure reasons, the time since creation and, while the instance runs with
auto-stop on, a countdown with a bar and the local time at which it will stop (a warning below
ten minutes: badge, border and digits turn amber, red in the last minute). A transition's badge
turns and shows how long it has lasted. Stop / Start / Delete are enabled only when the
instance's API's rules (:func:`nb_devenv.contract.can`, :func:`nb_devenv.contract.notebooks.can`)
allow them; a disabled button's tooltip says why. Delete asks first, in place, saying what
happens to the storage; once the instance is deleted one line says so and the buttons go. An
action's message belongs to the status it describes and goes when the status changes.

The lease row: a running Notebook API instance has **Extend** buttons (+1 h, +4 h) that renew
its lease through ``client.extend`` (errors show on the widget's error line); a running old-API
instance has a note instead: its deadline cannot move while it runs, only the next start's
duration can (``%devenv update ID --auto-stop …``).

How it is made
--------------
Small parts, composed: what to show is computed by the pure functions of :mod:`.status_view`;
the countdown row, the lease row and the action buttons are the widgets of
:mod:`.status_parts`; the Open button with its link is an :class:`~.open_link.OpenLink`; the
futures behind :meth:`reached`
(which :func:`~nb_devenv.notebook.widgets.wait` awaits) are :class:`~.status_waiters.Waiters`.
This class holds the snapshot, runs the actions and puts the views into the parts.

How it stays current
--------------------
The widget subscribes to the kernel's shared :class:`~nb_devenv.notebook.watch.KernelHub` (see
:mod:`nb_devenv.notebook.widgets.runtime`): one list request per poll for every widget of the kernel,
fast during transitions, slow when stable, and a 1-second tick without any request that
recomputes the countdown from ``stop_timestamp`` and the clock (never a local decrement). All
trait changes of one update go out inside ``hold_sync()``. ``close()`` unsubscribes and cancels
the widget's tasks before closing; a deleted instance shows DELETED and stops being polled.

The polls and the ticks run on the kernel's watch thread (:mod:`nb_devenv.notebook.watch`), so
the widget stays live while a cell blocks (``time.sleep``, heavy CPU, a ``--wait``). Its
callbacks come from that thread and its buttons' work runs on the kernel's loop: everything
that changes the widget's state holds :data:`~nb_devenv.notebook.watch.ui_lock`, so the two
never interleave. A tick that moves nothing sends nothing; one that moves only the countdown's
digits sends only them (with many widgets, the hub ticks them in turn: ``TICK_BUDGET``).

After an auto-stop the widget says "stopped by auto-stop at HH:MM" (:mod:`.stop_reason`: the
API records no reason, so it is told from what the widget saw happen).

The instance's access token
---------------------------
It is fetched only when the user clicks **Open**, and the link that carries it leaves the page
after :data:`LINK_TTL` seconds (:mod:`.open_link` says why). The link also goes when the
instance leaves RUNNING, when the widget closes or the extension is unloaded, and before
:func:`nb_devenv.notebook.widgets.wait` re-sends the widget state. The token is never part of
``repr()``, the text fallback, the message line or a log line.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import TYPE_CHECKING, Any, Coroutine, Iterable

import ipywidgets as widgets
from traitlets import Bool, Int, Unicode

from nb_devenv.client._exceptions import NotFoundError
from nb_devenv.client._models import Instance
from nb_devenv.core.clock import Clock

from ..watch import Hub, Subscription, ui_lock
from . import runtime
from . import status_view as view
from ._html import (
    STYLE,
    esc,
    family,
    hold_sync_all,
    html_part,
    set_family_class,
    set_hidden,
    set_tone_class,
)
from .open_link import LINK_TTL, OpenLink
from .snapshot import LIVE_CLASS, SnapshotDisplay, reattach_line, status_body
from .status_parts import ActionBar, CountdownRow, LeaseRow
from .status_view import WARN_BELOW
from .status_waiters import Waiters
from .stop_reason import STOPPED_STATES, auto_stop_deadline, auto_stop_note

if TYPE_CHECKING:
    from nb_devenv.client._client import AsyncDevEnvClient

__all__ = ["InstanceStatusWidget", "LINK_TTL", "WARN_BELOW"]

_VERBS = {"stop": "stopping", "start": "starting", "restart": "restarting", "delete": "deleting",
          "extend": "extending"}


def _error_text(error: BaseException) -> str:
    # DevEnvError messages already carry the error code and the request id
    return f"{type(error).__name__}: {error}"


class InstanceStatusWidget(SnapshotDisplay, widgets.VBox):
    """Live status of one instance (see the module docstring).

    Parameters
    ----------
    instance
        An :class:`~nb_devenv.client._models.Instance` snapshot, or just an instance id (the widget
        then shows "loading" until the first poll).
    hub
        The hub to subscribe to (an :class:`~nb_devenv.notebook.watch.InstanceHub` of the running
        loop, or a :class:`~nb_devenv.notebook.watch.KernelHub`); by default the kernel's shared
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
    api
        The API of an instance given by id (default: the settings'); a snapshot says its own.
    """

    instance_id = Unicode("", help="id of the watched instance")
    status = Unicode("", help="last status seen ('DELETED' once deleted)")
    remaining = Int(None, allow_none=True, help="seconds left before auto-stop, or None")
    message = Unicode("", help="result of the last action")
    error = Unicode("", help="error of the last action (shown in red)")
    poll_error = Unicode("", help="why the last poll failed (cleared by the next good one)")
    live = Bool(False, help="subscribed to a hub and receiving updates")
    deleted = Bool(False)
    stop_reason = Unicode("", help="why it stopped, when this widget saw it happen: 'stopped by auto-stop at HH:MM'")

    def __init__(self, instance: Instance | str, *, hub: Hub | None = None,
                 settings: runtime.ClientSettings | None = None, clock: Clock | None = None,
                 watch: bool = True, api: str | None = None, **kwargs: Any) -> None:
        self._hub = hub
        self._settings = settings
        self._clock = clock
        self._instance: Instance | None = None
        self._subscription: Subscription | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._seen: set[str] = set()
        self._busy: str | None = None
        self._closed = False
        self._watch_wanted = watch
        # what the clock-driven parts show now (so a tick that moves nothing costs nothing)
        self._ticked: tuple[object, ...] | None = None
        self._countdown_shown: view.CountdownView | None = None
        self._lease_shown: view.LeaseView | None = None
        self._status_shown: tuple[str, str, str] | None = None
        #: the instance's API: its hub's client speaks it, its rules enable the buttons
        self.api = instance.api if isinstance(instance, Instance) else self.settings.resolved_api(api)

        self._style = html_part("nb-devenv-style", STYLE)
        self._title = html_part("nb-devenv-title")
        self._status_value = html_part("nb-devenv-status-value")
        self._steps = html_part("nb-devenv-steps")
        self._status_row = widgets.HBox([self._status_value, self._steps])
        self._status_row.add_class("nb-devenv-row")
        self._details = html_part("nb-devenv-details")
        self._countdown_row = CountdownRow()
        self._open_link = OpenLink(self._token, spawn=lambda work: self._spawn(work, "open"),
                                   on_error=self._show_error)
        self._lease_row = LeaseRow(self._click_extend)
        self._actions = ActionBar()
        # Open beside the action buttons, not alone on a row
        self._action_row = widgets.HBox([self._open_link, self._actions])
        self._open_link.add_class("nb-devenv-row")
        self._action_row.add_class("nb-devenv-row")
        self._action_row.add_class("nb-devenv-actions")
        self._message_html = html_part("nb-devenv-message")
        self._error_html = html_part("nb-devenv-error")
        #: the statuses the current message describes (it goes when the status is none of them)
        self._message_for: frozenset[str] = frozenset()
        super().__init__(children=[self._style, self._title, self._status_row, self._details,
                                   self._countdown_row, self._lease_row, self._action_row,
                                   self._message_html, self._error_html], **kwargs)
        self.add_class("nb-devenv-status")
        self.add_class(LIVE_CLASS)  # its snapshot's output is hidden while it is rendered

        self._actions.stop_button.on_click(lambda _b: self._click("stop"))
        self._actions.start_button.on_click(lambda _b: self._click("start"))
        self._actions.delete_button.on_click(lambda _b: self.ask_delete())
        self._actions.confirm_button.on_click(lambda _b: self._confirm_delete())
        self._actions.cancel_button.on_click(lambda _b: self.cancel_delete())
        self._actions.refresh_button.on_click(lambda _b: self._spawn(self.refresh(), "refresh"))
        self._open_link.observe(self._link_changed, names="shown")

        if isinstance(instance, Instance):
            self.instance_id = instance.id
            self._apply(instance)
        else:
            self.instance_id = str(instance)
        self._waiters = Waiters(self.instance_id)
        runtime.register(self)
        if watch:
            self.start()
        self._render()

    # -- public --------------------------------------------------------------------------------

    @property
    def settings(self) -> runtime.ClientSettings:
        """The connection and timing settings this widget uses (the magics pass theirs)."""
        return self._settings or runtime.ClientSettings()

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
            hub = self._hub or runtime.hub_for(self._settings, self.api)
        except RuntimeError:
            self.live = False
            self._render()
            return False
        with ui_lock:
            self._hub = hub
            self.live = True
            self._subscription = hub.subscribe(Subscription(
                self.instance_id, on_update=self.update, on_gone=self.mark_deleted,
                on_error=self.show_poll_error, on_tick=self.tick))
        return True

    def update(self, instance: Instance) -> None:
        """A new snapshot of the instance (the hub calls this after each poll)."""
        with ui_lock:
            self._update(instance)

    def _update(self, instance: Instance) -> None:
        if self._closed or self.deleted or instance.id != self.instance_id:
            return
        current = self._instance
        if (current is not None and current.latest_update_timestamp and instance.latest_update_timestamp
                and instance.latest_update_timestamp < current.latest_update_timestamp):
            return  # an older snapshot (e.g. a cached one) must not move the display back
        unchanged = current is not None and not self.poll_error and current.state_key() == instance.state_key()
        self._apply(instance)
        self._note_stop_reason(current, self._instance or instance)
        if unchanged:  # the usual poll of a stable instance: only the clock-driven parts move
            self.tick()
            return
        self.poll_error = ""
        self._render()
        self._resolve_waiters()

    def tick(self) -> None:
        """Recompute what the clock moves — the countdown, its bar, the age — and nothing else
        (no request; only changed values reach the front end: about one message a second).

        Kept cheap, as it runs each second for every widget of the kernel: nothing is recomputed
        while the second shown, a transition's elapsed time and the age's minute are those of
        the last tick, and only the countdown's text is set when only its digits moved."""
        with ui_lock:
            instance = self._instance
            if self._closed or instance is None:
                return
            minute = (id(instance), self.deleted, (instance.age_seconds() or 0) // 60)
            key = (minute, self._busy, instance.remain_time, view.transition_elapsed(instance))
            if key == self._ticked:
                return
            if self._ticked is None or self._ticked[0] != minute:  # the age moves once a minute
                details = view.details_html(instance)
                if details != self._details.value:
                    self._details.value = details
            self._ticked = key
            self._show_countdown(instance)
            status = view.shown_status(instance, deleted=self.deleted)
            if (status, view.tone(status, self.remaining), key[3]) != self._status_shown:
                with self._status_value.hold_sync(), self.hold_sync():
                    self._show_status(instance)  # the tone follows the time left, a transition's time runs
            self._show_lease(instance)

    def mark_deleted(self) -> None:
        """The instance is gone: say so, stop polling, disable the buttons."""
        with ui_lock:
            if self._closed:
                return
            self.deleted = True
            self.status = "DELETED"
            self.poll_error = ""
            self.stop_reason = ""  # the steps line says what happened last
            self._actions.ask("")
            self.hide_link()
            self._unsubscribe()
            self._render()
            self._resolve_waiters()

    def show_poll_error(self, error: BaseException) -> None:
        """A poll failed; shown until the next successful one (the hub keeps trying)."""
        with ui_lock:
            if not self._closed:
                self.poll_error = f"could not refresh, retrying: {_error_text(error)}"
                self._render()

    def hide_link(self) -> None:
        """Take the token-bearing Open link out of the page (before any state is re-sent)."""
        with ui_lock:
            self._open_link.hide()

    @property
    def link_shown(self) -> bool:
        """Whether the token-bearing Open link is currently in the page."""
        return self._open_link.shown

    async def catch_up(self) -> None:
        """Judge by now, not by an old snapshot: subscribe if this widget should be live but is
        not (made where no loop ran), fetch a fresh snapshot, and have the hub look fast."""
        if self._watch_wanted and not self.live and not self.deleted:
            self.start()  # a watch=False widget is fed by its owner
        if self.live and not self.deleted:
            await self.refresh(announce=False)
        if self._hub is not None:
            self._hub.poke()

    def reached(self, statuses: Iterable[str]) -> asyncio.Future[Instance | None]:
        """A future of the snapshot in which the instance has one of ``statuses`` (``"DELETED"``
        waits for its deletion). It fails with InstanceFailedError when the instance fails,
        NotFoundError when it is deleted instead, DevEnvError when the widget is closed."""
        with ui_lock:
            future = self._waiters.add(statuses)
            self._resolve_waiters()
        return future

    async def refresh(self, *, announce: bool = True) -> None:
        """Fetch a fresh snapshot now instead of at the next poll (the Refresh button; after a
        clock move; also :meth:`catch_up`, before :func:`~nb_devenv.notebook.widgets.wait` waits)."""
        with ui_lock:
            self.error = ""
        try:
            instance = await self._client().get(self.instance_id)
        except NotFoundError:
            self.mark_deleted()
            return
        except Exception as error:  # noqa: BLE001
            with ui_lock:
                self.error = _error_text(error)
                self._render()
            return
        with ui_lock:
            self._update(instance)
            if announce:
                self._say(f"refreshed at {time.strftime('%H:%M:%S')}")
            self._render()

    def close(self) -> None:
        """Stop watching, cancel this widget's tasks, then close it and its parts."""
        with ui_lock:
            if self._closed:
                return
            self._closed = True
            self.hide_link()
            self._unsubscribe()
            for task in list(self._tasks):
                task.cancel()
            self._tasks.clear()
            self._resolve_waiters()
            for part in self._parts():
                part.close()
            super().close()

    @property
    def buttons(self) -> dict[str, widgets.Button]:
        """The action buttons by description: Stop, Start, Delete, Refresh, Open."""
        return {**self._actions.buttons, "Open": self._open_link.button}

    @property
    def confirm_buttons(self) -> dict[str, widgets.Button]:
        """The buttons of the delete question by description: "Confirm delete", "Cancel" (shown
        after a click on Delete)."""
        return {b.description: b for b in (self._actions.confirm_button, self._actions.cancel_button)}

    @property
    def extend_buttons(self) -> dict[str, widgets.Button]:
        """The lease's Extend buttons by description: "+1 h", "+4 h" (shown for a running
        Notebook API instance)."""
        return self._lease_row.buttons

    @property
    def parts(self) -> dict[str, widgets.DOMWidget]:
        """The display parts by role (for tests and for embedding them elsewhere)."""
        row = self._countdown_row
        return {"title": self._title, "status": self._status_value, "steps": self._steps,
                "details": self._details, "countdown": row.countdown, "bar": row.bar,
                "warning": row.warning, "link": self._open_link.link, "message": self._message_html,
                "error": self._error_html, "countdown_row": row, "open_row": self._open_link,
                "lease": self._lease_row, "lease_note": self._lease_row.note, "extend": self._lease_row.extend_box,
                "actions": self._action_row, "confirm": self._actions.confirm_box,
                "question": self._actions.question}

    def all_widgets(self) -> list[widgets.Widget]:
        """This widget, its parts, and their layouts and styles (what :func:`wait` re-sends)."""
        found: list[widgets.Widget] = []
        for w in (self, *self._parts()):
            found.append(w)
            for sub in (getattr(w, "layout", None), getattr(w, "style", None)):
                if isinstance(sub, widgets.Widget):
                    found.append(sub)
        return found

    def __repr__(self) -> str:
        return view.text_line(self.instance_id, self._instance, status=self.status, deleted=self.deleted)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        data: dict[str, Any] | None = super()._repr_mimebundle_(**kwargs)
        if data:
            data["text/plain"] = repr(self)  # the full line, not ipywidgets' 110-char cut
        return data

    def snapshot_body(self) -> str:
        """The state a saved notebook shows without a kernel (no token, no countdown)."""
        return status_body(self.instance_id, self._instance, deleted=self.deleted, message=self.message,
                           problems=(self.error,) if self.error else ())

    def snapshot_footer(self) -> str:
        return reattach_line(self.instance_id)

    # -- the snapshot ------------------------------------------------------------------------------

    def _apply(self, instance: Instance) -> None:
        if self._clock is not None:
            instance = dataclasses.replace(instance, clock=self._clock)
        self._instance = instance
        self._seen.add(instance.status)
        self.status = instance.status
        self._open_link.follow(instance)

    def _note_stop_reason(self, previous: Instance | None, instance: Instance) -> None:
        """Say "stopped by auto-stop at HH:MM" when this widget saw it happen (the server does
        not record why; :mod:`.stop_reason` infers it); forget it once the instance moves on."""
        deadline = auto_stop_deadline(previous, instance)
        if deadline is not None:
            self.stop_reason = auto_stop_note(deadline, instance)
        elif instance.status not in STOPPED_STATES:
            self.stop_reason = ""

    def _resolve_waiters(self) -> None:
        self._waiters.settle(self._instance, deleted=self.deleted, closed=self._closed)

    def _unsubscribe(self) -> None:
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            subscription.close()
        self.live = False

    # -- actions ----------------------------------------------------------------------------------

    def _client(self) -> AsyncDevEnvClient:
        if self._hub is None:
            self._hub = runtime.hub_for(self._settings, self.api)  # RuntimeError without a running loop
        return self._hub.client

    def _spawn(self, coro: Coroutine[Any, Any, None], what: str) -> asyncio.Task[None] | None:
        """Run a button's work on the kernel loop, keeping a strong reference to the task."""
        if self._closed:
            coro.close()
            return None
        try:
            task: asyncio.Task[None] = runtime.spawn(coro, name=f"nb_devenv-{what}-{self.instance_id}")
        except RuntimeError:
            self.error = (f"{what} needs a running event loop (a Jupyter kernel); "
                          f"use %devenv {what} {self.instance_id} instead")
            self._render()
            return None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _click(self, op: str, work: Coroutine[Any, Any, None] | None = None) -> None:
        """Stop / Start / Delete / Extend: busy at once (no double submit), the work in a task."""
        with ui_lock:
            if self._busy is not None or self._closed:
                if work is not None:
                    work.close()
                return
            if self._spawn(work or self._act(op), op) is None:
                return
            self._begin(op)

    def _begin(self, op: str) -> None:
        with ui_lock:
            name = self._instance.name if self._instance else self.instance_id
            self._busy = op
            self.error = ""
            self._say(f"{_VERBS[op]} {name}…")
            self._render()

    def _say(self, message: str, *also: str) -> None:
        """Show ``message`` as long as the status is the one shown now (or one of ``also``)."""
        with ui_lock:
            self.message = message
            self._message_for = frozenset({self.status, *also})

    def ask_delete(self) -> None:
        """What Delete does: ask in place, saying what happens to the storage (Confirm delete /
        Cancel); nothing is deleted yet."""
        with ui_lock:
            if self._busy is not None or self._closed or self.deleted:
                return
            self._actions.ask(view.delete_question(self._instance, self.instance_id))

    def cancel_delete(self) -> None:
        """Cancel: put the buttons back, the instance stays."""
        with ui_lock:
            self._actions.ask("")

    def _confirm_delete(self) -> None:
        with ui_lock:
            self._actions.ask("")
            self._click("delete")

    def _click_extend(self, seconds: int) -> None:
        self._click("extend", self._extend(seconds))

    async def extend(self, seconds: int) -> None:
        """What the Extend buttons do (``+1 h`` is ``extend(3600)``): renew the Notebook API
        instance's lease so it runs ``seconds`` longer, then show the new deadline; an error
        goes to the widget's error line. Nothing happens while another action runs."""
        with ui_lock:
            if self._busy is not None or self._closed:
                return
            self._begin("extend")
        await self._extend(seconds)

    async def _extend(self, seconds: int) -> None:
        """Renew the lease so the instance runs ``seconds`` longer, then show the new deadline."""
        try:
            client = self._client()
            lease = await client.extend(self.instance_id, seconds)
            stops = f" (it stops at {view.local_stop_time(lease.deadline_ms, client.clock)})" if lease.deadline_ms else ""
            self.update(await client.get(self.instance_id))  # the countdown moves at once
            self._say(f"extended by {seconds // 3600} h{stops}")
            if self._hub is not None:
                self._hub.poke()
        except NotFoundError:
            self.mark_deleted()
        except Exception as error:  # noqa: BLE001 - shown in the widget: callback output is invisible
            with ui_lock:
                self.error = _error_text(error)
        finally:
            with ui_lock:
                self._busy = None
                if not self._closed:
                    self._render()

    async def _act(self, op: str) -> None:
        try:
            client = self._client()
            if op == "delete":
                await client.delete(self.instance_id)
                self.mark_deleted()  # the steps line says so: no message beside it
                return
            result = await client.action(self.instance_id, op)
            self.update(await client.get(self.instance_id))  # show the new status at once
            self._say(f"{op}: {result.transition()}", result.current_status)
            if self._hub is not None:
                self._hub.poke()  # and poll fast while it moves
        except NotFoundError:
            self.mark_deleted()
        except Exception as error:  # noqa: BLE001 - shown in the widget: callback output is invisible
            with ui_lock:
                self.error = _error_text(error)
        finally:
            with ui_lock:
                self._busy = None
                if not self._closed:
                    self._render()

    async def _token(self) -> str:
        """The access token, for the Open link only (a click there also clears the last error)."""
        with ui_lock:
            self.error = ""
        return await self._client().token(self.instance_id)

    def _show_error(self, error: BaseException) -> None:
        with ui_lock:
            self.error = _error_text(error)
            self._render()

    def _link_changed(self, change: dict[str, Any]) -> None:
        if change["new"]:  # the link appeared: show the error line cleared by the click
            self._render()

    # -- display ------------------------------------------------------------------------------------

    def _parts(self) -> list[widgets.DOMWidget]:
        return [self._style, self._title, self._status_row, self._status_value, self._steps, self._details,
                *self._countdown_row.all_widgets(), *self._lease_row.all_widgets(), self._action_row,
                *self._open_link.all_widgets(), *self._actions.all_widgets(), self._message_html, self._error_html]

    def _live_note(self) -> str:
        if self.live or self.deleted or not self._watch_wanted:
            return ""
        return view.live_note_html(self.instance_id, after_message=bool(self.message or self.stop_reason))

    def _show_countdown(self, instance: Instance | None) -> None:
        countdown = view.countdown_view(instance, deleted=self.deleted)
        if self.remaining != countdown.remaining:
            self.remaining = countdown.remaining
        shown, self._countdown_shown = self._countdown_shown, countdown
        row = self._countdown_row
        if shown is not None and dataclasses.replace(shown, remaining=countdown.remaining,
                                                     text=countdown.text) == countdown and countdown.text:
            if row.countdown.value != countdown.text:  # only the digits moved: one small message
                row.countdown.value = countdown.text
            return
        with row.hold_sync(), row.countdown.hold_sync(), row.bar.hold_sync(), row.warning.hold_sync():
            row.show(countdown)

    def _show_status(self, instance: Instance | None) -> None:
        """The badge and the border: coloured by the status and the time left; a transition's
        badge with the time it has lasted."""
        status = view.shown_status(instance, deleted=self.deleted)
        tone, elapsed = view.tone(status, self.remaining), view.transition_elapsed(instance)
        self._status_shown = (status, tone, elapsed)
        set_tone_class(self, tone)
        self._status_value.value = view.status_pill(status, deleted=self.deleted, remaining=self.remaining,
                                                    elapsed=elapsed)

    def _show_lease(self, instance: Instance | None) -> None:
        lease = view.lease_view(instance, deleted=self.deleted, idle=self._busy is None)
        if lease != self._lease_shown:
            self._lease_shown = lease
            self._lease_row.show(lease)

    def _render(self) -> None:
        """Set every part from the current snapshot, the flags and the clock (pure display)."""
        with ui_lock:
            if not self._closed:
                self._render_parts()

    def _render_parts(self) -> None:
        instance = self._instance
        with hold_sync_all(self.all_widgets()):
            status = view.shown_status(instance, deleted=self.deleted)
            if self.message and status not in self._message_for:
                self.message = ""  # it described a status that is gone
            set_family_class(self, status)
            set_family_class(self._status_value, status)
            self._title.value = view.title_html(self.instance_id, instance)
            self._steps.value = view.steps_html(instance, status, deleted=self.deleted, seen=self._seen)
            self._details.value = view.details_html(instance)
            self._show_countdown(instance)
            self._show_status(instance)
            self._show_lease(instance)
            running = bool(instance and not self.deleted and instance.status == "RUNNING" and instance.url)
            self._open_link.offer(running, enabled=self._busy is None)
            self._actions.enable(status, busy=self._busy, deleted=self.deleted, api=self.api)
            if self._actions.asking and self._actions.delete_button.disabled:
                self._actions.ask("")  # the status moved on: a delete is no longer possible
            set_hidden(self._action_row, self.deleted)
            said = [esc(text) for text in (self.stop_reason, self.message) if text]
            self._message_html.value = " · ".join(said) + self._live_note()
            set_hidden(self._message_html, not self._message_html.value)
            problems = [p for p in (self.error, self.poll_error) if p]
            self._error_html.value = view.problems_html(problems)
            set_hidden(self._error_html, not problems)
            settled = family(status) != "transition"
        if settled:  # the output's static copy (each update makes JupyterLab re-create the view)
            self.refresh_snapshot()
