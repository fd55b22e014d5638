"""Faults produced for real: the server killed with SIGKILL inside create, start, stop and
delete, then restarted on the same data directory; instance processes killed; racing creates.

After every crash, each instance must be there with a true status, with no orphan process
and no orphan directory. The server kills itself at an exact point through
``nb_devenv.server.crash_points`` (a ``kill -9`` from outside cannot hit a point between two
writes reliably).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import LAUNCHER, SignedClient, instance_pids, pid_alive, with_process

from nb_devenv.server.crash_points import POINTS

pytestmark = pytest.mark.faults


def body(name: str, **overrides) -> dict:
    request = {"name": name, "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
               "spec": {"storage": {"type": "EVS"}}}
    request.update(overrides)
    return request


def launcher_processes(data_dir: Path) -> set[int]:
    """Every live instance server of ``data_dir``, found by scanning all processes (not by
    what the data directory remembers, which is what a crash may have lost)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if LAUNCHER not in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        runtime = next((item.split(b"=", 1)[1] for item in environ if item.startswith(b"JUPYTER_RUNTIME_DIR=")), b"")
        if runtime.decode().startswith(str(data_dir) + os.sep) and pid_alive(int(entry.name)):
            found.add(int(entry.name))
    return found


def stored(data_dir: Path) -> dict[str, dict]:
    with sqlite3.connect(f"file:{data_dir / 'state.sqlite3'}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return {row["id"]: with_process(dict(row)) for row in db.execute("SELECT * FROM instances")}


def assert_consistent(server, client: SignedClient) -> dict[str, dict]:
    """Every stored instance has a true status; no orphan process, no orphan directory."""
    rows = stored(server.data_dir)
    processes = launcher_processes(server.data_dir)
    running_pids = set()
    for iid, row in rows.items():
        assert row["status"] in ("RUNNING", "STOPPED", "CREATE_FAILED", "START_FAILED"), row
        shown = client.get(iid).json()
        assert shown["status"] == row["status"]
        if row["status"] == "RUNNING":
            assert row["pid"] in processes
            running_pids.add(row["pid"])
            token = client.token(iid).json()["token"]
            status = httpx.get(f"http://127.0.0.1:{row['port']}/api/status",
                               headers={"Authorization": f"token {token}"}, timeout=10)
            assert status.status_code == 200
        else:
            assert row["pid"] is None
    assert processes == running_pids, "an instance server runs that no RUNNING instance owns"
    for tree in [server.data_dir / "instances", *(server.data_dir / "evs").glob("*")]:
        if tree.is_dir():
            leftovers = {entry.name for entry in tree.iterdir()} - set(rows)
            assert not leftovers, f"directories of no instance in {tree}: {leftovers}"
    return rows


def wait_dead(server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while server.process.poll() is None:
        assert time.monotonic() < deadline, "the server did not reach its crash point"
        time.sleep(0.02)
    assert server.process.returncode == -signal.SIGKILL


def quietly(call):
    """A request to a server that may die while answering it."""
    try:
        return call()
    except httpx.HTTPError:
        return None


def running(client, name: str) -> str:
    iid = client.create(body(name)).json()["id"]
    client.wait_status(iid, "RUNNING")
    return iid


def stopped(client, name: str) -> str:
    iid = running(client, name)
    client.action(iid, "stop")
    client.wait_status(iid, "STOPPED")
    return iid


# each scenario: the crash point, what leads there, and the status the instance must end in
# (None: it must be gone)
def _create(client):
    quietly(lambda: client.create(body("crash")))


def _start(client):
    iid = stopped(client, "crash")
    quietly(lambda: client.action(iid, "start"))


def _stop(client):
    iid = running(client, "crash")
    quietly(lambda: client.action(iid, "stop"))


def _delete(client):
    iid = stopped(client, "crash")
    disk = next((Path(client.data_dir) / "evs").glob(f"*/{iid}"))
    (disk / "notes.txt").write_text("kept until the delete")
    quietly(lambda: client.delete(iid))


SCENARIOS = [
    pytest.param("create.stored", _create, "RUNNING", id="create: row stored, nothing started"),
    pytest.param("bring_up.spawned", _create, "RUNNING", id="create: process spawned, not ready"),
    pytest.param("bring_up.ready", _create, "RUNNING", id="create: process ready, RUNNING not recorded"),
    pytest.param("bring_up.spawned:2", _start, "RUNNING", id="start: process spawned, not ready"),
    pytest.param("bring_up.ready:2", _start, "RUNNING", id="start: process ready, RUNNING not recorded"),
    pytest.param("stop.marked", _stop, "STOPPED", id="stop: STOPPING recorded, process alive"),
    pytest.param("stop.terminated", _stop, "STOPPED", id="stop: process gone, STOPPED not recorded"),
    pytest.param("delete.marked", _delete, None, id="delete: row marked, files there"),
    pytest.param("delete.files_removed", _delete, None, id="delete: files gone, row there"),
]


def test_every_crash_point_has_a_scenario():
    assert {p.values[0].split(":")[0] for p in SCENARIOS} == set(POINTS)


@pytest.mark.parametrize("point, lead_there, expected", SCENARIOS)
def test_kill_9_inside_an_operation_then_restart(server_factory, point, lead_there, expected):
    server = server_factory(env={"NB_DEVENV_CRASH_AT": point})
    client = server.client()
    client.data_dir = server.data_dir
    lead_there(client)
    wait_dead(server)

    server.env = {}
    server.start()
    client = server.client()
    rows = stored(server.data_dir)
    if expected is None:
        assert rows == {}
        assert client.list().json()["total_count"] == 0
        assert not list((server.data_dir / "evs").glob("*/*"))
    else:
        (iid,) = rows
        client.wait_status(iid, expected, timeout=45)
    deadline = time.monotonic() + 10
    while True:  # a half-started process is being terminated: give it its grace period
        try:
            assert_consistent(server, client)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_an_instance_killed_while_the_server_is_down_is_stopped_at_boot(local_server):
    client = local_server.client()
    iid = running(client, "killed")
    pid = stored(local_server.data_dir)[iid]["pid"]
    local_server.stop(signal.SIGKILL)
    os.killpg(pid, signal.SIGKILL)
    local_server.start()
    client = local_server.client()
    assert client.get(iid).json()["status"] == "STOPPED"
    assert_consistent(local_server, client)


# --- races ----------------------------------------------------------------------------------------

def _at_once(calls):
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_concurrent_creates_of_one_name_make_one_instance(local_server):
    client = local_server.client()
    clients = [local_server.client() for _ in range(12)]
    answers = _at_once([lambda c=c: c.create(body("same-name", profile_id="Python2")) for c in clients])
    codes = sorted(a.json().get("error_code", "ok") for a in answers)
    assert codes == ["ModelArts.6301"] * 11 + ["ok"]
    assert client.list().json()["total_count"] == 1


def test_concurrent_creates_never_pass_the_quota(server_factory):
    server = server_factory("--max-instances", "3")
    clients = [server.client() for _ in range(12)]
    answers = _at_once([lambda i=i, c=c: c.create(body(f"q{i}", profile_id="Python2")) for i, c in enumerate(clients)])
    accepted = [a for a in answers if a.status_code == 200]
    assert len(accepted) == 3
    assert {a.json()["error_code"] for a in answers if a.status_code != 200} == {"ModelArts.6302"}
    assert server.client().list().json()["total_count"] == 3


def test_kill_9_after_adopting_a_warm_server_then_restart(server_factory):
    """A create that adopted a warm server, killed before RUNNING (and the adopted home) was
    recorded: after the restart the instance runs, and neither the warm server nor its directory
    is left behind as a second, ownerless copy."""
    server = server_factory("--warm-pool", "1", env={"NB_DEVENV_CRASH_AT": "bring_up.ready"})
    client = server.client()
    client.data_dir = server.data_dir
    deadline = time.monotonic() + 30  # the warm server is ready before the create, so it is adopted
    while not instance_pids(server.data_dir):
        assert time.monotonic() < deadline, "no warm server started"
        time.sleep(0.1)
    (warm_pid,) = instance_pids(server.data_dir)
    _create(client)
    wait_dead(server)
    (row,) = stored(server.data_dir).values()
    assert row["pid"] == warm_pid, "the create did not adopt the warm server"  # what this test is about

    server.env = {}
    server.extra_args = ["--warm-pool", "0"]  # no new warm server to tell apart from the instance's
    server.start()
    client = server.client()
    (iid,) = stored(server.data_dir)
    client.wait_status(iid, "RUNNING", timeout=45)
    deadline = time.monotonic() + 10
    while True:  # the adopted server, owned by no record, is being terminated: its grace period
        try:
            rows = assert_consistent(server, client)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert rows[iid]["pid"] != warm_pid or rows[iid]["home"], "a warm server kept without its home recorded"
