"""``nb-devenv`` as a user runs it: a real process talking to a real local server."""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import os
import re
import stat
import subprocess
import sys
import time

import instance_probe
import pytest
from conftest import instance_pids, kill_instances, pid_alive

import nb_devenv
from nb_devenv.cli import build_parser


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def run_cli(*args: str, env: dict | None = None, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nb_devenv", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


@pytest.fixture(scope="module")
def cli_env(shared_server):
    """Point the CLI at the shared server; credentials come from its data directory."""
    return {"NB_DEVENV_ENDPOINT": shared_server.endpoint, "NB_DEVENV_DATA_DIR": str(shared_server.data_dir)}


def assert_next_steps(stdout: str, instance_id: str, running: bool) -> None:
    """After a create, the CLI says how to open, stop and delete the instance (and, while it is
    not running yet, how to watch it come up)."""
    steps = re.findall(r"^(\w+) it: +nb-devenv (\w+) (\S+)", stdout, re.M)
    verbs = ["open", "stop", "delete"] if running else ["watch", "open", "stop", "delete"]
    assert steps == [(verb, verb, instance_id) for verb in verbs], stdout


def _assert_no_secret(server, *texts: str) -> None:
    for text in texts:
        for key in ("sk", "password"):
            assert server.credentials[key] not in text


def test_create_wait_open_stop_delete(shared_server, cli_env):
    done = run_cli("create", "--name", "cli-life", "--profile", "Python3", "--flavor", "modelarts.vm.cpu.2u",
                   "--auto-stop", "1h", "--wait", env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "status:      RUNNING" in done.stdout
    assert re.search(r"time left:   00:59:\d\d", done.stdout)
    instance_id = re.search(r"nb-devenv open (DE-[\w-]+)", done.stdout)[1]
    assert_next_steps(done.stdout, instance_id, running=True)

    opened = run_cli("open", instance_id, env=cli_env)
    assert opened.returncode == 0, opened.stderr
    url = opened.stdout.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/lab\?token=\w+", url), url
    # it lands on the instance's JupyterLab, logged in, as in a browser
    assert asyncio.run(instance_probe.open_jupyterlab(url)) == url.split("?")[0]

    listed = run_cli("list", "--json", env=cli_env)
    assert instance_id in {i["id"] for i in json.loads(listed.stdout)["instances"]}
    table = run_cli("list", env=cli_env).stdout
    assert table.splitlines()[0].split() == ["NAME", "ID", "STATUS", "FLAVOR", "STORAGE", "TIME", "LEFT"]

    stopped = run_cli("stop", instance_id, "--wait", env=cli_env)
    assert stopped.returncode == 0 and "status:      STOPPED" in stopped.stdout
    updated = run_cli("update", instance_id, "--auto-stop", "off", "--description", "done", "--json", env=cli_env)
    data = json.loads(updated.stdout)
    assert data["spec"]["auto_stop"]["enable"] is False and data["description"] == "done"
    deleted = run_cli("delete", instance_id, env=cli_env)
    assert deleted.returncode == 0 and deleted.stdout.strip() == f"deleted {instance_id}"
    _assert_no_secret(shared_server, done.stdout, done.stderr, listed.stdout, stopped.stdout)


def test_invalid_create_prints_every_violation_and_sends_nothing(shared_server, cli_env):
    before = json.loads(run_cli("list", "--json", env=cli_env).stdout)["total_count"]
    done = run_cli("create", "--name", "bad/name", "--profile", "Python3", "--flavor", "modelarts.vm.cpu.2u",
                   "--storage", "OBS", "--path", "bucket", "--auto-stop", "30m", env=cli_env)
    assert done.returncode == 1
    for code, field in (("ModelArts.6334", "name"), ("ModelArts.6318", "spec.storage.location.path"),
                        ("ModelArts.6358", "spec.storage.location.path"),
                        ("ModelArts.6349", "spec.auto_stop.duration")):
        assert re.search(rf"{re.escape(code)}\s+{re.escape(field)}:", done.stderr), done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(run_cli("list", "--json", env=cli_env).stdout)["total_count"] == before


def test_body_file_with_flag_override_and_dry_run(tmp_path, cli_env):
    body = tmp_path / "body.yaml"
    body.write_text("name: from-file\nprofile_id: Python3\nflavor: modelarts.vm.cpu.2u\n"
                    "spec:\n  storage:\n    type: obs\n    location:\n      path: my-bucket/work/\n"
                    "  auto_stop: {enable: true, duration: 3600}\n")
    done = run_cli("create", "-f", str(body), "--name", "from-flags", "--auto-stop", "2h", "--dry-run", env=cli_env)
    assert done.returncode == 0, done.stderr
    sent = json.loads(done.stdout)
    assert sent["name"] == "from-flags" and sent["spec"]["storage"]["location"]["path"] == "my-bucket/work/"
    assert sent["spec"]["auto_stop"] == {"enable": True, "duration": 7200}
    listed = json.loads(run_cli("list", "--json", env=cli_env).stdout)
    assert "from-flags" not in {i["name"] for i in listed["instances"]}, "a dry run sends nothing"


def test_malformed_body_reports_line_and_column(tmp_path, cli_env):
    body = tmp_path / "broken.yaml"
    body.write_text("name: x\nspec: {storage: [\n")
    done = run_cli("create", "-f", str(body), env=cli_env)
    assert done.returncode == 1
    assert re.search(r"line \d+, column \d+", done.stderr), done.stderr
    missing = run_cli("create", "-f", str(tmp_path / "nope.yaml"), env=cli_env)
    assert missing.returncode == 1 and "nope.yaml" in missing.stderr and "Traceback" not in missing.stderr


def test_api_errors_print_code_and_exit_1(cli_env):
    done = run_cli("get", "DE-does-not-exist", env=cli_env)
    assert done.returncode == 1
    assert "NotFoundError" in done.stderr and "ModelArts.6309" in done.stderr and "request id" in done.stderr


def test_projects_create_writes_a_private_credentials_file(shared_server, tmp_path):
    output = tmp_path / "other.json"
    done = run_cli("projects", "create", "other", "--data-dir", str(shared_server.data_dir), "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    other = json.loads(output.read_text())
    assert other["project_id"] != shared_server.credentials["project_id"]
    assert other["sk"] not in done.stdout


def test_with_no_endpoint_the_cli_starts_the_local_server_once(tmp_path):
    data_dir = tmp_path / "auto"
    env = {"NB_DEVENV_DATA_DIR": str(data_dir), "NB_DEVENV_ENDPOINT": "", "NB_DEVENV_REGION": ""}
    try:
        first = run_cli("list", env=env)
        assert first.returncode == 0, first.stderr
        server = json.loads((data_dir / "server.json").read_text())
        credentials = data_dir / "credentials.json"
        assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
        second = run_cli("list", env=env)
        assert second.returncode == 0
        assert json.loads((data_dir / "server.json").read_text())["pid"] == server["pid"], "reused, not restarted"
    finally:
        kill_instances(data_dir)
        info = data_dir / "server.json"
        if info.exists():
            os.kill(json.loads(info.read_text())["pid"], 15)


def test_watch_prints_each_change_until_the_wanted_status(shared_server, cli_env):
    done = run_cli("create", "--name", "cli-watch", "--profile", "Python3", "--flavor", "modelarts.vm.cpu.2u",
                   "--auto-stop", "2h", env=cli_env)
    assert done.returncode == 0, done.stderr
    created = {"id": re.search(r"^id:\s+(DE-[\w-]+)$", done.stdout, re.M)[1]}
    assert_next_steps(done.stdout, created["id"], running=False)
    watched = run_cli("watch", created["id"], "--until", "RUNNING", "--json", env=cli_env)
    assert watched.returncode == 0, watched.stderr
    lines = [json.loads(line) for line in watched.stdout.splitlines()]
    assert lines[-1]["status"] == "RUNNING" and 7190 <= lines[-1]["remain_time"] <= 7200
    plain = run_cli("watch", created["id"], "--until", "RUNNING", env=cli_env)
    assert re.search(r"cli-watch  RUNNING  auto-stop in 01:59:\d\d", plain.stdout), plain.stdout
    run_cli("stop", created["id"], "--wait", env=cli_env)
    assert run_cli("delete", created["id"], env=cli_env).returncode == 0


# --- the command line itself ---------------------------------------------------------------------

def test_version_is_the_installed_packages():
    done = run_cli("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"nb-devenv {importlib.metadata.version('nb_devenv')}\n"
    assert done.stdout.split()[1] == nb_devenv.__version__


def _parsers(parser: argparse.ArgumentParser, path: str = "nb-devenv"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, f"{path} {name}")


def test_every_flag_and_positional_of_every_command_has_help():
    missing = []
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            name = "/".join(action.option_strings) or action.dest
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{path}: {name}")
            if isinstance(action, argparse._SubParsersAction):
                missing += [f"{path} {choice.dest}" for choice in action._choices_actions if not choice.help]
    assert not missing, "no help for: " + ", ".join(missing)
    assert len(list(_parsers(build_parser()))) >= 16  # the walk reached the subcommands


@pytest.mark.parametrize("argv, usage, wrong, right", [
    (["create", "--nmae", "x"], "nb-devenv create", "--nmae", "--name"),
    (["list", "--stauts=RUNNING"], "nb-devenv list", "--stauts=RUNNING", "--status"),
    (["server", "stop", "--data-dri", "d"], "nb-devenv server stop", "--data-dri", "--data-dir"),
    (["projects", "create", "p", "--outptu", "f"], "nb-devenv projects create", "--outptu", "--output"),
])
def test_a_misspelt_flag_shows_the_subcommands_usage_and_the_closest_flag(argv, usage, wrong, right):
    done = run_cli(*argv, env={"NB_DEVENV_ENDPOINT": "http://127.0.0.1:9"})
    assert done.returncode == 2 and done.stdout == ""
    first, *_, last = done.stderr.strip().splitlines()
    assert first.startswith(f"usage: {usage} [-h]")
    assert last.startswith(f"{usage}: error: unrecognized arguments: {wrong}")
    assert last.endswith(f"(did you mean {right}?)")


# --- the background server: status and stop ------------------------------------------------------

def test_server_status_and_stop_cover_every_project_and_leave_nothing_running(tmp_path):
    data_dir = tmp_path / "background"
    own = {"NB_DEVENV_DATA_DIR": str(data_dir), "NB_DEVENV_ENDPOINT": "", "NB_DEVENV_REGION": ""}
    where = ("--data-dir", str(data_dir))
    try:
        none = run_cli("server", "status", *where)
        assert none.returncode == 3 and none.stdout == f"no nb-devenv server is running for {data_dir}\n"

        # the first create starts the background server; --wait --json prints JSON lines only
        mine = run_cli("create", "--name", "mine", "--profile", "Python3", "--flavor", "modelarts.vm.cpu.2u",
                       "--wait", "--json", env=own)
        assert mine.returncode == 0, mine.stderr
        mine_id = [json.loads(line) for line in mine.stdout.splitlines()][-1]["id"]
        server = json.loads((data_dir / "server.json").read_text())
        added = run_cli("projects", "create", "tenant", *where, "--output", str(tmp_path / "tenant.json"))
        assert added.returncode == 0, added.stderr
        tenant = json.loads((tmp_path / "tenant.json").read_text())
        theirs = run_cli("create", "--name", "theirs", "--profile", "Python3", "--flavor", "modelarts.vm.cpu.2u",
                         "--wait", "--json",
                         env={**own, "NB_DEVENV_ENDPOINT": server["endpoint"], "HUAWEICLOUD_SDK_AK": tenant["ak"],
                              "HUAWEICLOUD_SDK_SK": tenant["sk"], "HUAWEICLOUD_SDK_PROJECT_ID": tenant["project_id"]})
        assert theirs.returncode == 0, theirs.stderr
        theirs_id = [json.loads(line) for line in theirs.stdout.splitlines()][-1]["id"]
        instances = instance_pids(data_dir)  # and the warm pool's server: the stop ends it too
        assert len(instance_pids(data_dir, warm=False)) == 2

        status = run_cli("server", "status", *where)
        assert status.returncode == 0, status.stderr
        lines = dict(line.split(":", 1) for line in status.stdout.splitlines()[1:])
        assert status.stdout.startswith("nb-devenv server is running\n")
        assert lines["endpoint"].strip() == server["endpoint"] and lines["pid"].strip() == str(server["pid"])
        assert lines["data dir"].strip() == str(data_dir.resolve())
        assert lines["instances"].strip() == "2 RUNNING (all projects)"
        assert lines["version"].strip() == nb_devenv.__version__ and lines["started at"].strip()
        as_json = json.loads(run_cli("server", "status", "--json", *where).stdout)
        assert as_json["instances"] == {"RUNNING": 2} and as_json["started_at"] == server["started_at"]

        stopped = run_cli("server", "stop", *where)
        assert stopped.returncode == 0, stopped.stderr
        *instances_lines, server_line = stopped.stdout.splitlines()
        assert sorted(instances_lines) == [f"stopped instance mine ({mine_id})",
                                           f"stopped instance theirs ({theirs_id}, project tenant)"]
        assert server_line == f"stopped the nb-devenv server (pid {server['pid']}, {server['endpoint']}) of {data_dir}"
        assert not (data_dir / "server.json").exists()
        assert not any(pid_alive(pid) for pid in instances), "instance servers left running"
        assert wait_for(lambda: not pid_alive(server["pid"])), "the server process is still there"

        after = run_cli("server", "status", *where)
        assert after.returncode == 3 and "no nb-devenv server is running" in after.stdout
        again = run_cli("server", "stop", *where)
        assert again.returncode == 0 and again.stdout == f"no nb-devenv server is running for {data_dir}\n"
    finally:
        kill_instances(data_dir)
        info = data_dir / "server.json"
        if info.exists():
            os.kill(json.loads(info.read_text())["pid"], 15)
