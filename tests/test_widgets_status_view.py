"""The status widget's display as pure functions: a snapshot and a ManualClock in, HTML out.

No widget is built here; test_widgets_status.py checks that the widget puts these values into
its parts.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from nb_devenv import Instance
from nb_devenv.core.clock import ManualClock, SystemClock
from nb_devenv.notebook.widgets import status_view as view
from nb_devenv.notebook.widgets.status_view import WARN_BELOW, CountdownView
from nb_devenv.notebook.widgets.stop_reason import auto_stop_deadline, auto_stop_note


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def snapshot(clock: ManualClock, status: str = "RUNNING", *, stop_in: int | None = 7200, duration: int = 7200,
             enable: bool = True, created_ago: int = 300, description: str = "",
             failed_reasons: dict | None = None) -> Instance:
    now = clock.now_ms()
    auto_stop = {"enable": enable, "duration": duration}
    if status == "RUNNING" and enable and stop_in is not None:
        auto_stop["stop_timestamp"] = now + stop_in * 1000
    return Instance.from_api({
        "id": "DE-1", "name": "demo", "status": status, "description": description,
        "flavor": "modelarts.vm.cpu.2u", "profile": {"id": "Python3"}, "creation_timestamp": now - created_ago * 1000,
        "spec": {"storage": {"type": "EVS", "location": {"volume_size": 5}}, "auto_stop": auto_stop,
                 "failed_reasons": failed_reasons},
    }, clock=clock)


def local(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000).astimezone().strftime("%H:%M:%S")


# -- the status pill ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "family", "spinner"), [
    ("RUNNING", "running", False), ("CREATING", "transition", True), ("STOPPING", "transition", True),
    ("STOPPED", "stopped", False), ("CREATE_FAILED", "failed", False), ("", "unknown", False),
])
def test_status_pill_has_the_family_class_and_a_spinner_only_in_transitions(status, family, spinner):
    pill = view.status_pill(status)
    assert f'class="nb-devenv-badge nb-devenv-state-{family}"' in pill
    assert f">{status or '…'}" in pill
    assert ("⟳" in pill) is spinner


def test_status_pill_of_a_deleted_instance():
    assert view.shown_status(None, deleted=True) == "DELETED"
    pill = view.status_pill("DELETED", deleted=True)
    assert "nb-devenv-state-deleted" in pill and ">DELETED<" in pill  # upper case, like the others


def test_shown_status(clock):
    assert view.shown_status(None, deleted=False) == ""
    assert view.shown_status(snapshot(clock, "STOPPING"), deleted=False) == "STOPPING"
    assert view.shown_status(snapshot(clock, "STOPPING"), deleted=True) == "DELETED"


# -- the step flow ------------------------------------------------------------------------------------

def steps(clock, status: str, seen=()) -> str:
    return view.steps_html(snapshot(clock, status), status, seen=seen)


def test_creation_flow(clock):
    queued = steps(clock, "CREATE_QUEUING", {"CREATE_QUEUING"})
    assert "● CREATE_QUEUING" in queued and "○ STARTING" in queued and "○ RUNNING" in queued
    assert "● CREATING" in steps(clock, "CREATING")
    starting = steps(clock, "STARTING", {"CREATING", "STARTING"})
    assert starting.index("✓ CREATING") < starting.index("● STARTING") < starting.index("○ RUNNING")
    assert "✓ STARTING" in steps(clock, "RUNNING", {"CREATING", "STARTING", "RUNNING"})


def test_a_start_after_a_stop_is_not_drawn_as_a_creation(clock):
    starting = steps(clock, "STARTING", {"STOPPED", "STARTING"})
    assert "CREATING" not in starting and "● STARTING" in starting and "○ RUNNING" in starting
    assert "● READY_TO_START" in steps(clock, "READY_TO_START", {"STOPPED"})  # shown as the STARTING step
    assert steps(clock, "RUNNING").startswith('<span class="nb-devenv-step-done" style="color:')
    assert "✓ STARTING</span> → " in steps(clock, "RUNNING")


def test_stop_flow_and_statuses_outside_a_flow(clock):
    stopping = steps(clock, "STOPPING")
    assert "● STOPPING" in stopping and "○ STOPPED" in stopping
    stopped = steps(clock, "STOPPED")
    assert "✓ STOPPING" in stopped and "● STOPPED" in stopped
    assert steps(clock, "UNAVAILABLE") == '<span class="nb-devenv-step-current">UNAVAILABLE</span>'


def test_failure_reasons_escaped(clock):
    reasons = {"code": "ModelArts.6200", "message": "no <GPU> here", "detail": {"profile": "<x>"}}
    text = view.steps_html(snapshot(clock, "CREATE_FAILED", failed_reasons=reasons), "CREATE_FAILED")
    assert 'class="nb-devenv-failed-reason"' in text
    assert "✗ CREATE_FAILED: no &lt;GPU&gt; here [ModelArts.6200]" in text and "profile: &lt;x&gt;" in text
    assert "no reason given" in view.steps_html(snapshot(clock, "START_FAILED"), "START_FAILED")


def test_steps_before_the_first_snapshot_and_after_deletion(clock):
    assert view.steps_html(None, "") == ""
    assert "the instance was deleted" in view.steps_html(snapshot(clock), "DELETED", deleted=True)


# -- the countdown and the warning ---------------------------------------------------------------------

def test_countdown_follows_the_clock_it_is_given(clock):
    instance = snapshot(clock, stop_in=7200)
    first = view.countdown_view(instance, clock)
    assert first.remaining == 7200 and "02:00:00" in first.text
    assert f"stops at {local(instance.auto_stop.stop_timestamp)} (local time)" in first.text
    assert first.bar_max == 7200 and first.bar_value == 7200 and first.warning == ""
    assert first.bar_style == "success"
    clock.advance(1)
    later = view.countdown_view(instance, clock)  # the same snapshot, a later moment
    assert later.remaining == 7199 and "01:59:59" in later.text
    assert later.bar_value == 7200  # the 240 px bar moves in steps of 7200/240 = 30 s
    clock.advance(3599)
    assert view.countdown_view(instance, clock).bar_value == 3600


def test_the_clock_given_wins_over_the_snapshots_own(clock):
    instance = snapshot(clock, stop_in=3600)
    other = ManualClock(clock.now_ms() + 600_000)
    assert view.countdown_view(instance, other).remaining == 3000
    assert view.countdown_view(instance).remaining == 3600  # default: the snapshot's clock


@pytest.mark.parametrize(("left", "warns"), [(WARN_BELOW + 1, False), (WARN_BELOW, False),
                                             (WARN_BELOW - 1, True), (0, True)])
def test_warning_below_ten_minutes(clock, left, warns):
    instance = snapshot(clock, stop_in=left)
    countdown = view.countdown_view(instance, clock)
    assert bool(countdown.warning) is warns
    assert countdown.bar_style == ("success" if not warns else "danger" if left < 60 else "warning")
    if warns and left >= 60:
        at = local(instance.auto_stop.stop_timestamp)
        assert f"⚠ less than 10 minutes left: the instance stops at {at}. Save your work." in countdown.warning


def test_countdown_after_the_stop_time_stays_at_zero(clock):
    instance = snapshot(clock, stop_in=5)
    clock.advance(60)
    countdown = view.countdown_view(instance, clock)
    assert countdown.remaining == 0 and "00:00:00" in countdown.text and countdown.warning


def test_no_countdown_unless_running_with_auto_stop(clock):
    off = view.countdown_view(snapshot(clock, enable=False), clock)
    assert off == CountdownView(text="auto-stop off: it runs until you stop it")
    assert off.bar_max is None and off.remaining is None
    assert view.countdown_view(snapshot(clock, "STOPPED"), clock) == CountdownView()
    assert view.countdown_view(snapshot(clock, "STARTING"), clock) == CountdownView()
    assert view.countdown_view(None, clock) == CountdownView()
    assert view.countdown_view(snapshot(clock), clock, deleted=True) == CountdownView()


def test_local_stop_time_corrects_the_server_clock_skew():
    stop = 1_700_000_000_000
    assert view.local_stop_time(stop, SystemClock(offset_ms=60_000)) == local(stop - 60_000)
    assert view.local_stop_time(stop, ManualClock()) == local(stop)


# -- title, details, text line, notes -------------------------------------------------------------------

def test_title_escapes_and_says_loading_before_the_first_snapshot(clock):
    assert view.title_html("DE-<1>", None) == '<code class="nb-devenv-id">DE-&lt;1&gt;</code> <i>loading…</i>'
    title = view.title_html("DE-1", snapshot(clock, description="<script>x</script>"))
    assert "<script>" not in title and "&lt;script&gt;x&lt;/script&gt;" in title and "nb-devenv-name" in title


def test_details_age_follows_the_clock(clock):
    instance = snapshot(clock, created_ago=300)
    assert '<span class="nb-devenv-age">5m</span>' in view.details_html(instance, clock)
    clock.advance(3600)
    details = view.details_html(instance, clock)
    assert '<span class="nb-devenv-age">1h 05m</span>' in details
    assert "flavor <code>modelarts.vm.cpu.2u</code>" in details and "storage EVS 5 GB" in details
    assert "auto-stop after 2h of running" in view.details_html(snapshot(clock, "STOPPED"), clock)
    assert "auto-stop off" in view.details_html(snapshot(clock, enable=False), clock)
    assert view.details_html(None, clock) == ""


def test_details_and_countdown_agree_on_the_deadline_after_the_duration_changed(clock):
    # started for 1 h, then `%devenv update --auto-stop 3h`: the old API keeps the running
    # deadline (the new duration applies at the next start); details and countdown both say it
    instance = snapshot(clock, stop_in=3000, duration=3 * 3600)
    deadline = instance.auto_stop.stop_timestamp
    details, countdown = view.details_html(instance, clock), view.countdown_view(instance, clock).text
    assert f"auto-stop at {local(deadline)[:5]} · each start runs 3h" in details
    assert f"stops at {local(deadline)} (local time)" in countdown and "00:50:00" in countdown
    assert "after 3h of running" not in details


def test_an_auto_stop_is_told_from_a_stop_only_by_what_the_widget_saw(clock):
    running = snapshot(clock, stop_in=60)
    deadline = running.auto_stop.stop_timestamp

    def stopped(at_ms: int, status: str = "STOPPED") -> Instance:
        return dataclasses.replace(snapshot(clock, status), latest_update_timestamp=at_ms)

    assert auto_stop_deadline(running, stopped(deadline + 400)) == deadline
    assert auto_stop_deadline(running, stopped(deadline, "STOPPING")) == deadline
    assert auto_stop_deadline(running, stopped(deadline - 30_000)) is None  # stopped by someone, earlier
    assert auto_stop_deadline(None, stopped(deadline + 400)) is None  # first seen stopped: not seen happen
    assert auto_stop_deadline(snapshot(clock, stop_in=60, enable=False), stopped(deadline + 400)) is None
    assert auto_stop_deadline(running, running) is None
    assert auto_stop_note(deadline, running) == f"stopped by auto-stop at {local(deadline)[:5]}"


def test_text_line(clock):
    instance = snapshot(clock, stop_in=3723)
    assert view.text_line("DE-1", instance, clock) == (
        "InstanceStatus(name='demo', id='DE-1', status=RUNNING, flavor=modelarts.vm.cpu.2u, "
        "storage=EVS 5 GB, time left 01:02:03)")
    assert "status=DELETED" in view.text_line("DE-1", instance, clock, deleted=True)
    assert view.text_line("DE-9", None, status="") == "InstanceStatus(id='DE-9', status=unknown)"


def test_notes_and_problems_are_escaped():
    assert "%devenv watch DE-&lt;1&gt;" in view.live_note_html("DE-<1>")
    assert view.live_note_html("DE-1", after_message=True).startswith("<br>")
    problems = view.problems_html(["a <b>", "c"])
    assert problems.count("⚠") == 2 and "a &lt;b&gt;" in problems and "<br>" in problems
    assert view.problems_html([]) == ""
