"""``%devenv`` / ``%%devenv`` on a fresh in-process InteractiveShell per test, against the real
local server (one per module).

Async tests play the kernel: a loop is running while the magic runs, so one-shot calls go
through the worker-thread runner and the returned widgets watch on this loop.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading

import ipywidgets
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.io import capture_output
from traitlets.config import Config

from nb_devenv import AsyncDevEnvClient, DevEnvError, NotFoundError
from nb_devenv.notebook import watch
from nb_devenv.notebook.magics import DevEnv
from nb_devenv.notebook.widgets import (
    CreateForm,
    InstanceStatusWidget,
    InstanceTable,
    runtime,
    wait,
)

CPU = "--profile Python3 --flavor modelarts.vm.cpu.2u"


def make_shell(tmp_path, monkeypatch, config: Config | None = None) -> InteractiveShell:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    config = config or Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    shell.extension_manager.load_extension("nb_devenv")
    return shell


def close_shell(shell: InteractiveShell) -> None:
    if "nb_devenv" in shell.extension_manager.loaded:
        shell.extension_manager.unload_extension("nb_devenv")
    ipywidgets.Widget.close_all()
    InteractiveShell.clear_instance()


@pytest.fixture(autouse=True)
def _no_default_server(tmp_path, monkeypatch):
    # nothing may reach (or start) a local server in the user's home directory
    monkeypatch.setenv("NB_DEVENV_DATA_DIR", str(tmp_path / "nb_devenv-data"))
    monkeypatch.delenv("NB_DEVENV_ENDPOINT", raising=False)
    for name in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID", "NB_DEVENV_TOKEN",
                 "NB_DEVENV_TOKEN_FILE", "NB_DEVENV_REGION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def ip(tmp_path, monkeypatch, shared_server):
    """A fresh shell pointed at the module's server; torn down on the test's loop."""
    shell = make_shell(tmp_path, monkeypatch)
    shell.run_line_magic("config", f"DevEnv.endpoint = {shared_server.endpoint!r}")
    shell.run_line_magic("config", f"DevEnv.data_dir = {str(shared_server.data_dir)!r}")
    shell.run_line_magic("config", "DevEnv.poll_interval = 0.1")
    yield shell
    close_shell(shell)
    await asyncio.sleep(0.02)  # let cancelled tasks finish on this loop


@pytest.fixture
async def client(shared_server):
    async with AsyncDevEnvClient(endpoint=shared_server.endpoint, data_dir=shared_server.data_dir) as c:
        yield c


async def names(client) -> list[str]:
    return [i.name for i in await client.list_all()]


# -- create ---------------------------------------------------------------------------------------

async def test_create_with_flags_returns_a_live_widget(ip, client):
    w = ip.run_line_magic("devenv", f"create --name mg-flags {CPU} --auto-stop 2h -o made")
    assert isinstance(w, InstanceStatusWidget) and w.live
    assert ip.user_ns["made"] is w
    instance = await client.get(w.instance_id)
    assert instance.name == "mg-flags" and instance.auto_stop.duration == 7200
    assert (await wait(w, "RUNNING", timeout=30)).status == "RUNNING"
    magics = ip.find_magic("devenv").__self__
    assert w._settings is magics.settings, "the magics hand their settings object to what they make"
    assert w._hub is runtime.hub_for(magics.settings)


async def test_invalid_flags_name_field_and_code_and_create_nothing(ip, client):
    before = await names(client)
    with pytest.raises(UsageError) as caught:
        ip.run_line_magic("devenv", "create --name 'bad name' --profile Python3-gpu --flavor modelarts.vm.cpu.2u "
                                    "--storage EVS --volume-size 2 --auto-stop 30m")
    text = str(caught.value)
    assert "nothing was sent" in text
    assert "ModelArts.6334  name:" in text
    assert "ModelArts.6330  flavor:" in text
    assert "ModelArts.6331  spec.storage.location.volume_size:" in text
    assert "ModelArts.6349  spec.auto_stop.duration:" in text
    assert len(text.splitlines()) == 5  # a head line, then one line per violation
    assert await names(client) == before


def count_calls(monkeypatch, names: tuple[str, ...]) -> list[str]:
    """Count the calls of the package's functions ``names`` wherever a module imported them
    (the real functions still run: this only records each call)."""
    from nb_devenv.client import _client, _options
    from nb_devenv.notebook import magics
    from nb_devenv.notebook.widgets import form

    calls: list[str] = []
    for module in (_client, _options, magics, form):
        for name in names:
            real = getattr(module, name, None)
            if real is not None:
                def counted(*args, _real=real, _name=name, **kwargs):
                    calls.append(_name)
                    return _real(*args, **kwargs)
                monkeypatch.setattr(module, name, counted)
    return calls


async def test_a_create_parses_its_annotations_once_and_checks_its_body_once(ip, client, monkeypatch):
    calls = count_calls(monkeypatch, ("validate_create", "parse_annotations"))
    w = ip.run_line_magic("devenv", f"create --name mg-once {CPU} --annotation team=ml")
    assert (await client.get(w.instance_id)).annotations["team"] == "ml"
    assert sorted(calls) == ["parse_annotations", "validate_create"]


def test_broken_rules_are_found_before_connecting(tmp_path, monkeypatch):
    shell = make_shell(tmp_path, monkeypatch)
    try:
        shell.run_line_magic("config", "DevEnv.endpoint = 'http://127.0.0.1:9'")  # nothing listens there
        calls = count_calls(monkeypatch, ("validate_create",))
        with pytest.raises(UsageError, match="ModelArts.6334  name:"):
            shell.run_line_magic("devenv", f"create --name 'bad name' {CPU}")
        assert calls == ["validate_create"]
    finally:
        close_shell(shell)


@pytest.mark.parametrize("line, fragment", [
    ("create --bogus", "unrecognized arguments: --bogus"),
    ("create --volume-size many", "--volume-size: invalid int value"),
    ("create --auto-stop soon", "auto-stop duration 'soon' is not understood"),
    ("create --storage NFS", "--storage: invalid choice"),
    ("create --ak AKIA --sk secret", "unrecognized arguments: --ak --sk\ncredentials are never magic options"),
    ("frobnicate", "invalid choice: 'frobnicate'"),
    ("", "the following arguments are required"),
    ("list --status NOPE", "invalid choice"),
])
def test_bad_flags_are_usage_errors(tmp_path, monkeypatch, line, fragment):
    shell = make_shell(tmp_path, monkeypatch)
    try:
        with pytest.raises(UsageError) as caught:
            shell.run_line_magic("devenv", line)
        assert fragment in str(caught.value)
        assert "secret" not in str(caught.value).replace("secret-key", "")  # values are never echoed
    finally:
        close_shell(shell)


async def test_dry_run_prints_the_exact_body_and_sends_nothing(ip, client):
    before = await names(client)
    with capture_output() as out:
        result = ip.run_line_magic("devenv", f"create --name mg-dry {CPU} --storage OBS --path bkt/work/ "
                                             "--auto-stop 90m --annotation team=ml --dry-run -o body")
    assert result is None
    body = json.loads(out.stdout)
    assert body == {"name": "mg-dry", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
                    "spec": {"storage": {"type": "OBS", "location": {"path": "bkt/work/"}},
                             "auto_stop": {"enable": True, "duration": 5400},
                             "annotations": {"team": "ml"}}}
    assert ip.user_ns["body"] == body
    with capture_output() as out, pytest.raises(UsageError, match="ModelArts.6335  name"):
        ip.run_line_magic("devenv", f"create {CPU} --dry-run")
    assert json.loads(out.stdout)["profile_id"] == "Python3"
    assert await names(client) == before


async def test_cell_body_yaml_with_flag_overrides(ip, client):
    cell = """
name: from-body
profile_id: Python3
flavor: modelarts.vm.cpu.8u
description: from the body
spec:
  storage: {type: EVS, location: {volume_size: 10}}
  auto_stop: {enable: true, duration: 3600}
"""
    with capture_output() as out:
        ip.run_cell_magic("devenv", "create --flavor modelarts.vm.cpu.2u --auto-stop 3h --dry-run", cell)
    body = json.loads(out.stdout)
    assert body["flavor"] == "modelarts.vm.cpu.2u" and body["name"] == "from-body"
    assert body["spec"]["auto_stop"] == {"enable": True, "duration": 10800}
    assert body["spec"]["storage"] == {"type": "EVS", "location": {"volume_size": 10}}

    w = ip.run_cell_magic("devenv", "create --name mg-cell -o w", cell)
    instance = await client.get(w.instance_id)
    assert instance.name == "mg-cell" and instance.flavor == "modelarts.vm.cpu.8u"
    assert instance.description == "from the body" and instance.storage.volume_size == 10
    assert ip.user_ns["w"] is w


async def test_cell_body_json_and_auto_stop_off_override(ip):
    cell = json.dumps({"name": "j", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
                       "spec": {"storage": {"type": "EVS"}, "auto_stop": {"enable": True, "duration": 7200}}})
    with capture_output() as out:
        ip.run_cell_magic("devenv", "create --auto-stop off --dry-run", cell)
    assert json.loads(out.stdout)["spec"]["auto_stop"] == {"enable": False}


@pytest.mark.parametrize("cell, where", [
    ("name: x\nprofile_id: Python3\n  flavor: [oops\n", "invalid YAML at line 3, column"),
    ('{"name": "x",\n "flavor": }\n', "invalid JSON at line 2, column 12"),
    ("- just\n- a list\n", "must be a mapping"),
])
async def test_malformed_body_reports_line_and_column(ip, client, cell, where):
    before = await names(client)
    with pytest.raises(UsageError, match=where):
        ip.run_cell_magic("devenv", "create", cell)
    assert await names(client) == before


async def test_cell_body_breaking_rules_is_a_usage_error(ip):
    with pytest.raises(UsageError, match=r"ModelArts.6400  spec.colour: is not a field"):
        ip.run_cell_magic("devenv", "create", "name: x\nprofile_id: Python3\nflavor: modelarts.vm.cpu.2u\n"
                                              "spec: {storage: {type: EVS}, colour: blue}\n")


def test_only_create_takes_a_body(tmp_path, monkeypatch):
    shell = make_shell(tmp_path, monkeypatch)
    try:
        with pytest.raises(UsageError, match="takes no cell body"):
            shell.run_cell_magic("devenv", "list", "name: x")
    finally:
        close_shell(shell)


def test_create_without_arguments_opens_the_form(tmp_path, monkeypatch):
    shell = make_shell(tmp_path, monkeypatch)
    try:
        form = shell.run_line_magic("devenv", "create")
        assert isinstance(form, CreateForm) and "nb-devenv-form" in form._dom_classes
        preset = shell.run_line_magic("devenv", "create --form --name pre --storage OBS --path b-1/d/ -o f")
        assert preset.valid and shell.user_ns["f"] is preset
        assert preset.body()["spec"]["storage"] == {"type": "OBS", "location": {"path": "b-1/d/"}}
    finally:
        close_shell(shell)


# -- list, get, actions, update, config --------------------------------------------------------------

async def test_list_get_actions_and_update(ip, client):
    w = ip.run_line_magic("devenv", f"create --name mg-life {CPU}")
    await wait(w, "RUNNING", timeout=30)
    table = ip.run_line_magic("devenv", "list --status RUNNING -o running")
    assert isinstance(table, InstanceTable) and ip.user_ns["running"] is table
    assert "mg-life" in repr(table) and "mg-life" in table._repr_html_()
    assert {i.status for i in table} == {"RUNNING"}

    again = ip.run_line_magic("devenv", f"get {w.instance_id}")  # re-attach
    assert isinstance(again, InstanceStatusWidget) and again.status == "RUNNING"
    assert again._hub is w._hub  # one hub for every widget of the kernel

    result = ip.run_line_magic("devenv", f"stop {w.instance_id}")
    assert repr(result) == f"{w.instance_id}: RUNNING → STOPPING"
    await asyncio.gather(wait(w, "STOPPED", timeout=30), wait(again, "STOPPED", timeout=30))

    updated = ip.run_line_magic("devenv", f"update {w.instance_id} --description 'second try' --auto-stop 4h")
    assert "updated mg-life" in repr(updated)
    instance = await client.get(w.instance_id)
    assert instance.description == "second try" and instance.auto_stop.duration == 4 * 3600

    with pytest.raises(UsageError, match="ModelArts.6334"):
        ip.run_line_magic("devenv", f"update {w.instance_id} --description 'a<b'")
    with pytest.raises(UsageError, match="give --description and/or --auto-stop"):
        ip.run_line_magic("devenv", f"update {w.instance_id}")

    result = ip.run_line_magic("devenv", f"start {w.instance_id} --wait")
    assert repr(result).endswith("… RUNNING")
    ip.run_line_magic("devenv", f"stop {w.instance_id} --wait")
    assert repr(ip.run_line_magic("devenv", f"delete {w.instance_id}")) == f"deleted {w.instance_id}"
    await wait(w, "DELETED", timeout=10)
    assert again.deleted or (await wait(again, "DELETED", timeout=10)) is not None


async def test_api_errors_are_package_errors_that_fail_the_cell(ip):
    with pytest.raises(NotFoundError) as caught:
        ip.run_line_magic("devenv", "get DE-does-not-exist")
    assert caught.value.error_code == "ModelArts.6309" and caught.value.request_id
    with capture_output() as out:
        result = ip.run_cell("%devenv delete DE-does-not-exist")
    assert isinstance(result.error_in_exec, DevEnvError)  # nbclient fails this cell
    shown = out.stdout + out.stderr
    assert "NotFoundError" in shown and "ModelArts.6309" in shown and "Traceback" not in shown


async def test_config_shows_the_effective_connection_with_secrets_masked(ip, shared_server):
    view = ip.run_line_magic("devenv", "config")
    text, page = repr(view), view._repr_html_()
    assert shared_server.endpoint in text
    assert view["project_id"] == shared_server.credentials["project_id"]
    assert view["auth"].startswith("AK/SK")
    for secret in (shared_server.credentials["ak"], shared_server.credentials["sk"]):
        assert secret not in text and secret not in page
    assert "DevEnv.poll_interval" in text and "0.1 s" in text


def test_list_in_a_terminal_without_a_loop(tmp_path, monkeypatch, shared_server):
    shell = make_shell(tmp_path, monkeypatch)
    try:
        shell.run_line_magic("config", f"DevEnv.endpoint = {shared_server.endpoint!r}")
        shell.run_line_magic("config", f"DevEnv.data_dir = {str(shared_server.data_dir)!r}")
        table = shell.run_line_magic("devenv", "list")  # no running loop: asyncio.run, no thread
        assert repr(table).startswith("NAME") or repr(table) == "no instances"
    finally:
        close_shell(shell)


# -- manual, configuration, unload ------------------------------------------------------------------------

def test_manual_has_an_example_per_subcommand(tmp_path, monkeypatch):
    shell = make_shell(tmp_path, monkeypatch)
    try:
        doc = shell.find_line_magic("devenv").__doc__
        for sub in ("create", "list", "get", "watch", "start", "stop", "restart", "delete", "update", "config"):
            assert f"    %devenv {sub}" in doc, sub
        assert "%%devenv create" in doc and "--dry-run" in doc
        assert "%config DevEnv" in doc
        with capture_output() as out:
            shell.run_line_magic("pinfo", "%devenv")
        assert "%devenv create --name demo" in out.stdout
        with capture_output() as out:
            assert shell.run_line_magic("devenv", "create -h") is None
        assert "--auto-stop DURATION" in out.stdout and "::" not in out.stdout  # plain text here too
    finally:
        close_shell(shell)


def test_the_manual_is_clean_text_with_a_working_example_per_subcommand(tmp_path, monkeypatch):
    """``%devenv?`` as IPython's inspector prints it: plain text, flush left, no line a pager
    must wrap, and every example line one the magic's parser accepts as it stands."""
    import shlex

    from nb_devenv.notebook.magics import _PARSER, HELP_WIDTH

    shell = make_shell(tmp_path, monkeypatch)
    try:
        with capture_output() as out:
            shell.run_line_magic("pinfo", "%devenv")
        text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout)  # the terminal's colours
        assert "Create, watch and manage" in shell.object_inspect_text("%devenv")  # what front-ends ask for
    finally:
        close_shell(shell)
    manual = text.split("Docstring:", 1)[1].split("\nFile:", 1)[0].strip("\n")
    lines = manual.splitlines()
    assert lines[0] == "Create, watch and manage ModelArts development environment instances."
    assert "``" not in manual and "::" not in manual and "\n-----" not in manual  # no reST markup
    assert min(len(line) - len(line.lstrip()) for line in lines if line.strip()) == 0  # flush left
    assert max(len(line) for line in lines) <= HELP_WIDTH  # nothing for a pager to wrap
    examples = [line.strip() for line in lines
                if line.startswith(("    %devenv ", "    %%devenv ")) and "[options]" not in line]  # not the synopsis
    subcommands = next(a for a in _PARSER._actions if a.dest == "command").choices
    shown = {shlex.split(example)[1] for example in examples}
    assert set(subcommands) == shown
    for example in examples:  # each example is whole: it parses
        _PARSER.parse_args(shlex.split(example.lstrip("%").split(" ", 1)[1]))


async def test_config_traits(tmp_path, monkeypatch):
    config = Config()
    config.DevEnv.poll_interval_stable = 42.0  # as ipython_config.py would set it
    shell = make_shell(tmp_path, monkeypatch, config)
    try:
        magics = shell.find_magic("devenv").__self__
        assert isinstance(magics, DevEnv) and magics in shell.configurables
        assert magics.poll_interval_stable == 42.0
        settings = magics.settings  # the one object the magics hand to the widgets they make
        shell.run_line_magic("config", "DevEnv.poll_interval = 0.5")
        assert magics.poll_interval == 0.5 and settings.poll_fast == 0.5
        shell.run_line_magic("config", "DevEnv.endpoint = 'http://127.0.0.1:1'")
        assert settings.endpoint == "http://127.0.0.1:1"
        hub = runtime.hub_for(settings)
        assert (hub.fast, hub.slow) == (0.5, 42.0)
        shell.run_line_magic("config", "DevEnv.poll_interval = 0.25")
        assert hub.fast == 0.25 and hub.slow == 42.0, "a hub already polling follows %config"
        shell.run_line_magic("config", "DevEnv.wait_timeout = 5")
        assert settings.wait_timeout == 5 and magics.settings is settings
        assert runtime.hub_for() is not hub, "a widget made without settings gets the defaults"
        with capture_output() as out:
            shell.run_line_magic("config", "DevEnv")
        assert "poll_interval" in out.stdout and "endpoint" in out.stdout
        with pytest.raises(Exception, match="must be > 0"):
            magics.poll_interval = 0
    finally:
        close_shell(shell)


async def test_unload_cancels_every_task_and_closes_the_widgets(ip):
    w = ip.run_line_magic("devenv", f"create --name mg-unload {CPU}")
    await wait(w, "RUNNING", timeout=30)
    form = ip.run_line_magic("devenv", "create")
    w.buttons["Refresh"].click()  # a task on the kernel's loop
    tasks = [t for t in asyncio.all_tasks() if t.get_name().startswith("nb_devenv") and not t.done()]
    assert tasks
    # the polls and the ticks run on the watch thread
    assert [t for t in threading.enumerate() if t.name == watch.THREAD_NAME]
    ip.extension_manager.unload_extension("nb_devenv")
    await asyncio.sleep(0.05)
    left = [t for t in asyncio.all_tasks() if t.get_name().startswith("nb_devenv") and not t.done()]
    assert left == []
    for _ in range(250):  # it closes its clients, then its loop, then ends
        if not [t for t in threading.enumerate() if t.name == watch.THREAD_NAME]:
            break
        await asyncio.sleep(0.02)
    assert not [t for t in threading.enumerate() if t.name == watch.THREAD_NAME]
    assert w.closed and w.comm is None and form.comm is None
    assert ip.find_line_magic("devenv") is None
    assert not [c for c in ip.configurables if isinstance(c, DevEnv)]
    ip.extension_manager.load_extension("nb_devenv")  # and it loads again
    assert ip.find_line_magic("devenv") is not None
