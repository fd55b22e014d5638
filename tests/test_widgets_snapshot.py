"""The static snapshot under a widget's live view, in an output of its own (what a saved notebook
shows without a kernel).

The widgets are shown through IPython's own display machinery (``capture_output`` records what a
kernel would publish: the bundle, its display id, and each ``update_display_data``). Executing a
tutorial with nbclient and reading the saved notebook is in test_notebooks.py.
"""

from __future__ import annotations

import re

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display
from IPython.utils.capture import capture_output
from test_widgets_notebooks import notebook
from test_widgets_status import snapshot

from nb_devenv.core.clock import ManualClock
from nb_devenv.notebook.widgets import CreateForm, InstanceStatusWidget
from nb_devenv.notebook.widgets._html import STYLE
from nb_devenv.notebook.widgets.open_link import link_html
from nb_devenv.notebook.widgets.snapshot import LIVE_CLASS, SNAPSHOT_CLASS, refresh_all

pytestmark = pytest.mark.usefixtures("no_default_server", "closed_widgets")

VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(autouse=True)
def shell():
    """An IPython shell for display() to publish through (the one a kernel would have)."""
    return InteractiveShell.instance()


def text(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))


def test_the_view_and_the_snapshot_are_two_outputs_the_snapshot_alone_has_an_id(clock):
    w = InstanceStatusWidget(snapshot(clock, "RUNNING", stop_in=3600), clock=clock, watch=False)
    with capture_output() as shown:
        display(w)
    view, snap = shown.outputs
    assert view.data[VIEW]["model_id"] == w.model_id and set(view.data) == {VIEW, "text/plain"}
    assert "RUNNING" not in view.data["text/plain"]  # never updated, so it says no state
    assert "display_id" not in (view.transient or {})  # the view is never sent again
    assert set(snap.data) == {"text/html", "text/plain"}
    html = snap.data["text/html"]
    assert SNAPSHOT_CLASS in html and "run %devenv get DE-1 to re-attach" in text(html)
    assert "demo" in html and "RUNNING" in html and "auto-stop at " in html and "(local time)" in html
    assert snap.data["text/plain"].startswith(repr(w)) and "run %devenv get DE-1 to re-attach" in snap.data["text/plain"]
    assert snap.transient["display_id"]  # so the snapshot can be brought up to date
    # the live widget carries the class the hiding rule looks for; a snapshot never does
    assert LIVE_CLASS in w._dom_classes and LIVE_CLASS not in html
    assert f":has(.{LIVE_CLASS}) + .jp-OutputArea-child:has(.{SNAPSHOT_CLASS})" in STYLE


def test_a_settled_change_updates_the_snapshot_a_transition_or_a_tick_does_not(clock):
    w = InstanceStatusWidget(snapshot(clock, "RUNNING", stop_in=3600), clock=clock, watch=False)
    with capture_output() as shown:
        display(w)
        display_id = shown.outputs[1].transient["display_id"]
        clock.advance(5)
        w.tick()  # the countdown moves: the snapshot (a stop time, not a countdown) does not
        w.update(snapshot(clock, "STOPPING"))  # a step of a transition: left to the cell's end
        w.update(snapshot(clock, "STOPPED"))
        w.update(snapshot(clock, "STOPPED"))  # the same state again: nothing to send
        w.mark_deleted()
    updates = shown.outputs[2:]
    assert [u.update for u in updates] == [True, True]
    assert all(u.transient["display_id"] == display_id for u in updates)
    assert "STOPPED" in text(updates[0].data["text/html"])
    last = text(updates[1].data["text/html"])
    assert "DELETED" in last and "auto-stop at" not in last and "run %devenv get DE-1 to re-attach" in last
    assert all(VIEW not in u.data for u in updates)  # the view is left alone (no new view each time)


def test_the_snapshot_never_holds_the_token(clock):
    instance = notebook(clock)
    assert instance.token == "secret-token"
    w = InstanceStatusWidget(instance, clock=clock, watch=False)
    with capture_output() as shown:
        display(w)
        w._open_link.link.value = link_html(instance, "secret-token")  # the Open link, as a click shows it
        w._open_link.shown = True
        w.update(notebook(clock, "STOPPING"))
    assert shown.outputs
    for output in shown.outputs:
        assert "secret-token" not in str(output.data) and "token=" not in str(output.data)


def test_each_cell_end_sends_what_changed_since_the_last_one(clock, shell):
    w = InstanceStatusWidget(snapshot(clock, "RUNNING", stop_in=3600), clock=clock, watch=False)
    with capture_output() as shown:
        display(w)
        refresh_all()  # nothing changed since it was shown
        w.update(snapshot(clock, "STOPPING"))
        refresh_all()  # a cell ends: the transition is sent, from that cell
        refresh_all()
        w.update(snapshot(clock, "STOPPED"))  # sent at once (tagged with the cell that started the watcher)
        refresh_all()  # ...and again at the cell's end, so a notebook runner records it
    assert [o.update for o in shown.outputs] == [False, False, True, True, True]
    assert "STOPPING" in text(shown.outputs[2].data["text/html"])
    assert shown.outputs[3].data["text/html"] == shown.outputs[4].data["text/html"]


def test_an_unsubmitted_form_says_so_and_shows_its_request(shell):
    form = CreateForm(name="draft")
    with capture_output() as shown:
        display(form)
    html = shown.outputs[1].data["text/html"]
    assert LIVE_CLASS in form._dom_classes and LIVE_CLASS not in html
    assert "a create form, not submitted" in html and "draft" in html
    assert "run %devenv create to open a new form" in text(html) and "&quot;name&quot;: &quot;draft&quot;" in html


def test_a_hook_on_each_cell_end_is_registered_once_and_removed_on_unload(shell):
    from nb_devenv.notebook.widgets import runtime

    form = CreateForm(name="x")
    with capture_output():
        display(form)
        display(CreateForm(name="y"))
    hooks = [f for f in shell.events.callbacks["post_run_cell"] if f is refresh_all]
    assert len(hooks) == 1
    runtime.shutdown()
    assert refresh_all not in shell.events.callbacks["post_run_cell"]
