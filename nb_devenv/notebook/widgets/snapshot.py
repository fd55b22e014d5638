"""What a widget's output keeps for a reader without a kernel: a static HTML snapshot of its
last state, in an output of its own under the live view.

A live widget's output holds only ``application/vnd.jupyter.widget-view+json``, a reference to a
model that lives in the kernel. Reopened without that kernel, JupyterLab says "Error displaying
widget: model not found", and GitHub, nbviewer and ``jupyter nbconvert --to html`` (which skip a
view whose state was not saved) show nothing. So a widget here is shown as TWO outputs:

1. the widget view alone, as ipywidgets displays it, with a ``text/plain`` that holds no state
   (never updated: JupyterLab would build a new view of the model for each new bundle);
2. the snapshot: ``text/html`` (and ``text/plain``) only, with the facts of the last state,
   when it was taken, and the line "run ``%devenv get ID`` to re-attach", displayed under a
   ``display_id`` of the widget's own.

Every front end shows output 2, as any HTML output: nbconvert and what builds on it (GitHub,
nbviewer), JupyterLab and Notebook 7 with a trusted notebook (the user's own, reopened: under
"model not found") or an untrusted one. While the live widget is rendered it would repeat what
the widget shows, so the widget's stylesheet (``STYLE`` in ``_html.py``, present in the page only
while a widget is rendered) hides the output holding a snapshot that directly follows an output
holding a live widget (class ``nb-devenv-live``, which a snapshot never carries). Without a
kernel there is no live view and no stylesheet: the snapshot shows.

Keeping it current
------------------
The widget sends ``update_display_data`` for output 2's id when its snapshot changes:

* **when its state settles** (a stable status, a deadline, an action's message; never a tick:
  the snapshot has no countdown, only the local stop time), so JupyterLab and Notebook 7 keep
  the output current and save it as it is. Not for each step of a transition: updates are kept
  few;
* **at the end of every cell** (IPython's ``post_run_cell``) and when
  :func:`~nb_devenv.notebook.widgets.wait` ends, if it changed since: a background update is
  tagged with the cell that started the watcher, and nbclient (papermill, ``jupyter execute``)
  records only the messages of the cell it runs; the end-of-cell one is the running cell's.

The snapshot holds no secret: the Open link (with the instance's token) never goes into it.
"""

from __future__ import annotations

import html
import re
import uuid
import weakref
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nb_devenv.contract import format_duration

from ..watch import ui_lock
from ._html import MUTED, esc

if TYPE_CHECKING:
    from nb_devenv.client._models import Instance

__all__ = ["SnapshotDisplay", "reattach_line", "refresh_all", "SNAPSHOT_CLASS", "LIVE_CLASS", "forget_all",
           "status_body", "as_text"]

#: the CSS class of a snapshot's outer element (what tests, readers and the hiding rule find)
SNAPSHOT_CLASS = "nb-devenv-snapshot"
#: the CSS class of a displayed live widget (the form, the status widget): the output after one
#: that holds it, if it holds a snapshot, is hidden while the widget is rendered
LIVE_CLASS = "nb-devenv-live"

_SHOWN: "weakref.WeakSet[SnapshotDisplay]" = weakref.WeakSet()
_HOOKED: list[Any] = []  # the shell whose post_run_cell refreshes the snapshots (at most one)


def reattach_line(instance_id: str) -> str:
    """The hint under a snapshot: how to get the live widget back (HTML, the command as code)."""
    return f"run <code>%devenv get {esc(instance_id)}</code> to re-attach"


def as_text(markup: str) -> str:
    """HTML as the words a reader sees (tags dropped, entities decoded, spaces collapsed)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


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
        """The snapshot as its output's ``text/html`` holds it."""
        body = self.snapshot_body()
        if body != self._sent_body or not self._taken_at:
            self._taken_at = taken_at()
        return wrap(body, f"as of {self._taken_at}; {self.snapshot_footer()}")

    def snapshot_bundle(self) -> dict[str, str]:
        """The snapshot output's data: the HTML, and as text the widget's line (its ``repr``,
        which says the state) with the footer (what a terminal or a text export shows)."""
        html_text = self.snapshot_html()
        return {"text/html": html_text,
                "text/plain": f"{self!r}\n({as_text(f'as of {self._taken_at}; {self.snapshot_footer()}')})"}

    def _snapshot_closed(self) -> bool:
        return getattr(self, "comm", None) is None

    def _ipython_display_(self) -> None:
        """Show the live view (ipywidgets' own bundle), then the snapshot in an output of its
        own under a display id of its own (so it alone can be updated)."""
        from IPython.display import display

        view = self._repr_mimebundle_()  # type: ignore[attr-defined]  # the widget's (ipywidgets)
        if view is None:
            return
        if self._display_id is None:
            self._display_id = f"nb-devenv-{uuid.uuid4().hex}"
        self._sent_body = self._sent_in_cell = self.snapshot_body()
        _SHOWN.add(self)
        _hook_cells()
        # its text (what GitHub or an untrusted notebook show instead of the view) is never
        # updated, so it holds no state: the snapshot below says that
        view["text/plain"] = f"{type(self).__name__} (a widget; its last state is in the next output)"
        display(view, raw=True)  # type: ignore[no-untyped-call]
        display(self.snapshot_bundle(), raw=True, display_id=self._display_id)  # type: ignore[no-untyped-call]

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

        bundle = self.snapshot_bundle()
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
