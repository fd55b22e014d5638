"""``%devenv`` speaking the Notebook API (``--api notebooks`` / ``%config DevEnv.api``) on a
fresh in-process InteractiveShell per test, against the real local server (one per module).

Async tests play the kernel: a loop is running while the magic runs, so one-shot calls go
through the worker-thread runner and the returned widgets watch on this loop.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from IPython.core.error import UsageError
from IPython.utils.io import capture_output
from test_magics import close_shell, make_shell
from traitlets import TraitError

from nb_devenv import AsyncDevEnvClient, UnsupportedOperationError
from nb_devenv.contract import notebooks as nb
from nb_devenv.notebook.widgets import (
    FlavorTable,
    ImageTable,
    InstanceStatusWidget,
    InstanceTable,
    NotebookCreateForm,
    wait,
)

CPU = "--image Python3 --flavor modelarts.vm.cpu.2u"
NB = "--api notebooks"


@pytest.fixture(autouse=True)
def _no_default_server(tmp_path, monkeypatch):
    # nothing may reach (or start) a local server in the user's home directory
    monkeypatch.setenv("NB_DEVENV_DATA_DIR", str(tmp_path / "nb_devenv-data"))
    for name in ("NB_DEVENV_ENDPOINT", "NB_DEVENV_API", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK",
                 "HUAWEICLOUD_SDK_PROJECT_ID", "NB_DEVENV_TOKEN", "NB_DEVENV_TOKEN_FILE", "NB_DEVENV_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def ip(tmp_path, monkeypatch, shared_server):
    shell = make_shell(tmp_path, monkeypatch)
    shell.run_line_magic("config", f"DevEnv.endpoint = {shared_server.endpoint!r}")
    shell.run_line_magic("config", f"DevEnv.data_dir = {str(shared_server.data_dir)!r}")
    shell.run_line_magic("config", "DevEnv.poll_interval = 0.1")
    yield shell
    close_shell(shell)
    await asyncio.sleep(0.02)  # let cancelled tasks finish on this loop


@pytest.fixture
async def client(shared_server):
    async with AsyncDevEnvClient(endpoint=shared_server.endpoint, data_dir=shared_server.data_dir,
                                 api="notebooks") as c:
        yield c


async def test_images_and_flavors_are_tables_of_what_the_server_offers(ip):
    images = ip.run_line_magic("devenv", f"images {NB} -o imgs")
    assert isinstance(images, ImageTable) and ip.user_ns["imgs"] is images
    python3 = next(i for i in images if i.show_name == "Python3")
    assert python3.id in repr(images) and "nb-devenv-images" in images._repr_html_()
    ip.run_line_magic("config", 'DevEnv.api = "notebooks"')  # the session's setting: no --api needed
    flavors = ip.run_line_magic("devenv", "flavors")
    assert isinstance(flavors, FlavorTable) and "modelarts.vm.cpu.2u" in repr(flavors)
    assert {f.id for f in flavors if not f.sold_out} >= {"modelarts.vm.cpu.2u"}
    assert all(("sold out" in line) == any(f.id in line and f.sold_out for f in flavors)
               for line in repr(flavors).splitlines()[1:-1])


async def test_create_extend_list_stop_delete(ip, client):
    widget = ip.run_line_magic("devenv", f"create {NB} --name magic-nb {CPU} --lease 2h -o w")
    assert isinstance(widget, InstanceStatusWidget) and ip.user_ns["w"] is widget
    assert widget.api == "notebooks" and widget.instance.image.name.startswith("mul-kernel-cpu")
    instance = await wait(widget, "RUNNING", timeout=60)
    assert 2 * 3600 - 15 <= widget.remaining <= 2 * 3600
    assert "nb-devenv-extend" in widget.parts["extend"]._dom_classes and widget.parts["extend"].layout.display is None

    extended = ip.run_line_magic("devenv", f"extend {instance.id} 1h {NB}")
    assert repr(extended).startswith(f"extended {instance.id}: it stops in 2h59m") or \
        repr(extended).startswith(f"extended {instance.id}: it stops in 3h")
    assert 3 * 3600 - 15 <= (await client.get(instance.id)).remain_time <= 3 * 3600

    again = ip.run_line_magic("devenv", f"get {instance.id} {NB}")  # re-attach, e.g. after a kernel restart
    assert isinstance(again, InstanceStatusWidget) and again.api == "notebooks" and again.status == "RUNNING"
    assert 3 * 3600 - 15 <= again.remaining <= 3 * 3600

    table = ip.run_line_magic("devenv", f"list {NB} --status RUNNING")
    assert isinstance(table, InstanceTable) and instance.id in {i.id for i in table}
    assert instance.id not in repr(ip.run_line_magic("devenv", "list")), "the old API lists its own"

    stopped = ip.run_line_magic("devenv", f"stop {instance.id} {NB} --wait")
    assert repr(stopped) == f"{instance.id}: RUNNING → STOPPING … STOPPED"
    assert repr(ip.run_line_magic("devenv", f"delete {instance.id} {NB}")) == f"deleted {instance.id}"
    assert await wait(widget, "DELETED", timeout=30) is not None or widget.deleted


async def test_cell_body_is_a_notebook_create_request_and_flags_override_it(ip):
    image_id = nb.image_for_profile("Python3").id
    cell = f"name: cell-nb\nimage_id: {image_id}\nflavor: modelarts.vm.cpu.2u\n" \
           "volume: {category: EVS, ownership: MANAGED, capacity: 10}\nduration: 7200000\n"
    with capture_output() as captured:
        ip.run_cell_magic("devenv", f"create {NB} --lease 3h --dry-run", cell)
    body = json.loads(captured.stdout)
    assert body["lease"] == {"duration": 3 * 3600 * 1000} and "duration" not in body
    assert body["volume"]["capacity"] == 10 and body["image_id"] == image_id
    with capture_output() as captured:  # an image named by the old profile id: the body has its id
        ip.run_line_magic("devenv", f"create {NB} --name dry --image Python3 --flavor modelarts.vm.cpu.2u --dry-run")
    assert json.loads(captured.stdout)["image_id"] == image_id


@pytest.mark.parametrize("line, fragment", [
    (f"create {NB} --name x --profile Python3 --flavor modelarts.vm.cpu.2u",
     "--profile is not a flag of the Notebook API (--api notebooks): use --image"),
    (f"create {NB} --name x {CPU} --auto-stop 2h", "--auto-stop is not a flag of the Notebook API"),
    (f"create {NB} --form --annotation team=a", "--annotation is not a flag of the Notebook API"),
    (f"create --name x {CPU}", "--image is not a flag of the DevEnviron API (--api devenviron): use --profile"),
    (f"create {NB} --name 'bad name' --image {nb.image_for_profile('Python3').id} --flavor m.1u --lease 30m",
     "ModelArts.6334"),
    (f"create {NB} --name x --image no-such-image --flavor modelarts.vm.cpu.2u", "ModelArts.6797"),
    ("list --api v2", "invalid choice: 'v2'"),
    (f"extend some-id off {NB}", "extend by a duration"),
])
async def test_bad_lines_are_usage_errors_that_send_nothing_harmful(ip, line, fragment):
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("devenv", line)
    assert fragment in str(info.value)


async def test_every_broken_rule_is_named_with_its_code(ip):
    image_id = nb.image_for_profile("Python3").id
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("devenv", f"create {NB} --name 'bad name' --image {image_id} --flavor m.1u --capacity 2 "
                                    f"--lease 30m")
    text = str(info.value)
    assert "nothing was sent" in text
    for code, field in (("ModelArts.6334", "name"), ("ModelArts.6323", "flavor"),
                        ("ModelArts.6331", "volume.capacity"), ("ModelArts.6349", "lease.duration")):
        assert f"{code}  {field}:" in text


async def test_what_an_api_lacks_is_one_line_naming_it(ip):
    with pytest.raises(UnsupportedOperationError, match="not part of the Notebook API"):
        ip.run_line_magic("devenv", f"restart some-id {NB}")
    with pytest.raises(UnsupportedOperationError, match="not part of the DevEnviron API") as info:
        ip.run_line_magic("devenv", "extend some-id 1h")
    assert len(info.value._render_traceback_()) == 1


async def test_create_without_flags_opens_the_notebook_form(ip):
    form = ip.run_line_magic("devenv", f"create {NB} --form --name preset --image Python3 --lease 3h -o f")
    assert isinstance(form, NotebookCreateForm) and ip.user_ns["f"] is form
    await form.wait_loaded()  # the server's lists arrive in a task on this loop
    assert form.name.value == "preset" and form.image.value == nb.image_for_profile("Python3").id
    assert form.lease_seconds() == 3 * 3600 and form.valid
    form.close()
    ip.run_line_magic("config", 'DevEnv.api = "notebooks"')
    form = ip.run_line_magic("devenv", "create")
    assert isinstance(form, NotebookCreateForm)
    await form.wait_loaded()
    assert form.loaded and any(label.startswith("Python3 — ") for label, _ in form.image.options)
    assert form.image.value == form.image.options[0][1]  # an image is chosen, and its flavors listed
    form.close()


def test_the_api_setting_is_a_trait(tmp_path, monkeypatch):
    monkeypatch.setenv("NB_DEVENV_API", "notebooks")
    shell = make_shell(tmp_path, monkeypatch)
    try:
        magics = next(c for c in shell.configurables if type(c).__name__ == "DevEnv")
        assert magics.api == "notebooks" and magics.settings.api == "notebooks"  # from the environment
        shell.run_line_magic("config", 'DevEnv.api = "DevEnviron"')  # any case
        assert magics.api == "devenviron" and magics.settings.api == "devenviron"
        with pytest.raises(TraitError):
            magics.api = "v2"
    finally:
        close_shell(shell)
