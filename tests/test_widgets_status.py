"""The status widget as a real ipywidget fed with crafted snapshots and a ManualClock.

No server and no hub: the widget is built with ``watch=False`` and driven through
:meth:`update` / :meth:`tick`, as the hub would. The same widget against the real server is
in test_widgets_live.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime

import pytest

from nb_devenv import Instance
from nb_devenv.client._models import Storage
from nb_devenv.contract import STATUSES, can
from nb_devenv.core.clock import ManualClock
from nb_devenv.notebook.widgets import (
    WARN_BELOW,
    InstanceStatusWidget,
    InstanceTable,
    KeyValueView,
    Message,
    status_view,
)

pytestmark = pytest.mark.usefixtures("no_default_server", "closed_widgets")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def snapshot(clock: ManualClock, status: str = "RUNNING", *, stop_in: int | None = 7200, duration: int = 7200,
             enable: bool = True, name: str = "demo", description: str = "", created_ago: int = 300,
             failed_reasons: dict | None = None, updated: int | None = None, instance_id: str = "DE-1") -> Instance:
    now = clock.now_ms()
    auto_stop = {"enable": enable, "duration": duration, "prompt": True}
    if status == "RUNNING" and enable and stop_in is not None:
        auto_stop["stop_timestamp"] = now + stop_in * 1000
    data = {
        "id": instance_id, "name": name, "status": status, "description": description,
        "flavor": "modelarts.vm.cpu.2u", "profile": {"id": "Python3"},
        "creation_timestamp": now - created_ago * 1000, "latest_update_timestamp": updated or now,
        "spec": {"storage": {"type": "EVS", "location": {"volume_size": 5}}, "auto_stop": auto_stop,
                 "annotations": {"url": "http://127.0.0.1:9/lab"} if status == "RUNNING" else {},
                 "failed_reasons": failed_reasons},
        "workspace": {"id": "0"},
    }
    return Instance.from_api(data, clock=clock)


def widget_for(clock, **kwargs) -> InstanceStatusWidget:
    return InstanceStatusWidget(snapshot(clock, **kwargs), clock=clock, watch=False)


def test_shows_the_facts_with_stable_classes(clock):
    w = widget_for(clock)
    assert "nb-devenv-status" in w._dom_classes
    assert "nb-devenv-status-value" in w.parts["status"]._dom_classes
    assert "nb-devenv-countdown" in w.parts["countdown"]._dom_classes
    assert "nb-devenv-open-link" in w.parts["link"]._dom_classes
    assert "nb-devenv-error" in w.parts["error"]._dom_classes
    assert "demo" in w.parts["title"].value and "DE-1" in w.parts["title"].value
    details = w.parts["details"].value
    assert "modelarts.vm.cpu.2u" in details and "EVS 5 GB" in details and "created 5m ago" in details.replace('<span class="nb-devenv-age">', "").replace("</span>", "")
    assert "RUNNING" in w.parts["status"].value
    assert set(w.buttons) == {"Stop", "Start", "Delete", "Refresh", "Open"}


def test_countdown_follows_the_clock_not_a_counter(clock):
    w = widget_for(clock, stop_in=7200)
    assert w.remaining == 7200
    assert "02:00:00" in w.parts["countdown"].value
    assert w.parts["bar"].max == 7200 and w.parts["bar"].value == 7200
    clock.advance(1)
    w.tick()
    assert w.remaining == 7199 and "01:59:59" in w.parts["countdown"].value
    # the 240 px bar moves in steps of max/240 (30 s here), not every second
    assert w.parts["bar"].value == 7200
    clock.advance(3600)  # a blocked kernel that wakes up an hour later is right at once
    w.tick()
    assert "00:59:59" in w.parts["countdown"].value
    assert w.parts["bar"].value == 3600
    stops = datetime.fromtimestamp(w.instance.auto_stop.stop_timestamp / 1000).astimezone().strftime("%H:%M:%S")
    assert f"stops at {stops}" in w.parts["countdown"].value


def test_warning_below_ten_minutes(clock):
    w = widget_for(clock, stop_in=WARN_BELOW + 2)
    assert w.parts["warning"].value == "" and w.parts["bar"].bar_style == "success"
    assert w.parts["warning"].layout.display == "none"
    clock.advance(3)
    w.tick()
    assert "less than 10 minutes" in w.parts["warning"].value
    assert w.parts["warning"].layout.display is None
    assert w.parts["bar"].bar_style == "warning"
    assert "nb-devenv-warning" in w.parts["warning"]._dom_classes


def test_no_countdown_unless_running_with_auto_stop(clock):
    w = widget_for(clock, enable=False)
    assert w.remaining is None and "auto-stop off" in w.parts["countdown"].value
    assert w.parts["bar"].layout.display == "none"
    w.update(snapshot(clock, "STOPPED"))
    assert w.parts["countdown_row"].layout.display == "none"


@pytest.mark.parametrize("status", STATUSES)
def test_buttons_follow_the_spec(clock, status):
    w = widget_for(clock, status=status)
    buttons = w.buttons
    assert buttons["Stop"].disabled is not can("stop", status)
    assert buttons["Start"].disabled is not can("start", status)
    assert buttons["Delete"].disabled is not can("delete", status)
    assert buttons["Refresh"].disabled is False
    assert buttons["Open"].disabled is (status != "RUNNING")
    assert w.parts["open_row"].layout.display == (None if status == "RUNNING" else "none")


def test_status_families_and_lifecycle_steps(clock):
    w = widget_for(clock, status="CREATING")
    assert "nb-devenv-state-transition" in w.parts["status"]._dom_classes
    assert "● CREATING" in w.parts["steps"].value and "○ RUNNING" in w.parts["steps"].value
    w.update(snapshot(clock, "STARTING"))
    assert "✓ CREATING" in w.parts["steps"].value and "● STARTING" in w.parts["steps"].value
    w.update(snapshot(clock, "RUNNING"))
    classes = w.parts["status"]._dom_classes
    assert "nb-devenv-state-running" in classes and "nb-devenv-state-transition" not in classes
    assert "nb-devenv-state-running" in w._dom_classes
    assert "✓ STARTING" in w.parts["steps"].value and "● RUNNING" in w.parts["steps"].value
    w.update(snapshot(clock, "STOPPING"))
    assert "● STOPPING" in w.parts["steps"].value and "○ STOPPED" in w.parts["steps"].value
    w.update(snapshot(clock, "STOPPED"))
    assert "nb-devenv-state-stopped" in w.parts["status"]._dom_classes
    assert "✓ STOPPING" in w.parts["steps"].value


def test_failure_shows_the_reasons(clock):
    reasons = {"code": "ModelArts.6200", "message": "no <GPU> here", "detail": {"profile": "Python3-gpu"}}
    w = widget_for(clock, status="CREATE_FAILED", failed_reasons=reasons)
    assert "nb-devenv-state-failed" in w.parts["status"]._dom_classes
    steps = w.parts["steps"].value
    assert "CREATE_FAILED" in steps and "ModelArts.6200" in steps and "no &lt;GPU&gt; here" in steps
    assert "Python3-gpu" in steps


def test_older_snapshots_do_not_move_the_display_back(clock):
    w = widget_for(clock, status="RUNNING", updated=clock.now_ms())
    w.update(snapshot(clock, "STARTING", updated=clock.now_ms() - 5000))
    assert w.status == "RUNNING"


def test_deleted(clock):
    w = widget_for(clock)
    w.mark_deleted()
    assert w.deleted and w.status == "DELETED"
    assert ">DELETED<" in w.parts["status"].value and "nb-devenv-state-deleted" in w.parts["status"]._dom_classes
    assert all(b.disabled for name, b in w.buttons.items())
    assert w.parts["actions"].layout.display == "none"  # the buttons go
    assert "the instance was deleted" in w.parts["steps"].value and w.parts["message"].layout.display == "none"
    assert "status=DELETED" in repr(w)
    w.update(snapshot(clock, "RUNNING"))  # late poll answers are ignored
    assert w.status == "DELETED"


def test_everything_from_the_server_is_escaped(clock):
    evil = "<script>alert(1)</script>"
    w = widget_for(clock, name="x<b>", description=evil)
    assert "<script>" not in w.parts["title"].value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in w.parts["title"].value
    assert "x&lt;b&gt;" in w.parts["title"].value
    w.show_poll_error(RuntimeError("<img src=x onerror=alert(1)>"))
    assert "<img" not in w.parts["error"].value and "&lt;img" in w.parts["error"].value


def test_repr_is_one_line_with_the_same_facts(clock):
    w = widget_for(clock, stop_in=3723)
    text = repr(w)
    assert text == ("InstanceStatus(name='demo', id='DE-1', status=RUNNING, flavor=modelarts.vm.cpu.2u, "
                    "storage=EVS 5 GB, time left 01:02:03)")
    assert "\n" not in text and "token" not in text
    assert w._repr_mimebundle_()["text/plain"] == text  # not cut at 110 characters


def test_one_update_is_one_message_per_widget(clock, monkeypatch):
    w = widget_for(clock, status="STARTING")
    sent: list = []
    for part in w.all_widgets():
        monkeypatch.setattr(part, "_send", lambda msg, buffers=None, part=part: sent.append(part))
    w.update(snapshot(clock, "RUNNING"))
    assert sent, "the update changed nothing?"
    assert len(sent) == len(set(map(id, sent))), "hold_sync should batch each widget's changes"


def test_actions_without_a_loop_explain_themselves(clock):
    w = widget_for(clock, status="RUNNING")
    w.buttons["Stop"].click()
    assert "running event loop" in w.error and "%devenv stop DE-1" in w.error
    assert "running event loop" in w.parts["error"].value


def test_not_live_without_a_loop(clock):
    w = InstanceStatusWidget(snapshot(clock), clock=clock)  # watch=True, but no loop runs here
    assert not w.live
    assert "%devenv watch DE-1" in w.parts["message"].value


async def test_wait_resolves_on_update_and_fails_on_failure(clock):
    w = widget_for(clock, status="CREATING")
    from nb_devenv.notebook import wait

    waiting = asyncio.ensure_future(wait(w, "RUNNING", timeout=5))
    await asyncio.sleep(0)
    w.update(snapshot(clock, "RUNNING"))
    assert (await waiting).status == "RUNNING"

    from nb_devenv import InstanceFailedError

    w2 = widget_for(clock, status="CREATING", instance_id="DE-2")
    waiting = asyncio.ensure_future(wait(w2, "RUNNING", timeout=5))
    await asyncio.sleep(0)
    w2.update(snapshot(clock, "CREATE_FAILED", instance_id="DE-2", failed_reasons={"message": "boom"}))
    with pytest.raises(InstanceFailedError, match="boom"):
        await waiting


async def test_wait_times_out_with_the_last_status(clock):
    from nb_devenv import WaitTimeoutError
    from nb_devenv.notebook import wait

    w = widget_for(clock, status="CREATING")
    w.start = lambda: False  # no hub in this test
    with pytest.raises(WaitTimeoutError, match="still CREATING"):
        await wait(w, "RUNNING", timeout=0.05)


async def test_reached_settles_on_deletion_and_on_close(clock):
    from nb_devenv import DevEnvError, NotFoundError

    w = widget_for(clock, status="RUNNING")
    assert (await w.reached({"RUNNING"})).status == "RUNNING"  # already there
    stopped, deleted = w.reached({"STOPPED"}), w.reached({"DELETED"})
    await asyncio.sleep(0)
    assert not stopped.done() and not deleted.done()
    w.mark_deleted()
    with pytest.raises(NotFoundError, match="ModelArts.6309"):
        await stopped
    assert (await deleted).id == "DE-1"

    w2 = widget_for(clock, status="CREATING", instance_id="DE-2")
    pending = w2.reached({"RUNNING"})
    w2.close()
    with pytest.raises(DevEnvError, match="DE-2 was closed"):
        await pending


# -- the static views --------------------------------------------------------------------------------

def test_instance_table_text_and_escaped_html(clock):
    rows = [snapshot(clock, name="alpha", description="d"), snapshot(clock, "STOPPED", name="<b>beta</b>",
                                                                      instance_id="DE-<2>")]
    table = InstanceTable(rows, total_count=5)
    text = repr(table)
    assert text.splitlines()[0].split() == ["NAME", "ID", "STATUS", "FLAVOR", "STORAGE", "TIME", "LEFT"]
    assert "alpha" in text and "02:00:00" in text and "(2 of 5 instances)" in text
    page = table._repr_html_()
    assert "<b>beta</b>" not in page and "&lt;b&gt;beta&lt;/b&gt;" in page
    assert "DE-&lt;2&gt;" in page
    assert 'class="nb-devenv-list"' in page
    assert repr(InstanceTable([])) == "no instances"


def test_key_value_and_message_views_escape():
    view = KeyValueView("cfg", {"endpoint": "http://x/<y>"})
    assert "&lt;y&gt;" in view._repr_html_() and "http://x/<y>" in repr(view)
    assert view["endpoint"] == "http://x/<y>"
    message = Message("deleted <x>")
    assert repr(message) == "deleted <x>" and "&lt;x&gt;" in message._repr_html_()


# -- safe, clear actions ---------------------------------------------------------------------------------

def test_delete_asks_in_place_and_cancel_keeps_the_instance(clock):
    w = widget_for(clock, status="STOPPED")
    assert w.parts["confirm"].layout.display == "none"
    w.buttons["Delete"].click()
    assert w.parts["confirm"].layout.display is None  # the question, in place of the buttons
    assert w._actions.button_box.layout.display == "none"
    question = w.parts["question"].value
    assert "Delete demo?" in question and "EVS 5 GB" in question and "cannot be undone" in question
    assert not w.confirm_buttons["Confirm delete"].disabled
    w.confirm_buttons["Cancel"].click()
    assert w.parts["confirm"].layout.display == "none" and w._actions.button_box.layout.display is None
    assert not w.deleted and w.status == "STOPPED"


def test_the_delete_question_says_obs_files_stay(clock):
    instance = snapshot(clock, status="STOPPED")
    obs = dataclasses.replace(instance, storage=Storage("obs", "obs://bucket/work/"))
    question = status_view.delete_question(obs, obs.id)
    assert "OBS (obs://bucket/work/) stay" in question and "cannot be undone" not in question


def test_the_question_goes_when_a_delete_is_no_longer_possible(clock):
    w = widget_for(clock, status="STOPPED")
    w.buttons["Delete"].click()
    w.update(snapshot(clock, "STARTING"))  # someone started it meanwhile
    assert w.parts["confirm"].layout.display == "none" and not w.parts["question"].value


@pytest.mark.parametrize(("status", "button", "tooltip"), [
    ("RUNNING", "Start", "Start: the instance is already running"),
    ("RUNNING", "Delete", "Delete: stop the instance first (a running instance cannot be deleted)"),
    ("STOPPED", "Stop", "Stop: the instance is already stopped"),
    ("STARTING", "Stop", "Stop: wait until STARTING is over"),
    ("START_FAILED", "Stop", "Stop: the instance is not running"),
])
def test_a_disabled_button_says_why(clock, status, button, tooltip):
    w = widget_for(clock, status=status)
    assert w.buttons[button].disabled and w.buttons[button].tooltip == tooltip


def test_an_enabled_button_says_what_it_does(clock):
    w = widget_for(clock, status="STOPPED")
    assert w.buttons["Delete"].tooltip == "Delete the instance (asks first)"
    assert w.buttons["Start"].tooltip == "Start the instance"


def test_a_message_goes_when_the_status_it_describes_does(clock):
    w = widget_for(clock, status="RUNNING")
    w._say("stop: RUNNING → STOPPING", "STOPPING")  # what a Stop click leaves
    w.update(snapshot(clock, "STOPPING"))
    assert "stop: RUNNING → STOPPING" in w.parts["message"].value
    w.update(snapshot(clock, "STOPPED"))
    assert w.message == "" and w.parts["message"].layout.display == "none"
    w._say("refreshed at 12:00:00")
    w.mark_deleted()
    assert w.message == ""


# -- at a glance ----------------------------------------------------------------------------------------

def tones(w) -> set[str]:
    return {c for c in w._dom_classes if c.startswith("nb-devenv-tone-")}


def test_badge_border_and_digits_turn_amber_then_red(clock):
    w = widget_for(clock, stop_in=WARN_BELOW + 5)
    assert tones(w) == {"nb-devenv-tone-running"} and "--jp-success-color1" in w.parts["status"].value
    assert "--jp-warn-color1" not in w.parts["countdown"].value
    clock.advance(10)
    w.tick()
    assert tones(w) == {"nb-devenv-tone-warn"}
    assert "--jp-warn-color1" in w.parts["status"].value and "--jp-warn-color1" in w.parts["countdown"].value
    assert w.parts["bar"].bar_style == "warning" and "less than 10 minutes" in w.parts["warning"].value
    clock.advance(WARN_BELOW - 60)
    w.tick()
    assert tones(w) == {"nb-devenv-tone-critical"} and w.parts["bar"].bar_style == "danger"
    assert "--jp-error-color1" in w.parts["status"].value and "--jp-error-color1" in w.parts["countdown"].value
    assert "less than 1 minute" in w.parts["warning"].value
    w.update(snapshot(clock, "STOPPED"))
    assert tones(w) == {"nb-devenv-tone-stopped"}


def test_a_transition_turns_and_shows_its_time(clock):
    w = widget_for(clock, status="STARTING", updated=clock.now_ms() - 65_000)
    pill = w.parts["status"].value
    assert 'class="nb-devenv-spinner"' in pill and ">1m5s<" in pill
    clock.advance(10)
    w.tick()
    assert ">1m15s<" in w.parts["status"].value
    w.update(snapshot(clock, "RUNNING"))
    assert "nb-devenv-spinner" not in w.parts["status"].value


def test_open_is_in_the_row_of_the_action_buttons(clock):
    w = widget_for(clock)
    assert w.parts["open_row"] in w.parts["actions"].children


def test_every_colour_is_a_theme_variable_with_a_fallback(clock):
    """One home for the palette: no part carries a bare hex colour outside a ``var(…, #fallback)``
    or the declaration before a ``color-mix`` (what browsers without it keep)."""
    import re

    w = widget_for(clock, stop_in=30, description="d")
    w.show_poll_error(RuntimeError("x"))
    html = " ".join(str(getattr(part, "value", "")) for part in w.all_widgets())
    for style in re.findall(r'style="([^"]*)"', html):
        for declaration in filter(None, style.split(";")):
            prop, _, value = declaration.partition(":")
            if "#" in value and "var(" not in value:
                following = style.split(declaration, 1)[1]
                assert f"{prop.strip()}:color-mix(" in following.replace(" ", ""), declaration


def test_open_and_extend_say_why_while_an_action_runs(clock):
    w = widget_for(clock)
    assert w.buttons["Open"].tooltip.startswith("Show a link")
    w._begin("stop")  # what a Stop click does before its task runs
    assert w.buttons["Open"].disabled and w.buttons["Open"].tooltip == "Open: wait for the current action to finish"
    assert w.buttons["Stop"].tooltip == "Stop: wait for the stop to finish"
