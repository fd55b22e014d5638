"""The warm pool (``serve --warm-pool N``): Jupyter servers started ahead that a create adopts.

All on real processes: the server, its warm Jupyter servers, the instances' kernels.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import time
from pathlib import Path

import instance_probe
from conftest import pid_alive
from test_server import body, db_instance, error_of, jupyter


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def warm_servers(data_dir: Path) -> dict[str, int]:
    """``{home: pid}`` of the live Jupyter servers in ``instances/`` that no instance owns."""
    with sqlite3.connect(f"file:{data_dir / 'state.sqlite3'}?mode=ro", uri=True, timeout=5) as db:
        owned = {value for row in db.execute("SELECT id, home FROM instances") for value in row if value}
    found = {}
    for runtime_file in data_dir.glob("instances/*/runtime/jpserver-*.json"):
        home = runtime_file.parents[1].name
        try:
            pid = int(json.loads(runtime_file.read_text())["pid"])
        except (OSError, ValueError, KeyError):
            continue  # being written
        if home not in owned and pid_alive(pid):
            found[home] = pid
    return found


def wait_for(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.05)


def test_a_create_adopts_a_warm_server_and_the_pool_refills(server_factory):
    server = server_factory("--warm-pool", "1", "--max-instances", "1")
    client = server.client()
    (home, warm_pid), = wait_for(lambda: warm_servers(server.data_dir), what="warm server").items()
    warm_token = _environ(warm_pid)["JUPYTER_TOKEN"]
    assert client.list().json()["total_count"] == 0  # a warm server is no instance

    iid = client.create(body("adopter", spec={"storage": {"type": "EVS"},
                                              "auto_stop": {"enable": True, "duration": 3600}})).json()["id"]
    running = client.wait_status(iid, "RUNNING")
    record = db_instance(server.data_dir, iid)
    assert (record["pid"], record["home"]) == (warm_pid, home)
    token = client.token(iid).json()["token"]
    assert token == warm_token  # the warm server's token is the instance's, and only its
    # the quota counts the instance, not the warm servers (here one before, one after)
    assert error_of(client.create(body("over-quota"))) == "ModelArts.6302"

    # it runs code, in a working directory of its own that holds nothing but what it writes
    assert "42" in asyncio.run(instance_probe.probe(running["spec"]["annotations"]["url"], token))
    assert jupyter(running, token, path="api/contents").json()["content"] == []
    put = jupyter(running, token, "PUT", "api/contents/mine.txt",
                  json={"type": "file", "format": "text", "content": "kept across stop/start"})
    assert put.status_code in (200, 201)
    assert (server.data_dir / "instances" / home / "work" / "mine.txt").read_text() == "kept across stop/start"

    # the pool refills with a new server, which nothing shows: not the list, not the instance
    new_home, new_pid = next(iter(wait_for(lambda: warm_servers(server.data_dir), what="refill").items()))
    assert new_home != home and new_pid != warm_pid
    new_token = _environ(new_pid)["JUPYTER_TOKEN"]
    listed = client.list().text
    assert listed.count('"id"') >= 1 and new_token not in listed and token not in listed
    assert new_token not in client.get(iid).text and new_token != token

    # auto-stop, start (cold, in the same working directory), stop and delete as for any instance
    assert client.advance_clock(3600).status_code == 200
    client.wait_status(iid, "STOPPED", timeout=30)
    assert not pid_alive(warm_pid)
    client.action(iid, "start")
    restarted = client.wait_status(iid, "RUNNING")
    assert db_instance(server.data_dir, iid)["pid"] != warm_pid
    assert client.token(iid).json()["token"] == token
    names = [item["name"] for item in jupyter(restarted, token, path="api/contents").json()["content"]]
    assert names == ["mine.txt"]
    client.action(iid, "stop")
    client.wait_status(iid, "STOPPED", timeout=30)
    assert client.delete(iid).status_code == 200
    wait_for(lambda: not (server.data_dir / "instances" / home).exists(), what="removal of the files")

    # a server that stops ends its warm servers
    assert server.stop() == 0
    assert not pid_alive(new_pid)
    assert not (server.data_dir / "instances" / new_home).exists()


def test_obs_storage_starts_cold_and_a_killed_servers_warm_servers_are_orphans(server_factory):
    server = server_factory("--warm-pool", "1")
    client = server.client()
    (home, warm_pid), = wait_for(lambda: warm_servers(server.data_dir), what="warm server").items()
    iid = client.create(body("obs-cold", spec={"storage": {"type": "obs",
                                                           "location": {"path": "obs-bucket/cold/"}}})).json()["id"]
    client.wait_status(iid, "RUNNING")
    record = db_instance(server.data_dir, iid)
    assert record["home"] is None and record["pid"] != warm_pid
    assert warm_servers(server.data_dir) == {home: warm_pid}  # still waiting for a fitting create

    server.stop(signal.SIGKILL)
    assert pid_alive(warm_pid)
    server.extra_args = ["--warm-pool", "0"]
    server.start()
    assert not pid_alive(warm_pid)  # terminated as an orphan by the boot's reconcile
    assert not (server.data_dir / "instances" / home).exists()
    assert server.client().get(iid).json()["status"] == "RUNNING"  # the instance was re-adopted
    assert warm_servers(server.data_dir) == {}


def test_with_warm_pool_0_every_create_starts_cold(server_factory):
    server = server_factory("--warm-pool", "0")
    client = server.client()
    iid = client.create(body("cold")).json()["id"]
    client.wait_status(iid, "RUNNING")
    assert db_instance(server.data_dir, iid)["home"] is None
    assert (server.data_dir / "evs" / server.credentials["project_id"] / iid).is_dir()
    assert warm_servers(server.data_dir) == {}
