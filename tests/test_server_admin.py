"""The local server's admin routes, over HTTP against the real server with real instances:
``GET /_emulator/server`` (what runs, and instance counts) and ``POST /_emulator/shutdown``
(stop every project's instances, then end the server). Only the data directory's own project may
call them."""

from __future__ import annotations

import json
import sqlite3

from conftest import instance_pids, pid_alive

from nb_devenv import __version__
from nb_devenv.server import add_project

CPU_EVS = {"profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u", "spec": {"storage": {"type": "EVS"}}}


def error_of(response) -> str:
    return response.json()["error_code"]


def statuses(data_dir) -> dict[str, str]:
    with sqlite3.connect(f"file:{data_dir / 'state.sqlite3'}?mode=ro", uri=True) as db:
        return dict(db.execute("SELECT name, status FROM instances"))


def test_server_info_counts_every_projects_instances_by_status(local_server):
    admin = local_server.client()
    tenant = local_server.client(add_project(local_server.data_dir, "tenant"))
    first = admin.create({"name": "admin-one", **CPU_EVS}).json()["id"]
    other = tenant.create({"name": "tenant-one", **CPU_EVS}).json()["id"]
    admin.wait_status(first, "RUNNING")
    tenant.wait_status(other, "RUNNING")
    admin.action(first, "stop")
    admin.wait_status(first, "STOPPED")

    info = admin.request("GET", "/_emulator/server")
    assert info.status_code == 200, info.text
    server_json = json.loads((local_server.data_dir / "server.json").read_text())
    assert info.json() == {
        "version": __version__, "pid": local_server.process.pid, "started_at": server_json["started_at"],
        "endpoint": local_server.endpoint, "data_dir": str(local_server.data_dir.resolve()),
        "instances": {"RUNNING": 1, "STOPPED": 1},
    }


def test_only_the_servers_own_project_may_see_or_shut_down_the_server(local_server):
    tenant = local_server.client(add_project(local_server.data_dir, "tenant"))
    for method, path in (("GET", "/_emulator/server"), ("POST", "/_emulator/shutdown")):
        refused = tenant.request(method, path)
        assert refused.status_code == 403 and error_of(refused) == "ModelArts.0108", refused.text
        unsigned = tenant.request(method, path, sign=False)
        assert unsigned.status_code == 401
    assert local_server.process.poll() is None, "a refused shutdown must not end the server"
    assert local_server.client().request("GET", "/_emulator/server").status_code == 200


def test_shutdown_stops_every_projects_instances_then_ends_the_server(local_server):
    admin = local_server.client()
    tenant = local_server.client(add_project(local_server.data_dir, "tenant"))
    running = admin.create({"name": "keeps-running", **CPU_EVS}).json()["id"]
    theirs = tenant.create({"name": "tenants", **CPU_EVS}).json()["id"]
    stopped = admin.create({"name": "already-stopped", **CPU_EVS}).json()["id"]
    for client, iid in ((admin, running), (tenant, theirs), (admin, stopped)):
        client.wait_status(iid, "RUNNING")
    admin.action(stopped, "stop")
    admin.wait_status(stopped, "STOPPED")
    starting = admin.create({"name": "still-starting", **CPU_EVS}).json()["id"]  # not RUNNING yet
    pids = instance_pids(local_server.data_dir)
    assert len(pids) >= 2

    answer = admin.request("POST", "/_emulator/shutdown")
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["pid"] == local_server.process.pid
    assert {(i["id"], i["name"]) for i in document["stopped"]} == {
        (running, "keeps-running"), (theirs, "tenants"), (starting, "still-starting")}
    assert {(i["project_id"], i["project"]) for i in document["stopped"]} == {
        (admin.project_id, "local"), (tenant.project_id, "tenant")}

    assert local_server.process.wait(15) == 0, local_server.stderr_text()
    assert not (local_server.data_dir / "server.json").exists()
    assert not [pid for pid in pids if pid_alive(pid)], "instance servers left running"
    assert not instance_pids(local_server.data_dir)
    assert set(statuses(local_server.data_dir).values()) == {"STOPPED"}

    # the data directory is free again, and the next server finds clean stops, not crashes
    local_server.start()
    for client, iid in ((local_server.client(), running), (local_server.client(), starting)):
        details = client.get(iid).json()
        assert details["status"] == "STOPPED" and details["spec"]["failed_reasons"] is None
