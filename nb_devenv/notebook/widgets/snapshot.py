"""What a widget's output keeps for a reader without a kernel: a static HTML snapshot of its
last state, beside the live view.

A live widget's output holds only ``application/vnd.jupyter.widget-view+json``, a reference to a
model that lives in the kernel. Reopened without that kernel, JupyterLab says "Error displaying
widget: model not found", and GitHub, nbviewer and ``jupyter nbconvert --to html`` (which skip a
view whose state was not saved) show nothing. So the widgets here put ``text/html`` (and
``text/plain``) into the same output: front ends that cannot show the widget show the
snapshot, with the facts of its last state, when it was taken, and the line
"run ``%devenv get ID`` to re-attach". That is nbconvert and what builds on it, and JupyterLab
or Notebook 7 with a notebook they do not trust (the widget renderer is not used there). In a
trusted notebook (one the user saved) JupyterLab's widget renderer is chosen and has no
fallback: it still says "model not found".

Keeping it current
------------------
The widget shows itself through ``_ipython_display_`` with a ``display_id`` of its own, and sends
``update_display_data`` for that id when its snapshot changes:

* **when its state settles** (a stable status, a deadline, an action's message; never a tick:
  the snapshot has no countdown, only the local stop time), so JupyterLab and Notebook 7 keep
  the output current and save it as it is. Not for each step of a transition: JupyterLab's
  widget renderer makes a new view of the model for each new bundle (the old one stays behind,
  detached), so updates are kept few;
* **at the end of every cell** (IPython's ``post_run_cell``) and when
  :func:`~nb_devenv.notebook.widgets.wait` ends, if it changed since: a background update is
  tagged with the cell that started the watcher, and nbclient (papermill, ``jupyter execute``)
  records only the messages of the cell it runs; the end-of-cell one is the running cell's.

The snapshot holds no secret: the Open link (with the instance's token) never goes into it.
"""

from __future__ import annotations

import uuid
import weakref
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nb_devenv.contract import format_duration

from ..watch import ui_lock
from ._html import MUTED, esc

if TYPE_CHECKING:
    from nb_devenv.client._models import Instance

__all__ = ["SnapshotDisplay", "reattach_line", "refresh_all", "SNAPSHOT_CLASS", "forget_all", "status_body"]

#: the CSS class of a snapshot's outer element (what tests and readers find)
SNAPSHOT_CLASS = "nb-devenv-snapshot"

_SHOWN: "weakref.WeakSet[SnapshotDisplay]" = weakref.WeakSet()
_HOOKED: list[Any] = []  # the shell whose post_run_cell refreshes the snapshots (at most one)


def reattach_line(instance_id: str) -> str:
    """The hint under a snapshot: how to get the live widget back (HTML, the command as code)."""
    return f"run <code>%devenv get {esc(instance_id)}</code> to re-attach"


def taken_at() -> str:
    """When a snapshot was taken, in local time (with the date: a notebook is read days later)."""
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()


def wrap(body: str, footer: str) -> str:
    """A snapshot: ``body`` (the state) and a grey ``footer`` line, in one block."""
    return (f'<div class="{SNAPSHOT_CLASS}">{body}'
            f'<div style="color:{MUTED}">{footer}</div></div>')


def _local(timestamp_ms: int) -> str:
    return datetime.fromtimestamp(timestamp_ms / 1000).astimezone().strftime("%Y-%m-%d %H:%M")


def status_body(instance_id: str, instance: "Instance | None", *, deleted: bool, message: str = "",
                problems: tuple[str, ...] = ()) -> str:
    """The facts of a status widget's state that stay true when read later: name, id, status,
    flavor, storage, image or profile, when it was created, the auto-stop setting and the local
    time it stops at (not a countdown), the last action's message and any error."""
    from . import status_view as view

    status = view.shown_status(instance, deleted=deleted)
    lines = [f"{view.title_html(instance_id, instance)} {view.status_pill(status, deleted=deleted)}"]
    if instance is not None:
        items = [f"flavor <code>{esc(instance.flavor)}</code>", f"storage {esc(instance.storage.describe())}"]
        if instance.profile_id:
            items.append(f"profile {esc(instance.profile_id)}")
        if instance.image is not None:
            items.append(f"image <code>{esc(instance.image.name)}:{esc(instance.image.tag)}</code>")
        if instance.creation_timestamp:
            items.append(f"created {_local(instance.creation_timestamp)}")
        stop = instance.auto_stop.stop_timestamp
        if deleted:
            pass
        elif instance.status == "RUNNING" and instance.auto_stop.enable and stop:
            items.append(f"auto-stop at {_local(stop)} (local time)")
        elif instance.auto_stop.enable and instance.auto_stop.duration:
            items.append(f"auto-stop after {format_duration(instance.auto_stop.duration, 'short')} of running")
        else:
            items.append("auto-stop off")
        lines.append(f'<span style="color:{MUTED}">' + " · ".join(items) + "</span>")
    if message:
        lines.append(esc(message))
    if problems:
        lines.append(view.problems_html(list(problems)))
    return "".join(f"<div>{line}</div>" for line in lines)


class SnapshotDisplay:
    """Mixin for a widget (before ``widgets.DOMWidget`` in the bases) whose output carries a
    snapshot of its last state (see the module docstring). A subclass says what its state
    looks like (:meth:`snapshot_body`) and how to re-attach (:meth:`snapshot_footer`)."""

    _display_id: str | None = None
    #: what was last sent at all / last sent at a cell's end (their ``snapshot_body``)
    _sent_body: str | None = None
    _sent_in_cell: str | None = None
    #: when the body last changed (the snapshot says "as of" this)
    _taken_at: str = ""
    #: the displayed widget this one is shown inside (a form shows its status widget)
    snapshot_owner: "SnapshotDisplay | None" = None

    def snapshot_body(self) -> str:
        """The state as static HTML (no token, no ticking values)."""
        raise NotImplementedError

    def snapshot_footer(self) -> str:
        """The line under the state: how to get the live widget back (HTML)."""
        raise NotImplementedError

    def snapshot_html(self) -> str:
        """The snapshot as the output's ``text/html`` holds it."""
        body = self.snapshot_body()
        if body != self._sent_body or not self._taken_at:
            self._taken_at = taken_at()
        return wrap(body, f"as of {self._taken_at}; {self.snapshot_footer()}")

    def _snapshot_closed(self) -> bool:
        return getattr(self, "comm", None) is None

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        data: dict[str, Any] | None = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        if data is not None:
            data["text/html"] = self.snapshot_html()
        return data

    def _ipython_display_(self) -> None:
        """Show the widget with its snapshot, under a display id of its own (so it can be updated)."""
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        if bundle is None:
            return
        if self._display_id is None:
            self._display_id = f"nb-devenv-{uuid.uuid4().hex}"
        self._sent_body = self._sent_in_cell = self.snapshot_body()
        _SHOWN.add(self)
        _hook_cells()
        display(bundle, raw=True, display_id=self._display_id)  # type: ignore[no-untyped-call]

    def refresh_snapshot(self, *, cell_end: bool = False) -> bool:
        """Send the snapshot again if it changed since the last time (``cell_end``: since the last
        end-of-cell send). A widget shown inside another has that one refresh instead."""
        if self._display_id is None:
            owner = self.snapshot_owner
            return owner.refresh_snapshot(cell_end=cell_end) if owner is not None else False
        if self._snapshot_closed():
            return False
        body = self.snapshot_body()
        if body == (self._sent_in_cell if cell_end else self._sent_body):
            return False
        from IPython.display import update_display

        bundle = self._repr_mimebundle_()
        if bundle is None:
            return False
        self._sent_body = body
        if cell_end:
            self._sent_in_cell = body
        update_display(bundle, raw=True, display_id=self._display_id)  # type: ignore[no-untyped-call]
        return True


def refresh_all(*_args: Any) -> None:
    """Send each shown widget's snapshot that changed since the last cell ended (the
    ``post_run_cell`` hook: these messages belong to the cell that just ran). Under the
    widgets' lock: the watch thread may be sending a snapshot of the same widget."""
    with ui_lock:
        for widget in list(_SHOWN):
            try:
                widget.refresh_snapshot(cell_end=True)
            except Exception:  # noqa: BLE001 - a cell's end must never fail on a snapshot
                pass


def _hook_cells() -> None:
    """Register :func:`refresh_all` on the running IPython's ``post_run_cell`` (once)."""
    if _HOOKED:
        return
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    shell = get_ipython()
    if shell is not None:
        shell.events.register("post_run_cell", refresh_all)
        _HOOKED.append(shell)


def forget_all() -> None:
    """Stop refreshing snapshots at each cell's end (extension unload)."""
    _SHOWN.clear()
    while _HOOKED:
        shell = _HOOKED.pop()
        try:
            shell.events.unregister("post_run_cell", refresh_all)
        except ValueError:
            pass
