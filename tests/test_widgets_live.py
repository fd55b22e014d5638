"""The widgets against the real local server over HTTP, driven by a real InstanceHub.

One server for the module (``shared_server``); each test uses its own instance names.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from urllib.parse import quote

import instance_probe
import ipywidgets
import pytest

from nb_devenv import AsyncDevEnvClient, NotFoundError
from nb_devenv.notebook.watch import InstanceHub, Subscription
from nb_devenv.notebook.widgets import CreateForm, InstanceStatusWidget, runtime, wait
from nb_devenv.notebook.widgets import status_view as view

CPU = {"profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u"}


pytestmark = pytest.mark.usefixtures("no_default_server")


@pytest.fixture
async def hub(shared_server):
    client = AsyncDevEnvClient(endpoint=shared_server.endpoint, data_dir=shared_server.data_dir)
    hub = InstanceHub(client, fast=0.1, slow=0.5)
    yield hub
    ipywidgets.Widget.close_all()
    await hub.aclose()


@pytest.fixture
async def client(shared_server):
    async with AsyncDevEnvClient(endpoint=shared_server.endpoint, data_dir=shared_server.data_dir) as c:
        yield c


def nb_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("nb_devenv") and not t.done()]


async def until(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_hub_driven_widget_reaches_running_and_stop_click_stops_it(hub, client):
    created = await client.create(name="live-stop", auto_stop=3600, **CPU)
    w = InstanceStatusWidget(created, hub=hub)
    assert w.live and w.status in ("CREATING", "STARTING", "RUNNING")
    running = await wait(w, "RUNNING", timeout=30)
    assert running.status == w.status == "RUNNING"
    assert 3590 <= w.remaining <= 3600
    assert w.parts["countdown_row"].layout.display is None
    assert not w.buttons["Stop"].disabled and w.buttons["Start"].disabled and w.buttons["Delete"].disabled

    w.buttons["Stop"].click()  # on_click schedules a task on this (the "kernel's") loop
    assert w.buttons["Stop"].disabled  # busy while the action runs
    await wait(w, "STOPPED", timeout=30)
    assert (await client.get(created.id)).status == "STOPPED"
    assert w.message == ""  # "stop: RUNNING → STOPPING" described a status that is gone
    assert not w.buttons["Start"].disabled and not w.buttons["Delete"].disabled
    assert w.remaining is None

    w.buttons["Delete"].click()  # asks first
    w.confirm_buttons["Confirm delete"].click()
    await wait(w, "DELETED", timeout=10)
    assert w.deleted and "DELETED" in w.parts["status"].value
    with pytest.raises(NotFoundError):
        await client.get(created.id)
    assert not w.live


async def test_open_link_holds_the_token_only_after_a_click_and_never_in_saved_state(hub, client):
    created = await client.create(name="live-token", **CPU)
    w = InstanceStatusWidget(created, hub=hub)
    await wait(w, "RUNNING", timeout=30)
    token = await client.token(created.id)
    saved = json.dumps(ipywidgets.Widget.get_manager_state())
    assert token not in saved and not w.link_shown

    w.buttons["Open"].click()
    await until(lambda: w.link_shown)
    link = w.parts["link"].value
    assert f"token={quote(token, safe='')}" in link and w.instance.url in link
    assert 'target="_blank"' in link and 'rel="noopener noreferrer"' in link
    # a click on it lands on the instance's JupyterLab, logged in
    href = html.unescape(re.search(r'href="([^"]+)"', link)[1])
    assert await instance_probe.open_jupyterlab(href) == w.instance.url
    assert token not in repr(w) and token not in w._repr_mimebundle_()["text/plain"]
    assert token not in w.message and token not in w.parts["message"].value

    # what a tutorial does: wait() re-sends the state from the current cell, without the token
    await wait(w, "RUNNING", timeout=5)
    assert not w.link_shown
    assert token not in json.dumps(ipywidgets.Widget.get_manager_state())

    # the link also goes away when the instance stops
    w.buttons["Open"].click()
    await until(lambda: w.link_shown)
    await client.stop(created.id)
    hub.poke()
    await wait(w, "STOPPED", timeout=30)
    assert not w.link_shown and token not in json.dumps(ipywidgets.Widget.get_manager_state())


async def test_close_cancels_everything(hub, client):
    created = await client.create(name="live-close", **CPU)
    w = InstanceStatusWidget(created, hub=hub)
    await wait(w, "RUNNING", timeout=30)
    w.buttons["Refresh"].click()
    assert nb_tasks(), "the hub's poll and tick tasks should be running"
    w.close()
    await asyncio.sleep(0.05)
    assert nb_tasks() == []
    assert not hub.running and w.comm is None
    assert w.parts["title"].comm is None


async def test_widgets_of_a_kernel_share_one_hub_and_one_list_per_poll(shared_server, client):
    settings = runtime.ClientSettings(endpoint=shared_server.endpoint, data_dir=str(shared_server.data_dir))
    a = await client.create(name="share-a", **CPU)
    b = await client.create(name="share-b", **CPU)
    widgets = [InstanceStatusWidget(inst, settings=settings) for inst in (a, b, a, b, a)]
    try:
        hubs = {id(w._hub) for w in widgets}
        assert len(hubs) == 1
        hub = widgets[0]._hub
        assert hub is runtime.hub_for(settings)
        await asyncio.gather(*(wait(w, "RUNNING", timeout=30) for w in widgets))
        before = dict(hub.requests)
        for _ in range(3):
            await hub.poll_once()
        assert hub.requests["list"] - before["list"] == 3
        assert hub.requests["get"] == before["get"]
    finally:
        runtime.shutdown()
        await asyncio.sleep(0.05)
    assert nb_tasks() == []
    assert all(w.closed for w in widgets)


async def test_form_create_turns_into_the_status_widget(hub, client):
    form = CreateForm(hub=hub, name="form-made", auto_stop=3600, **CPU)
    assert form.valid
    form.create_button.click()
    assert form.create_button.disabled and "creating" in form.feedback.value
    status = await asyncio.wait_for(form.wait_created(), 10)
    assert form.children == (status,)
    assert "nb-devenv-status" in status._dom_classes
    instance = await wait(form, "RUNNING", timeout=30)
    assert instance.name == "form-made" and instance.auto_stop.duration == 3600
    assert repr(form) == repr(status)
    names = [i.name for i in await client.list_all()]
    assert names.count("form-made") == 1


async def test_form_create_checks_the_body_once(hub, client, monkeypatch):
    from nb_devenv.client import _client
    from nb_devenv.notebook.widgets import form as form_module

    form = CreateForm(hub=hub, name="form-once", **CPU)  # judged live while it is filled in
    checked = []
    for module in (_client, form_module):
        real = module.validate_create
        monkeypatch.setattr(module, "validate_create", lambda body, _real=real: checked.append(1) or _real(body))
    form.create_button.click()
    await asyncio.wait_for(form.wait_created(), 10)
    assert len(checked) == 1, "Create sends what the form judged; only the client checks it again"


async def test_form_shows_server_errors_inside_the_form(hub, client):
    await client.create(name="taken-name", **CPU)
    form = CreateForm(hub=hub, name="taken-name", **CPU)
    task = form.submit()
    await task
    assert form.status_widget is None
    assert "ConflictError" in form.error_html.value and "ModelArts.6301" in form.error_html.value
    assert form.error_html.layout.display is None
    assert not form.create_button.disabled  # the user can fix the name and try again
    form.name.value = "taken-name-2"
    assert form.error_html.value == ""


async def test_wait_judges_a_fresh_snapshot_not_a_stale_one(shared_server, client):
    created = await client.create(name="live-stale", auto_stop=3600, **CPU)
    # a hub that looks once, at subscription, then not for a minute: the widget's snapshot goes stale
    slow = InstanceHub(AsyncDevEnvClient(endpoint=shared_server.endpoint, data_dir=shared_server.data_dir),
                       fast=60, slow=60)
    w = InstanceStatusWidget(created, hub=slow)
    try:
        await until(lambda: slow.requests["list"] >= 1)
        await client.wait_until(created.id, "RUNNING", timeout=60)
        assert w.status in ("CREATING", "STARTING"), "the widget still holds the old snapshot"
        snapshot = await wait(w, until={"CREATING", "STARTING", "RUNNING"}, timeout=10)
        assert snapshot.status == "RUNNING", "wait() must not answer from a stale snapshot"
    finally:
        w.close()
        await slow.aclose()
        await client.stop(created.id)
        await client.wait_until(created.id, "STOPPED", timeout=30)
        await client.delete(created.id)


async def test_after_auto_stop_the_widget_says_so_and_when(local_server):
    # a server of its own: its lifecycle clock is moved forward past the deadline
    client = AsyncDevEnvClient(endpoint=local_server.endpoint, data_dir=local_server.data_dir)
    hub = InstanceHub(client, fast=0.1, slow=60)  # only the deadline can bring the next poll forward
    created = await client.create(name="auto-stopped", auto_stop=3600, **CPU)
    w = InstanceStatusWidget(created, hub=hub)
    try:
        running = await wait(w, "RUNNING", timeout=30)
        deadline = running.auto_stop.stop_timestamp
        local_server.client().advance_clock(3600 - 3)  # three seconds left
        hub.poke()  # the hub learns the server's new time with its next answer
        await until(lambda: w.remaining is not None and w.remaining <= 3, timeout=10)
        await until(lambda: w.status == "STOPPED", timeout=20)  # long before the next slow poll
        # the deadline in local time, on the server's clock as now known (it was moved forward:
        # the deadline was reached a few seconds ago, in real time)
        at = view.local_stop_time(deadline, w.instance.clock)[:5]
        assert at in {time.strftime("%H:%M", time.localtime(time.time() - s)) for s in (0, 60)}
        expected = f"stopped by auto-stop at {at}"
        assert w.stop_reason == expected and expected in w.parts["message"].value

        await client.start(created.id)
        hub.poke()
        await until(lambda: w.status == "RUNNING", timeout=30)
        assert w.stop_reason == "" and "auto-stop" not in w.parts["message"].value
        w.buttons["Stop"].click()  # stopped by the user, long before the deadline
        await until(lambda: w.status == "STOPPED", timeout=30)
        assert w.stop_reason == ""
    finally:
        w.close()
        await hub.aclose()


async def test_ticks_stay_within_their_budget_every_watcher_in_turn(shared_server, client):
    created = await client.create(name="live-budget", **CPU)
    hub = InstanceHub(AsyncDevEnvClient(endpoint=shared_server.endpoint, data_dir=shared_server.data_dir),
                      fast=0.5, slow=5, tick=0.02, tick_budget=2)
    ticked: list[int] = []
    subscriptions = [hub.subscribe(Subscription(created.id, on_update=lambda _i: None,
                                                on_tick=lambda n=n: ticked.append(n))) for n in range(5)]
    try:
        await until(lambda: len(ticked) >= 30)
    finally:
        for subscription in subscriptions:
            subscription.close()
        await hub.aclose()
    # a tick round calls its watchers in order: a new round starts where the index falls back
    rounds, current = [], [ticked[0]]
    for n in ticked[1:]:
        if n <= current[-1]:
            rounds.append(current)
            current = []
        current.append(n)
    assert max(len(r) for r in rounds) <= 2, rounds  # never more than the budget per tick
    assert set(ticked) == set(range(5))  # and every watcher in turn
