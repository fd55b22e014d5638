"""The local DevEnviron server, end to end: real HTTP, real SQLite, real Jupyter processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx
import pytest
from conftest import SignedClient, instance_pids, pid_alive, with_process

from nb_devenv.core import signing
from nb_devenv.server import add_project


def body(name: str, **overrides) -> dict:
    request = {
        "name": name,
        "profile_id": "Python3",
        "flavor": "modelarts.vm.cpu.2u",
        "spec": {"storage": {"type": "EVS"}},
    }
    request.update(overrides)
    return request


def db_instance(data_dir, instance_id: str) -> dict:
    with sqlite3.connect(f"file:{data_dir / 'state.sqlite3'}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM instances WHERE id = ?", (instance_id,)).fetchone()
    return with_process(dict(row)) if row else {}


def jupyter(instance: dict, token: str | None, method: str = "GET", path: str = "api/status", **kwargs):
    headers = {"Authorization": f"token {token}"} if token else {}
    # the url is the instance's JupyterLab (…/lab): the server's API is beside it
    return httpx.request(method, urljoin(instance["spec"]["annotations"]["url"], path), headers=headers,
                         timeout=10, **kwargs)


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def error_of(response: httpx.Response) -> str:
    document = response.json()
    assert document["request_id"] == response.headers["X-Request-Id"]
    return document["error_code"]


# --- the whole lifecycle on real processes --------------------------------------------------------

def test_evs_instance_lifecycle_with_real_jupyter(shared_server):
    client = shared_server.client()
    started = time.monotonic()
    created = client.create(body("evs-life", description="first"))
    assert created.status_code == 200, created.text
    assert created.headers["Content-Type"].startswith("application/json")
    instance = created.json()
    assert instance["status"] == "CREATING"
    assert instance["id"].startswith("DE-")
    assert isinstance(instance["creation_timestamp"], str) and len(instance["creation_timestamp"]) == 13
    assert instance["spec"]["storage"] == {"type": "EVS", "location": {"volume_size": 5}}
    assert instance["spec"]["annotations"]["url"] == ""
    assert instance["spec"]["failed_reasons"] is None and instance["spec"]["extend_params"] is None
    assert instance["workspace"] == {"id": "0"} and instance["ai_project"] == {"id": "default-ai-project"}
    assert instance["flavor_details"]["is_permitted"] is True
    iid = instance["id"]

    running = client.wait_status(iid, "RUNNING")
    print(f"create -> RUNNING: {time.monotonic() - started:.2f} s")
    url = running["spec"]["annotations"]["url"]
    assert url.startswith("http://127.0.0.1:") and url.endswith("/lab") and "token" not in url
    assert "remain_time" not in running["spec"]["auto_stop"]  # auto-stop is off

    token = client.token(iid).json()["token"]
    assert len(token) == 32
    assert jupyter(running, token).status_code == 200
    assert jupyter(running, None).status_code in (401, 403)
    assert jupyter(running, "wrong-token").status_code in (401, 403)

    pid = db_instance(shared_server.data_dir, iid)["pid"]
    assert pid_alive(pid)
    # the instance's working dir is its EVS disk
    put = jupyter(running, token, "PUT", "api/contents/hello.txt",
                  json={"type": "file", "format": "text", "content": "kept across stop/start"})
    assert put.status_code in (200, 201), put.text
    evs = shared_server.data_dir / "evs" / client.project_id / iid
    assert (evs / "hello.txt").read_text() == "kept across stop/start"

    # running instances cannot be deleted or started
    assert error_of(client.delete(iid)) == "ModelArts.6304"
    assert error_of(client.action(iid, "start")) == "ModelArts.6305"

    stop = client.action(iid, "stop")
    assert stop.json() == {"current_status": "STOPPING", "previous_state": "RUNNING"}
    stopped = client.wait_status(iid, "STOPPED", timeout=15)
    assert stopped["spec"]["annotations"]["url"] == ""
    assert not pid_alive(pid)
    assert (evs / "hello.txt").exists()

    assert client.action(iid, "start").json() == {"current_status": "STARTING", "previous_state": "STOPPED"}
    again = client.wait_status(iid, "RUNNING")
    assert client.token(iid).json()["token"] == token  # stable across stop/start
    content = jupyter(again, token, "GET", "api/contents/hello.txt").json()
    assert content["content"] == "kept across stop/start"

    restart = client.action(iid, "restart").json()
    assert restart == {"current_status": "RESTARTING", "previous_state": "RUNNING"}
    old_pid = db_instance(shared_server.data_dir, iid)["pid"]
    client.wait_status(iid, "RUNNING")
    assert db_instance(shared_server.data_dir, iid)["pid"] != old_pid
    assert not pid_alive(old_pid)

    client.action(iid, "stop")
    client.wait_status(iid, "STOPPED", timeout=15)
    assert client.delete(iid).json() == {"instance_id": iid}
    assert not evs.exists()
    assert error_of(client.get(iid)) == "ModelArts.6309"


def test_obs_path_maps_to_emulated_bucket_and_survives_delete(shared_server):
    client = shared_server.client()
    request = body("obs-life", spec={"storage": {"type": "obs", "location": {"path": "obs-bucket/test/"}}})
    iid = client.create(request).json()["id"]
    running = client.wait_status(iid, "RUNNING")
    assert running["spec"]["storage"] == {"type": "obs", "location": {"path": "obs-bucket/test/"}}
    token = client.token(iid).json()["token"]
    put = jupyter(running, token, "PUT", "api/contents/data.csv",
                  json={"type": "file", "format": "text", "content": "a,b\n"})
    assert put.status_code in (200, 201)
    bucket_dir = shared_server.data_dir / "obs" / client.project_id / "obs-bucket" / "test"
    assert (bucket_dir / "data.csv").read_text() == "a,b\n"
    client.action(iid, "stop")
    client.wait_status(iid, "STOPPED", timeout=15)
    assert client.delete(iid).status_code == 200
    assert (bucket_dir / "data.csv").exists()  # OBS files outlive the instance


def test_auto_stop_really_stops_the_process(shared_server):
    client = shared_server.client()
    request = body("auto-stop", spec={"storage": {"type": "evs"}, "auto_stop": {"enable": True, "duration": 3600}})
    iid = client.create(request).json()["id"]
    running = client.wait_status(iid, "RUNNING")
    auto = running["spec"]["auto_stop"]
    assert auto["enable"] is True and auto["duration"] == 3600 and auto["prompt"] is True
    assert 3590 <= auto["remain_time"] <= 3600
    deadline = auto["stop_timestamp"]
    pid = db_instance(shared_server.data_dir, iid)["pid"]

    # a new duration while RUNNING takes effect at the next start only
    updated = client.update(iid, {"description": "longer next time",
                                  "spec": {"auto_stop": {"enable": True, "duration": 7200}}}).json()
    assert updated["description"] == "longer next time"
    assert updated["spec"]["auto_stop"]["duration"] == 7200
    assert updated["spec"]["auto_stop"]["stop_timestamp"] == deadline

    clock = client.request("GET", "/_emulator/clock").json()
    advanced = client.advance_clock(3000).json()
    assert advanced["offset_ms"] == clock["offset_ms"] + 3_000_000
    almost = client.get(iid)
    assert almost.json()["status"] == "RUNNING"
    assert almost.json()["spec"]["auto_stop"]["remain_time"] <= 600
    # the Date header follows the lifecycle clock, so clients agree with remain_time
    server_date = parsedate_to_datetime(almost.headers["Date"]).timestamp()
    assert server_date > time.time() + 2900

    client.advance_clock(601)
    client.wait_status(iid, ["STOPPING", "STOPPED"], timeout=5)
    stopped = client.wait_status(iid, "STOPPED", timeout=15)
    assert "remain_time" not in stopped["spec"]["auto_stop"]
    assert stopped["spec"]["failed_reasons"] is None
    assert wait_until(lambda: not pid_alive(pid), 5)

    # next start uses the new duration; enable:false cancels the pending stop at once
    client.action(iid, "start")
    restarted = client.wait_status(iid, "RUNNING")
    assert 7190 <= restarted["spec"]["auto_stop"]["remain_time"] <= 7200
    off = client.update(iid, {"spec": {"auto_stop": {"enable": False}}}).json()
    assert "stop_timestamp" not in off["spec"]["auto_stop"]
    client.advance_clock(8000)
    time.sleep(1.2)
    assert client.get(iid).json()["status"] == "RUNNING"
    client.action(iid, "stop")
    client.wait_status(iid, "STOPPED", timeout=15)
    client.delete(iid)


def test_process_that_dies_is_reported_stopped(shared_server):
    client = shared_server.client()
    iid = client.create(body("dies")).json()["id"]
    client.wait_status(iid, "RUNNING")
    pid = db_instance(shared_server.data_dir, iid)["pid"]
    os.killpg(pid, signal.SIGKILL)
    stopped = client.wait_status(iid, "STOPPED", timeout=10)
    reasons = stopped["spec"]["failed_reasons"]
    assert "exited unexpectedly with exit code -9" in reasons["message"]
    assert stopped["spec"]["annotations"]["url"] == ""
    client.delete(iid)


def test_several_concurrent_creates_all_run(shared_server):
    client = shared_server.client()
    started = time.monotonic()
    ids = [client.create(body(f"many-{i}")).json()["id"] for i in range(3)]
    for iid in ids:
        client.wait_status(iid, "RUNNING", timeout=60)
    print(f"3 concurrent creates -> RUNNING: {time.monotonic() - started:.2f} s")
    ports = {client.get(iid).json()["spec"]["annotations"]["url"] for iid in ids}
    assert len(ports) == 3
    for iid in ids:
        client.action(iid, "stop")
    for iid in ids:
        client.wait_status(iid, "STOPPED", timeout=15)
        client.delete(iid)


# --- profiles and flavors this machine cannot run, permissions, quota ---------------------------------

def test_python2_profile_fails_with_a_clear_reason(shared_server):
    client = shared_server.client()
    iid = client.create(body("py2", profile_id="Python2")).json()["id"]
    failed = client.wait_status(iid, "CREATE_FAILED", timeout=10)
    reasons = failed["spec"]["failed_reasons"]
    assert reasons["code"].startswith("ModelArts.")
    assert "Python 2 is not available on this machine" in reasons["message"]
    assert error_of(client.action(iid, "start")) == "ModelArts.6357"
    assert client.delete(iid).status_code == 200


def test_flavor_permission_quota_and_duplicates(server_factory):
    plain = server_factory().client()
    refused = plain.create(body("gpu", profile_id="Python3-gpu", flavor="modelarts.vm.gpu.2p100"))
    assert refused.status_code == 400 and error_of(refused) == "ModelArts.6328"

    server = server_factory("--grant-flavor", "modelarts.vm.gpu.2p100", "--max-instances", "2")
    client = server.client()
    granted = client.create(body("gpu", profile_id="Python3-gpu", flavor="modelarts.vm.gpu.2p100"))
    assert granted.status_code == 200, granted.text
    assert granted.json()["flavor_details"]["is_permitted"] is True
    failed = client.wait_status(granted.json()["id"], ["CREATE_FAILED", "RUNNING"], timeout=30)
    if not os.path.exists("/dev/nvidia0"):
        assert failed["status"] == "CREATE_FAILED"
        assert "no GPU" in failed["spec"]["failed_reasons"]["message"]

    assert error_of(client.create(body("gpu", profile_id="Python2"))) == "ModelArts.6301"
    second = client.create(body("second", profile_id="Python2"))
    assert second.status_code == 200
    third = client.create(body("third", profile_id="Python2"))
    assert error_of(third) == "ModelArts.6302"
    # the quota is per project
    other = add_project(server.data_dir, "quota-other")
    assert server.client(other).create(body("third", profile_id="Python2")).status_code == 200


# --- list ----------------------------------------------------------------------------------------

def test_list_filters_sorts_and_pages(local_server):
    client = local_server.client()
    names = ["c-one", "a-two", "b-three"]
    ids = {}
    for name in names:
        ids[name] = client.create(body(name, profile_id="Python2")).json()["id"]
        time.sleep(0.01)
    for iid in ids.values():
        client.wait_status(iid, "CREATE_FAILED")
    everything = client.list().json()
    assert everything["total_count"] == 3
    assert [i["name"] for i in everything["instances"]] == ["a-two", "b-three", "c-one"]
    newest_first = client.list(sortby="creation_timestamp", order="desc").json()
    assert [i["name"] for i in newest_first["instances"]] == ["b-three", "a-two", "c-one"]
    page = client.list(offset=1, limit=1).json()
    assert page["total_count"] == 3 and [i["name"] for i in page["instances"]] == ["b-three"]
    assert client.list(status="RUNNING").json() == {"total_count": 0, "instances": []}
    assert client.list(workspace_id="other").json()["total_count"] == 0
    bad = client.list(sortby="status")
    assert error_of(bad) == "ModelArts.6303"
    missing = client.request("GET", client.base)  # de_type is required
    assert missing.status_code == 400


# --- restart of the server -----------------------------------------------------------------------

def test_server_restart_readopts_and_reconciles(local_server):
    client = local_server.client()
    credentials = dict(local_server.credentials)
    keep = client.create(body("keep")).json()["id"]
    dead = client.create(body("dead")).json()["id"]
    stopped = client.create(body("stays-stopped", profile_id="Python2")).json()["id"]
    client.wait_status(keep, "RUNNING")
    client.wait_status(dead, "RUNNING")
    client.wait_status(stopped, "CREATE_FAILED")
    keep_pid = db_instance(local_server.data_dir, keep)["pid"]
    dead_pid = db_instance(local_server.data_dir, dead)["pid"]

    assert local_server.stop() == 0
    assert not (local_server.data_dir / "server.json").exists()
    assert pid_alive(keep_pid) and pid_alive(dead_pid)  # instances outlive the server
    os.killpg(dead_pid, signal.SIGKILL)
    assert wait_until(lambda: not pid_alive(dead_pid), 5)

    local_server.start()
    same = {k: v for k, v in local_server.credentials.items() if k not in ("endpoint", "iam_endpoint")}
    assert same == {k: v for k, v in credentials.items() if k not in ("endpoint", "iam_endpoint")}
    client = local_server.client()
    adopted = client.get(keep).json()
    assert adopted["status"] == "RUNNING"
    assert db_instance(local_server.data_dir, keep)["pid"] == keep_pid
    token = client.token(keep).json()["token"]
    assert jupyter(adopted, token).status_code == 200
    reconciled = client.get(dead).json()
    assert reconciled["status"] == "STOPPED"
    assert "no longer running" in reconciled["spec"]["failed_reasons"]["message"]
    assert client.get(stopped).json()["status"] == "CREATE_FAILED"

    # a re-adopted instance (not our child) can still be stopped for real
    client.action(keep, "stop")
    client.wait_status(keep, "STOPPED", timeout=15)
    assert wait_until(lambda: not pid_alive(keep_pid), 5)


def test_server_killed_mid_start_redoes_the_start_without_orphans(local_server):
    client = local_server.client()
    iid = client.create(body("interrupted")).json()["id"]
    time.sleep(0.2)  # the Jupyter process is spawned but not ready yet
    local_server.stop(signal.SIGKILL)
    assert db_instance(local_server.data_dir, iid)["status"] in ("CREATING", "STARTING")
    local_server.start()
    client = local_server.client()
    running = client.wait_status(iid, "RUNNING")
    assert running["spec"]["failed_reasons"] is None
    # exactly one live Jupyter server for the instance: the half-started one was terminated
    assert wait_until(lambda: len(instance_pids(local_server.data_dir)) == 1, 5)


def test_second_server_on_same_data_dir_is_refused(local_server):
    result = subprocess.run(
        [sys.executable, "-m", "nb_devenv.server", "--port", "0", "--data-dir", str(local_server.data_dir)],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(local_server.process.pid) in lines[0] and local_server.endpoint in lines[0]


def test_data_dir_files(local_server):
    credentials_file = local_server.data_dir / "credentials.json"
    assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600
    credentials = json.loads(credentials_file.read_text())
    assert credentials["endpoint"] == credentials["iam_endpoint"] == local_server.endpoint
    assert credentials["project_name"] == "local"
    assert len(credentials["project_id"]) == 32 and int(credentials["project_id"], 16) >= 0
    assert len(credentials["ak"]) == 20 and credentials["ak"].isalnum() and credentials["ak"].isupper()
    assert len(credentials["sk"]) == 40 and credentials["sk"].isalnum()
    assert {"user_name", "domain_name", "password"} <= set(credentials)
    server_json = json.loads((local_server.data_dir / "server.json").read_text())
    assert server_json["endpoint"] == local_server.endpoint
    assert server_json["pid"] == local_server.process.pid
    assert "sk" not in server_json and "ak" not in server_json


# --- authentication and projects -----------------------------------------------------------------

def test_project_isolation(shared_server):
    mine = shared_server.client()
    iid = mine.create(body("isolated", profile_id="Python2")).json()["id"]
    other_credentials = add_project(shared_server.data_dir, "other")
    assert other_credentials["endpoint"] == shared_server.endpoint
    assert other_credentials["project_id"] != shared_server.credentials["project_id"]
    other = shared_server.client(other_credentials)
    assert other.list().json() == {"total_count": 0, "instances": []}
    assert error_of(other.get(iid)) == "ModelArts.6309"
    assert error_of(other.delete(iid)) == "ModelArts.6309"
    assert error_of(other.action(iid, "start")) == "ModelArts.6309"
    # another project's path with my credentials
    foreign = other.request("GET", f"{mine.base}/{iid}")
    assert foreign.status_code == 403 and error_of(foreign) == "ModelArts.0210"
    with pytest.raises(ValueError):
        add_project(shared_server.data_dir, "other")
    mine.wait_status(iid, "CREATE_FAILED")
    mine.delete(iid)


def test_signature_failures(shared_server):
    client = shared_server.client()
    good = client.list()
    assert good.status_code == 200

    tampered = client.request("GET", client.base, params={"de_type": "Notebook"},
                              headers={"X-Project-Id": "tampered"})
    assert tampered.status_code == 401 and error_of(tampered) == "APIGW.0301"
    assert tampered.json()["error_msg"].startswith("Incorrect IAM authentication information: ")

    old = signing.sdk_date(datetime.fromtimestamp(time.time() - 20 * 60, timezone.utc))
    expired = client.request("GET", client.base, params={"de_type": "Notebook"}, sdk_date=old)
    assert error_of(expired) == "APIGW.0301" and "expired" in expired.json()["error_msg"]

    stranger = SignedClient(shared_server.endpoint, "A" * 20, "s" * 40, shared_server.credentials["project_id"])
    unknown = stranger.list()
    assert error_of(unknown) == "APIGW.0301"
    assert "A" * 20 not in unknown.text and "not exist" in unknown.text
    stranger.close()

    invalid = client.request("POST", client.base, raw_body=b'{"name": "x"}')
    assert invalid.status_code == 400  # signed correctly: reaches validation
    changed = client.request("GET", client.base, params={"de_type": "Notebook"},
                             headers={"Authorization": "SDK-HMAC-SHA256 garbage"})
    assert changed.status_code == 401 and error_of(changed) == "APIGW.0301"

    nothing = httpx.get(shared_server.endpoint + client.base, params={"de_type": "Notebook"})
    assert nothing.status_code == 401 and error_of(nothing) == "ModelArts.0201"
    for response in (tampered, expired, unknown, changed, nothing):
        assert shared_server.credentials["sk"] not in response.text
        assert shared_server.credentials["ak"] not in response.text


def test_iam_token_flow(shared_server):
    credentials = shared_server.credentials

    def ask(password: str, scope: dict) -> httpx.Response:
        return httpx.post(shared_server.endpoint + "/v3/auth/tokens", json={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": credentials["user_name"], "password": password,
                "domain": {"name": credentials["domain_name"]}}}},
            "scope": {"project": scope}}})

    issued = ask(credentials["password"], {"name": credentials["project_name"]})
    assert issued.status_code == 201, issued.text
    token = issued.headers["X-Subject-Token"]
    document = issued.json()["token"]
    assert document["methods"] == ["password"]
    assert document["project"]["id"] == credentials["project_id"]
    assert document["expires_at"].endswith("Z")
    assert token not in issued.text
    assert ask(credentials["password"], {"id": credentials["project_id"]}).status_code == 201

    base = f"{shared_server.endpoint}/v1/{credentials['project_id']}/demanager/instances"
    listed = httpx.get(base, params={"de_type": "Notebook"}, headers={"X-Auth-Token": token})
    assert listed.status_code == 200 and "total_count" in listed.json()

    wrong = ask("not-the-password", {"name": credentials["project_name"]})
    assert wrong.status_code == 401
    assert credentials["password"] not in wrong.text
    assert ask(credentials["password"], {"name": "someone-else"}).status_code == 400
    bogus = httpx.get(base, params={"de_type": "Notebook"}, headers={"X-Auth-Token": "MIIbogus"})
    assert bogus.status_code == 401 and error_of(bogus) == "ModelArts.0203"

    # expire it behind the server's back: the server reads tokens from SQLite on every request
    with sqlite3.connect(shared_server.data_dir / "state.sqlite3", timeout=10) as conn:
        conn.execute("UPDATE tokens SET expires_ms = 1")
    expired = httpx.get(base, params={"de_type": "Notebook"}, headers={"X-Auth-Token": token})
    assert expired.status_code == 401 and error_of(expired) == "ModelArts.0202"


# --- errors ------------------------------------------------------------------------------------

def test_errors_are_documented_json(shared_server):
    client = shared_server.client()
    unknown = httpx.get(shared_server.endpoint + "/v2/nothing/here")
    assert unknown.status_code == 404 and error_of(unknown) == "APIGW.0101"
    method = client.request("PATCH", client.base)
    assert method.status_code == 405 and error_of(method) == "APIGW.0102"
    malformed = client.request("POST", client.base, raw_body=b"{not json")
    assert malformed.status_code == 400 and error_of(malformed) == "ModelArts.6400"

    many = client.create({"name": "bad name!", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.99u",
                          "spec": {"storage": {"type": "obs", "location": {"path": "bucket-only"}}}})
    assert many.status_code == 400
    document = many.json()
    assert len(document["errors"]) >= 3
    assert document["error_code"] == document["errors"][0]["error_code"]
    assert document["error_msg"] == document["errors"][0]["error_msg"]
    codes = {e["error_code"] for e in document["errors"]}
    assert {"ModelArts.6334", "ModelArts.6323", "ModelArts.6318"} <= codes

    missing = client.get("DE-does-not-exist")
    assert missing.status_code == 400 and error_of(missing) == "ModelArts.6309"
    bad_action = client.request("POST", f"{client.base}/DE-x/action", json_body={"action": "queue"})
    assert error_of(bad_action) == "ModelArts.6309"
    clock = client.request("POST", "/_emulator/clock", json_body={"advance_seconds": "soon"})
    assert clock.status_code == 400
    for response in (unknown, method, malformed, many, missing):
        assert "Traceback" not in response.text and "<html" not in response.text.lower()


def test_action_refusals(shared_server):
    client = shared_server.client()
    iid = client.create(body("refusals", profile_id="Python2")).json()["id"]
    client.wait_status(iid, "CREATE_FAILED")
    assert error_of(client.action(iid, "queue")) == "ModelArts.6357"
    assert error_of(client.action(iid, "stop")) == "ModelArts.6327"
    assert error_of(client.action(iid, "fly")) == "ModelArts.6336"
    client.delete(iid)


def test_no_secret_in_server_log(shared_server):
    """Runs last in this module: everything above has been logged by now."""
    log = shared_server.stderr_text()
    assert "tornado.access" in log
    credentials = shared_server.credentials
    for secret in (credentials["ak"], credentials["sk"], credentials["password"]):
        assert secret not in log
    with sqlite3.connect(f"file:{shared_server.data_dir / 'state.sqlite3'}?mode=ro", uri=True) as conn:
        for (token,) in conn.execute("SELECT jupyter_token FROM instances"):
            assert token not in log
        for (sk,) in conn.execute("SELECT sk FROM credentials"):
            assert sk not in log


def test_start_timeout_fails_with_log_tail_and_kills_the_process(server_factory):
    server = server_factory("--start-timeout", "0.3")
    client = server.client()
    iid = client.create(body("too-slow")).json()["id"]
    failed = client.wait_status(iid, ["CREATE_FAILED", "RUNNING"], timeout=15)
    assert failed["status"] == "CREATE_FAILED"
    reasons = failed["spec"]["failed_reasons"]
    assert reasons["code"] == "ModelArts.6100"
    assert "did not become ready within 0.3 s" in reasons["message"]
    assert reasons["detail"]["log_tail"]
    assert client.token(iid).json()["token"] not in reasons["detail"]["log_tail"]
    assert wait_until(lambda: not instance_pids(server.data_dir), 5)
    assert client.delete(iid).status_code == 200


async def test_unexpected_exception_is_a_json_500_without_traceback(tmp_path, caplog):
    """A real handler that fails inside the real application machinery (no mock)."""
    import tornado.httpserver
    import tornado.netutil
    import tornado.web

    from nb_devenv.server.admission import Admission
    from nb_devenv.server.authenticator import Authenticator
    from nb_devenv.server.data_dir import DataDir
    from nb_devenv.server.handlers import ApiHandler, ServerContext
    from nb_devenv.server.lifecycle import Lifecycle, load_clock
    from nb_devenv.server.notebook_operations import NotebookOperations
    from nb_devenv.server.operations import InstanceOperations
    from nb_devenv.server.provisioners.local import LocalProcessProvisioner
    from nb_devenv.server.store import Store

    class Exploding(ApiHandler):
        public = True

        def get(self) -> None:
            raise RuntimeError("boom: internal detail")

    layout = DataDir(tmp_path)
    store = Store(layout.state_db)
    provisioner = LocalProcessProvisioner(layout)
    lifecycle = Lifecycle(store, provisioner, load_clock(store))
    admission = Admission(store, provisioner, 10, ())
    context = ServerContext(store, lifecycle, InstanceOperations(store, lifecycle, admission), Authenticator(store),
                            NotebookOperations(store, lifecycle, admission))
    app = tornado.web.Application([("/explode", Exploding)], nb_devenv_context=context)
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    try:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"http://127.0.0.1:{sockets[0].getsockname()[1]}/explode")
    finally:
        server.stop()
        store.close()
    assert response.status_code == 500
    assert error_of(response) == "ModelArts.6102"
    assert "boom" not in response.text and "Traceback" not in response.text
    assert "boom: internal detail" in caplog.text


def test_invalid_update_reports_every_violation_and_changes_nothing(shared_server):
    client = shared_server.client()
    created = client.create(body("server-bad-update", profile_id="Python2", description="kept")).json()
    before = client.get(created["id"]).json()
    refused = client.update(created["id"], {"description": "a/b", "colour": "blue",
                                            "spec": {"auto_stop": {"enable": True, "duration": 10}}})
    assert refused.status_code == 400
    fields = {(e["error_code"], e["field"]) for e in refused.json()["errors"]}
    assert fields == {("ModelArts.6334", "description"), ("ModelArts.6400", "colour"),
                      ("ModelArts.6349", "spec.auto_stop.duration")}
    after = client.get(created["id"]).json()
    assert after["description"] == "kept" and after["spec"]["auto_stop"] == before["spec"]["auto_stop"]
    client.wait_status(created["id"], "CREATE_FAILED")
    assert client.delete(created["id"]).status_code == 200
