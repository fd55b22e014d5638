"""The widgets with the Notebook API: the lease row and its Extend buttons, the buttons' rules,
and the Notebook API's create form; as real ipywidgets, first fed with crafted snapshots (no
server), then against the real local server (the Extend button renews a real lease).
"""

from __future__ import annotations

import asyncio
import html
import json

import ipywidgets
import pytest

from nb_devenv import AsyncDevEnvClient, Instance, NotebookFlavor, NotebookImage
from nb_devenv.contract import notebooks as nb
from nb_devenv.core.clock import ManualClock
from nb_devenv.notebook.watch import InstanceHub
from nb_devenv.notebook.widgets import (
    ClientSettings,
    CreateForm,
    InstanceStatusWidget,
    NotebookCreateForm,
    notebook_field_for_path,
    wait,
)
from nb_devenv.notebook.widgets import status_view as view

HOUR = 3600
INVALID = "nb-devenv-field-invalid"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def notebook(clock: ManualClock, status: str = "RUNNING", *, left: int = HOUR, enable: bool = True) -> Instance:
    """A Notebook API snapshot whose lease has ``left`` seconds to run (armed a minute ago)."""
    now = clock.now_ms()
    armed = now - 60_000
    return Instance.from_api({
        "id": "2f74581a-096e-4620-8e6f-63a0e036be90", "name": "nb-demo", "status": status,
        "flavor": "modelarts.vm.cpu.2u", "image": nb.image_for_profile("Python3").as_instance_api(),
        "lease": {"create_at": now - 600_000, "duration": armed - (now - 600_000) + 60_000 + left * 1000,
                  "enable": enable, "type": "TIMING", "update_at": armed},
        "token": "secret-token", "url": "http://127.0.0.1:9/lab",
        "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 5, "mount_path": "/home/ma-user/work/"},
        "workspace_id": "0", "create_at": now - 600_000, "update_at": armed}, clock=clock, api="notebooks")


def old_api(clock: ManualClock, status: str = "RUNNING") -> Instance:
    now = clock.now_ms()
    auto_stop = {"enable": True, "duration": 7200, "stop_timestamp": now + 3600_000}
    return Instance.from_api({"id": "DE-1", "name": "old", "status": status, "flavor": "modelarts.vm.cpu.2u",
                              "creation_timestamp": now, "spec": {"auto_stop": auto_stop}}, clock=clock)


# -- the lease row ------------------------------------------------------------------------------------

@pytest.mark.usefixtures("no_default_server", "closed_widgets")
class TestLeaseRow:
    def test_a_running_notebook_instance_can_be_extended(self, clock):
        w = InstanceStatusWidget(notebook(clock), clock=clock, watch=False)
        assert w.api == "notebooks"
        lease, extend = w.parts["lease"], w.parts["extend"]
        assert "nb-devenv-lease" in lease._dom_classes and "nb-devenv-extend" in extend._dom_classes
        assert lease.layout.display is None and extend.layout.display is None
        assert set(w.extend_buttons) == {"+1 h", "+4 h"}
        assert not any(b.disabled for b in w.extend_buttons.values())
        assert "image <code>mul-kernel-cpu-cp36" in w.parts["details"].value
        assert "secret-token" not in repr(w) and "secret-token" not in json.dumps(w.get_state(), default=str)

    def test_extend_stops_at_the_apis_72_hours(self, clock):
        w = InstanceStatusWidget(notebook(clock, left=70 * HOUR), clock=clock, watch=False)
        assert not w.extend_buttons["+1 h"].disabled and w.extend_buttons["+4 h"].disabled
        assert w.extend_buttons["+4 h"].tooltip == "+4 h: its run time would pass the API's 72 h"

    @pytest.mark.parametrize("status", ["STOPPED", "CREATING", "STARTING", "ERROR"])
    def test_no_lease_row_unless_running(self, clock, status):
        w = InstanceStatusWidget(notebook(clock, status), clock=clock, watch=False)
        assert w.parts["lease"].layout.display == "none"

    def test_no_extend_without_a_lease(self, clock):
        w = InstanceStatusWidget(notebook(clock, enable=False), clock=clock, watch=False)
        assert w.parts["lease"].layout.display == "none"
        assert "auto-stop off" in w.parts["countdown"].value

    def test_an_old_api_instance_explains_why_its_deadline_cannot_move(self, clock):
        w = InstanceStatusWidget(old_api(clock), clock=clock, watch=False)
        assert w.api == "devenviron"
        assert w.parts["lease"].layout.display is None and w.parts["extend"].layout.display == "none"
        note = w.parts["lease_note"].value
        assert "cannot move a running instance's deadline" in note and "%devenv update DE-1 --auto-stop" in note
        w.update(old_api(clock, "STOPPED"))
        assert w.parts["lease"].layout.display == "none"

    def test_lease_view_is_pure(self, clock):
        assert view.lease_view(None) == view.LeaseView()
        busy = view.lease_view(notebook(clock), idle=False)
        assert busy.extend and busy.extendable == frozenset()

    @pytest.mark.parametrize("status, stop, start, delete", [
        ("RUNNING", True, False, False), ("STOPPED", False, True, True), ("START_FAILED", False, True, True),
        ("ERROR", False, False, True), ("DELETING", False, False, False), ("INIT", False, False, False)])
    def test_buttons_follow_the_notebook_apis_rules(self, clock, status, stop, start, delete):
        w = InstanceStatusWidget(notebook(clock, status), clock=clock, watch=False)
        assert (not w.buttons["Stop"].disabled, not w.buttons["Start"].disabled,
                not w.buttons["Delete"].disabled) == (stop, start, delete)
        assert ("nb-devenv-state-failed" in w._dom_classes) == (status in ("ERROR", "START_FAILED"))


# -- the Notebook API's form without a server ------------------------------------------------------------

def images() -> list[NotebookImage]:
    return [NotebookImage.from_api(i.as_api()) for i in nb.IMAGES.values()]


def flavors(sold_out: frozenset[str] = frozenset({"modelarts.vm.gpu.p100"})) -> list[NotebookFlavor]:
    return [NotebookFlavor.from_api(f) for f in nb.notebook_flavors(sold_out)]


def form(**kwargs) -> NotebookCreateForm:
    made = CreateForm(api="notebooks", images=images(), flavors=flavors(), **kwargs)
    assert isinstance(made, NotebookCreateForm)
    return made


@pytest.mark.usefixtures("no_default_server", "closed_widgets")
class TestNotebookForm:
    def test_the_lists_are_the_servers_and_the_body_is_the_contracts(self):
        f = form(name="demo", image="Python3")
        assert "nb-devenv-form" in f._dom_classes and f.valid and not f.create_button.disabled
        assert f.image.value == nb.image_for_profile("Python3").id
        assert f.flavor.value == "modelarts.vm.cpu.2u"  # the first flavor not sold out
        f.image.value = nb.image_for_profile("Python3-gpu").id
        labels = dict((value, label) for label, value in f.flavor.options)
        assert labels["modelarts.vm.gpu.2p100"] and not labels["modelarts.vm.gpu.2p100"].endswith("(sold out)")
        f.image.value = nb.image_for_profile("Python3").id
        labels = dict((value, label) for label, value in f.flavor.options)
        assert not labels["modelarts.vm.cpu.2u"].endswith("(sold out)")
        expected = nb.build_create_body(name="demo", image_id=f.image.value, flavor="modelarts.vm.cpu.2u",
                                        capacity=5, lease=2 * HOUR)
        assert f.body() == expected and json.loads(f.body_json) == expected

    def test_a_sold_out_flavor_is_refused_as_the_server_would(self):
        f = form(name="demo", image="Python3-gpu")
        assert dict((v, label) for label, v in f.flavor.options)["modelarts.vm.gpu.p100"].endswith("(sold out)")
        f.flavor.value = "modelarts.vm.gpu.p100"
        assert "flavor" in f.invalid_fields() and "ModelArts.6329" in f.field_message("flavor")
        assert "sold out" in f.flavor_note.value and f.create_button.disabled

    def test_rules_are_shown_next_to_their_fields(self):
        f = form(name="demo", image="Python3")
        f.name.value = "bad name!"
        f.capacity.value = 2
        f.lease_hours.value, f.lease_minutes.value = 0, 30
        assert f.invalid_fields() == {"name", "capacity", "lease"}
        assert "ModelArts.6334" in f.field_message("name") and "ModelArts.6331" in f.field_message("capacity")
        assert "ModelArts.6349" in f.field_message("lease")
        f.lease.value = False  # off: the API's -1
        assert f.body()["lease"] == {"duration": nb.LEASE_OFF_MS} and "lease" not in f.invalid_fields()

    def test_flavors_follow_the_image_and_messages_speak_hours(self):
        f = form(name="demo", image="Python3")
        cpu_only = [value for _, value in f.flavor.options]
        assert cpu_only and all(f._flavors[v].category == "CPU" for v in cpu_only)
        f.image.value = nb.image_for_profile("Python3-gpu").id
        offered = [value for _, value in f.flavor.options]
        assert offered and all(f._flavors[v].category == "GPU" for v in offered)
        assert f.flavor.value in offered and not f._flavors[f.flavor.value].sold_out
        # labels short enough for their dropdown: nothing cut off (the server's flavor names are long)
        assert all(len(label) <= 64 for label, _ in (*f.flavor.options, *f.image.options))
        assert dict((v, label) for label, v in f.flavor.options)["modelarts.vm.gpu.2p100"] == \
            "modelarts.vm.gpu.2p100 — 2 x P100 | 16 vCPUs | 128 GiB"
        f.lease_hours.value, f.lease_minutes.value = 100, 0
        assert f.lease_hours.value == 100  # as typed, not clamped to 72
        message = html.unescape(f.field_message("lease"))
        max_hours = nb.DURATION_MAX_MS // 3_600_000
        assert f"Auto-stop must be between 1 h and {max_hours} h, not 100 h (ModelArts.6349)" in message
        assert "milliseconds" not in message and "lease.duration" not in message

    def test_a_preset_flavor_the_image_cannot_run_is_explained_in_words(self):
        f = form(name="demo", image="Python3", flavor="modelarts.vm.gpu.2p100")
        message = html.unescape(f.field_message("flavor"))
        assert "Flavor: modelarts.vm.gpu.2p100 is a GPU flavor, but the image" in message
        assert "runs on CPU flavors only (ModelArts.6330)" in message

    def test_an_image_preset_the_server_does_not_offer_is_explained(self):
        f = form(name="demo", image="no-such-image")
        assert "image" in f.invalid_fields() and "ModelArts.6336" in f.field_message("image")
        assert "Image: no-such-image is not offered by this server" in html.unescape(f.field_message("image"))

    def test_every_violation_path_maps_to_a_field(self):
        for path in ("volume.capacity", "lease.duration", "duration", "image_id", "workspace_id", "name",
                     "flavor", "description"):
            assert notebook_field_for_path(path) != "general", path
        assert notebook_field_for_path("feature") == "general"

    def test_without_a_running_loop_it_says_it_cannot_fetch(self):
        f = CreateForm(settings=ClientSettings(api="notebooks"))
        assert isinstance(f, NotebookCreateForm) and not f.loaded
        assert "running event loop" in f.error_html.value and f.create_button.disabled

    def test_the_old_form_stays_the_default(self):
        assert type(CreateForm()).__name__ == "CreateForm"

    def test_the_environment_chooses_for_widgets_made_in_code_too(self, monkeypatch):
        monkeypatch.setenv("NB_DEVENV_API", "notebooks")
        assert isinstance(CreateForm(images=images(), flavors=flavors()), NotebookCreateForm)
        assert InstanceStatusWidget("2f74581a-096e-4620-8e6f-63a0e036be90", watch=False).api == "notebooks"
        assert InstanceStatusWidget("DE-1", watch=False, api="devenviron").api == "devenviron"


# -- against the real server -------------------------------------------------------------------------------

@pytest.fixture
async def hub(shared_server):
    client = AsyncDevEnvClient(endpoint=shared_server.endpoint, data_dir=shared_server.data_dir, api="notebooks")
    hub = InstanceHub(client, fast=0.1, slow=0.5)
    yield hub
    ipywidgets.Widget.close_all()
    await hub.aclose()


async def until(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


@pytest.mark.usefixtures("no_default_server")
async def test_the_form_creates_and_the_extend_button_renews_a_real_lease(hub):
    f = NotebookCreateForm(hub=hub, name="widget-nb", image="Python3", lease=HOUR)
    assert not f.loaded and f.create_button.disabled and "loading" in f.feedback.value
    await f.wait_loaded()  # fetched in a task on this loop: the "kernel" was never blocked
    assert f.loaded and f.valid
    f.create_button.click()
    w = await f.wait_created()
    assert w.api == "notebooks"
    await wait(w, "RUNNING", timeout=60)
    before = w.remaining
    assert HOUR - 15 <= before <= HOUR and w.parts["extend"].layout.display is None

    w.extend_buttons["+1 h"].click()  # on_click schedules a task on this loop
    assert all(b.disabled for b in w.extend_buttons.values()), "busy while it renews"
    await until(lambda: w.remaining is not None and w.remaining > before + HOUR - 30 and "extended" in w.message)
    deadline = (await hub.client.lease(w.instance_id)).deadline_ms
    assert w.instance.auto_stop.stop_timestamp == deadline
    # the countdown and the details both count to the renewed lease's end
    at = view.local_stop_time(deadline, w.instance.clock)
    assert f"stops at {at}" in w.parts["countdown"].value and f"until {at[:5]}" in w.parts["details"].value
    assert not w.error and not w.extend_buttons["+1 h"].disabled

    # an error of the renewal is shown inside the widget: the instance stopped behind its back
    await hub.client.stop(w.instance_id)
    await hub.client.wait_until(w.instance_id, "STOPPED", timeout=30)
    w._click_extend(HOUR)  # what a click does, before the next poll hides the buttons
    await until(lambda: bool(w.error))
    assert "ModelArts.6327" in w.error and "ModelArts.6327" in w.parts["error"].value
    await wait(w, "STOPPED", timeout=10)
    assert w.parts["lease"].layout.display == "none"
    await hub.client.delete(w.instance_id)
    await wait(w, "DELETED", timeout=10)


@pytest.mark.usefixtures("no_default_server")
async def test_a_form_that_cannot_fetch_says_so_inside(tmp_path):
    settings = ClientSettings(endpoint="http://127.0.0.1:9", data_dir=str(tmp_path), api="notebooks")
    f = CreateForm(settings=settings)
    await f.wait_loaded()
    assert "could not fetch the server&#x27;s images and flavors: ConfigurationError" in f.error_html.value
    assert f.create_button.disabled and not f.loaded
    f.name.value = "typing-does-not-hide-it"
    assert "could not fetch" in f.error_html.value
    f.close()
