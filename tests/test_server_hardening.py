"""Regression tests for the local server under attack, faults and bad input (issue 7).

Each test names the defect it guards against. They run against the real server over HTTP.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from dataclasses import replace

import httpx
import pytest
from conftest import with_process

from nb_devenv.server import add_project


def error_of(response) -> str:
    document = response.json()
    assert document["request_id"] == response.headers["X-Request-Id"]
    return document["error_code"]


# --- the shared test clock ---------------------------------------------------------------------

@pytest.mark.parametrize("seconds", [1e12, 2.6e11, 10**30, float("inf")])
def test_an_advance_past_representable_dates_is_refused_and_the_server_keeps_answering(local_server, seconds):
    client = local_server.client()
    before = client.request("GET", "/_emulator/clock").json()
    payload = b'{"advance_seconds": %s}' % (b"1e400" if seconds == float("inf") else repr(seconds).encode())
    refused = client.request("POST", "/_emulator/clock", raw_body=payload)
    assert refused.status_code == 400 and error_of(refused) == "ModelArts.6400"
    # refused by the clock's own rule, or already by the JSON parser for absurd numbers
    assert any(word in refused.json()["error_msg"] for word in ("'advance_seconds'", "number"))
    after = client.request("GET", "/_emulator/clock")
    assert after.status_code == 200 and after.json()["offset_ms"] == before["offset_ms"]
    assert client.list().status_code == 200


def test_the_largest_allowed_advance_still_leaves_every_route_answering(local_server):
    client = local_server.client()
    room = client.request("POST", "/_emulator/clock", json_body={"advance_seconds": 10**13}).json()
    allowed = float(room["error_msg"].split(" from 0 to ")[1].split(":")[0])
    # the bound shrinks as real time passes; a second less stays within it
    assert client.advance_clock(allowed - 1).status_code == 200
    assert client.list().status_code == 200
    assert client.advance_clock(60).status_code == 400  # nothing left
    local_server.restart()
    assert local_server.client().list().status_code == 200


def test_a_stored_offset_out_of_range_cannot_stop_the_server(local_server):
    local_server.stop()
    with sqlite3.connect(local_server.data_dir / "state.sqlite3") as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'clock_offset_ms'", (str(10**20),))
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('clock_offset_ms', ?)", (str(10**20),))
    local_server.start()
    client = local_server.client()
    assert client.list().status_code == 200
    assert client.request("GET", "/_emulator/clock").json()["offset_ms"] == 0


def test_only_the_servers_own_project_may_move_the_clock(local_server):
    other = local_server.client(add_project(local_server.data_dir, "tenant"))
    before = local_server.client().request("GET", "/_emulator/clock").json()["offset_ms"]
    for method, body in (("POST", {"advance_seconds": 3600}), ("GET", None)):
        refused = other.request(method, "/_emulator/clock", json_body=body)
        assert refused.status_code == 403 and error_of(refused) == "ModelArts.0108"
    assert local_server.client().request("GET", "/_emulator/clock").json()["offset_ms"] == before


# --- bad input never gives a 5xx ---------------------------------------------------------------

def evs_body(name: str, **overrides) -> dict:
    request = {"name": name, "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
               "spec": {"storage": {"type": "EVS"}}}
    request.update(overrides)
    return request


JSON_ROUTES = [("POST", "/v1/{pid}/demanager/instances"), ("PUT", "/v1/{pid}/demanager/instances/DE-x"),
               ("POST", "/v1/{pid}/demanager/instances/DE-x/action"), ("POST", "/_emulator/clock"),
               ("POST", "/v3/auth/tokens")]


@pytest.mark.parametrize("method, route", JSON_ROUTES)
@pytest.mark.parametrize("payload, fragment", [
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested deeper", id="deep-array"),
    pytest.param(b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "nested deeper", id="deep-object"),
    pytest.param(b'{"name": NaN}', "malformed JSON", id="NaN"),
    pytest.param(b'{"name": 1e400}', "malformed JSON", id="overflowing-float"),
    pytest.param(b'{"name": ' + b"9" * 5000 + b"}", "malformed JSON", id="huge-int"),
    pytest.param(b'{"name": "\xff"}', "malformed JSON", id="not-utf8"),
])
def test_hostile_json_is_a_400_on_every_json_route(shared_server, method, route, payload, fragment):
    client = shared_server.client()
    response = client.request(method, route.format(pid=client.project_id), raw_body=payload)
    assert response.status_code == 400, response.text
    assert error_of(response) == "ModelArts.6400" and fragment in response.json()["error_msg"]


def test_an_oversized_body_is_a_json_413(shared_server):
    client = shared_server.client()
    response = client.request("POST", client.base, raw_body=b'{"name": "' + b"x" * 1_100_000 + b'"}')
    assert response.status_code == 413 and error_of(response) == "APIGW.0201"


@pytest.mark.parametrize("param, value, code", [
    ("limit", "9" * 5000, "ModelArts.6336"),
    ("offset", "1" + "0" * 30, "ModelArts.6336"),
    ("limit", "2147483648", "ModelArts.6336"),
    ("limit", "-1", "ModelArts.6332"),
    ("offset", "1e3", "ModelArts.6332"),
])
def test_list_integers_are_bounded(shared_server, param, value, code):
    response = shared_server.client().list(**{param: value})
    assert response.status_code == 400 and error_of(response) == code
    assert len(response.text) < 2000  # the value is not echoed in full


def test_the_largest_list_integers_are_accepted(shared_server):
    response = shared_server.client().list(limit="2147483647", offset="0002147483647")
    assert response.status_code == 200 and response.json()["instances"] == []


def _iam_body(user_name, domain_name="nb-devenv", password="x", scope=None) -> dict:
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user_name, "password": password, "domain": {"name": domain_name}}}},
        "scope": {"project": scope or {"name": "local"}}}}


@pytest.mark.parametrize("body, field", [
    (_iam_body(["local"]), "auth.identity.password.user.name"),
    (_iam_body({"$ne": 1}), "auth.identity.password.user.name"),
    (_iam_body("local", domain_name=["a", "b"]), "auth.identity.password.user.domain.name"),
    (_iam_body("local", password=12345), "auth.identity.password.user.password"),
    (_iam_body("local", scope={"id": {"x": 1}}), "auth.scope.project.id"),
    (_iam_body("x" * 10_000), "auth.identity.password.user.name"),
    ({"auth": {"identity": {"methods": "password"}}}, "auth.identity.methods"),
])
def test_the_iam_body_is_validated_field_by_field(local_server, body, field):
    response = local_server.client().request("POST", "/v3/auth/tokens", json_body=body, sign=False)
    assert response.status_code == 400, response.text
    assert error_of(response) == "IAM.0002" and f"'{field}'" in response.json()["error_msg"]
    assert "Traceback" not in local_server.stderr_text()


@pytest.mark.parametrize("path, rule", [
    ("bucket/dir\x00evil/", "control characters"),
    ("bucket/line\nbreak/", "control characters"),
    ("bucket/" + "d" * 300 + "/", "at most 255 bytes"),
    ("bucket/" + "/".join(["abcdefghij"] * 220) + "/", "at most 1024 bytes"),
])
def test_bad_obs_paths_are_refused_at_create(shared_server, path, rule):
    body = evs_body("obs-bad", spec={"storage": {"type": "OBS", "location": {"path": path}}})
    response = shared_server.client().create(body)
    assert response.status_code == 400 and error_of(response) == "ModelArts.6336"
    assert rule in response.json()["error_msg"] and "spec.storage.location.path" in response.json()["error_msg"]
    assert len(response.text) < 2000


@pytest.mark.parametrize("annotations, rule", [
    ({f"k{i}": "v" for i in range(51)}, "at most 50 entries"),
    ({"big": "x" * 2049}, "at most 2048 characters"),
    ({"k" * 129: "v"}, "keys must be 1-128 characters"),
    ({"": "v"}, "keys must be 1-128 characters"),
])
def test_annotations_are_limited_in_count_and_size(shared_server, annotations, rule):
    response = shared_server.client().create(evs_body("ann-big", spec={"storage": {"type": "EVS"},
                                                                       "annotations": annotations}))
    assert response.status_code == 400 and error_of(response) == "ModelArts.6336"
    assert rule in response.json()["error_msg"]


@pytest.mark.parametrize("workspace", ["w" * 65, "a/b", "../x", "\n"])
def test_workspace_ids_are_short_names(shared_server, workspace):
    response = shared_server.client().create(evs_body("ws-bad", workspace={"id": workspace}))
    assert response.status_code == 400 and error_of(response) == "ModelArts.6336"


# --- storage belongs to one project, and never leaves the data directory ------------------------

def obs_body(name: str, path: str) -> dict:
    return evs_body(name, spec={"storage": {"type": "OBS", "location": {"path": path}}})


def contents(instance: dict, token: str, path: str = "") -> list[str]:
    url = instance["spec"]["annotations"]["url"].split("/lab")[0].rstrip("/") + "/api/contents/" + path
    response = httpx.get(url, headers={"Authorization": f"token {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    return sorted(item["name"] for item in response.json()["content"])


def test_projects_do_not_share_obs_buckets(local_server):
    """Regression: project B's instance on obs://shared/team/ read project A's files."""
    a = local_server.client()
    b = local_server.client(add_project(local_server.data_dir, "team-b"))
    first = a.create(obs_body("on-shared", "obs://shared/team/")).json()["id"]
    a.wait_status(first, "RUNNING")
    a_dir = local_server.data_dir / "obs" / a.project_id / "shared" / "team"
    (a_dir / "secret-of-a.csv").write_text("1,2\n")
    second = b.create(obs_body("on-shared", "obs://shared/team/")).json()["id"]
    running = b.wait_status(second, "RUNNING")
    assert contents(running, b.token(second).json()["token"]) == []
    assert (local_server.data_dir / "obs" / b.project_id / "shared" / "team").is_dir()


def test_a_link_planted_under_obs_is_not_followed(local_server, tmp_path):
    """Regression: an instance's root_dir could be placed anywhere a notebook user planted a link."""
    client = local_server.client()
    outside = tmp_path / "outside"
    outside.mkdir()
    bucket = local_server.data_dir / "obs" / client.project_id / "bucket"
    bucket.mkdir(parents=True)
    (bucket / "work").symlink_to(outside)
    iid = client.create(obs_body("via-link", "bucket/work/sub/")).json()["id"]
    failed = client.wait_status(iid, "CREATE_FAILED")
    reason = failed["spec"]["failed_reasons"]
    assert reason["code"] == "ModelArts.6336" and "symbolic link" in reason["message"]
    assert str(local_server.data_dir) not in json.dumps(failed) and str(tmp_path) not in json.dumps(failed)
    assert list(outside.iterdir()) == []  # nothing created through the link


def test_a_link_in_place_of_a_projects_tree_is_not_followed(local_server, tmp_path):
    client = local_server.client()
    outside = tmp_path / "outside-evs"
    outside.mkdir()
    (local_server.data_dir / "evs").mkdir(exist_ok=True)
    (local_server.data_dir / "evs" / client.project_id).symlink_to(outside)
    iid = client.create(evs_body("evs-link")).json()["id"]
    assert client.wait_status(iid, "CREATE_FAILED")["spec"]["failed_reasons"]["code"] == "ModelArts.6336"
    assert client.delete(iid).status_code == 200
    assert outside.is_dir() and list(outside.iterdir()) == []


def test_failed_reasons_name_no_server_path(local_server):
    client = local_server.client()
    iid = client.create(evs_body("py2", profile_id="Python2", flavor="modelarts.vm.cpu.2u")).json()["id"]
    failed = client.wait_status(iid, "CREATE_FAILED")
    assert str(local_server.data_dir) not in json.dumps(failed)
    assert not any(part.startswith("/") for part in json.dumps(failed["spec"]["failed_reasons"]).split('"'))


# --- an instance starts from an allow-listed environment ------------------------------------------

def test_instances_do_not_inherit_the_servers_credentials(server_factory, monkeypatch):
    secrets = {"HUAWEICLOUD_SDK_AK": "AKSERVER", "HUAWEICLOUD_SDK_SK": "sk-of-the-server",
               "NB_DEVENV_TOKEN": "token-of-the-server", "AWS_SECRET_ACCESS_KEY": "aws",
               "HTTPS_PROXY": "http://user:pass@proxy:3128", "MY_APP_PASSWORD": "pw"}
    for key, value in secrets.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("NO_PROXY", "localhost")
    server = server_factory()
    client = server.client()
    iid = client.create(evs_body("env-check")).json()["id"]
    client.wait_status(iid, "RUNNING")
    pid = db_instance(server.data_dir, iid)["pid"]
    raw = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
    environ = dict(item.decode().split("=", 1) for item in raw if b"=" in item)
    assert not set(secrets) & set(environ)
    assert not any(value in "".join(environ.values()) for value in secrets.values())
    assert environ["JUPYTER_TOKEN"] == client.token(iid).json()["token"]
    assert environ["LC_ALL"] == "C.UTF-8" and environ["NO_PROXY"] == "localhost" and "PATH" in environ


# --- crash safety of delete, and what a crash leaves ------------------------------------------------

def db_instance(data_dir, instance_id: str) -> dict:
    with sqlite3.connect(f"file:{data_dir / 'state.sqlite3'}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM instances WHERE id = ?", (instance_id,)).fetchone()
    return with_process(dict(row)) if row else {}


def test_a_delete_cut_short_is_finished_at_the_next_boot(local_server):
    """Regression: kill -9 during DELETE leaked the EVS disk forever (the row went first).
    A delete now marks the row first; this is the state a crash right after the mark leaves."""
    client = local_server.client()
    iid = client.create(evs_body("half-deleted")).json()["id"]
    client.wait_status(iid, "RUNNING")
    client.action(iid, "stop")
    client.wait_status(iid, "STOPPED")
    disk = local_server.data_dir / "evs" / client.project_id / iid
    (disk / "big.bin").write_bytes(b"x" * 1000)
    local_server.stop()
    with sqlite3.connect(local_server.data_dir / "state.sqlite3") as db:
        db.execute("UPDATE instances SET status = 'DELETED' WHERE id = ?", (iid,))
    local_server.start()
    assert error_of(local_server.client().get(iid)) == "ModelArts.6309"
    assert not disk.exists() and not (local_server.data_dir / "instances" / iid).exists()
    assert db_instance(local_server.data_dir, iid) == {}


def test_directories_of_no_instance_are_removed_at_boot_and_others_kept(local_server):
    client = local_server.client()
    ghost = "DE-00000000-0000-4000-8000-000000000000"
    orphan_dirs = [local_server.data_dir / "instances" / ghost / "runtime",
                   local_server.data_dir / "evs" / client.project_id / ghost]
    for path in orphan_dirs:
        path.mkdir(parents=True)
    mine = local_server.data_dir / "evs" / client.project_id / "my-notes"
    mine.mkdir()
    local_server.restart()
    assert not any(path.exists() for path in orphan_dirs)
    assert not (local_server.data_dir / "instances" / ghost).exists()
    assert mine.is_dir()


def test_a_layout_1_data_directory_is_upgraded_without_losing_files(local_server):
    client = local_server.client()
    evs_id = client.create(evs_body("old-evs")).json()["id"]
    obs_id = client.create(obs_body("old-obs", "legacy-bucket/work/")).json()["id"]
    for iid in (evs_id, obs_id):
        client.wait_status(iid, "RUNNING")
        client.action(iid, "stop")
        client.wait_status(iid, "STOPPED")
    local_server.stop()
    data = local_server.data_dir
    # put the files where nb_devenv 0.1.0 kept them, and forget the layout version
    (data / "evs" / client.project_id / evs_id).rename(data / "evs" / evs_id)
    (data / "evs" / evs_id / "model.pt").write_text("weights")
    (data / "obs" / client.project_id / "legacy-bucket").rename(data / "obs" / "legacy-bucket")
    (data / "obs" / "legacy-bucket" / "work" / "data.csv").write_text("a,b\n")
    (data / "obs" / "unnamed-bucket").mkdir()
    with sqlite3.connect(data / "state.sqlite3") as db:
        db.execute("DELETE FROM meta WHERE key = 'layout_version'")
    local_server.start()
    assert (data / "evs" / client.project_id / evs_id / "model.pt").read_text() == "weights"
    assert (data / "obs" / client.project_id / "legacy-bucket" / "work" / "data.csv").read_text() == "a,b\n"
    assert (data / "obs" / client.project_id / "unnamed-bucket").is_dir()
    assert not (data / "evs" / evs_id).exists()


# --- secrets at rest --------------------------------------------------------------------------------

def token_response(server, credentials: dict, password: str | None = None):
    body = _iam_body(credentials["user_name"], credentials["domain_name"], password or credentials["password"],
                     {"id": credentials["project_id"]})
    return server.client().request("POST", "/v3/auth/tokens", json_body=body, sign=False)


def test_iam_passwords_are_stored_as_salted_hashes(local_server):
    tenant = add_project(local_server.data_dir, "hashed")
    raw = (local_server.data_dir / "state.sqlite3").read_bytes()
    for credentials in (local_server.credentials, tenant):
        assert credentials["password"].encode() not in raw
        assert token_response(local_server, credentials).status_code == 201
        assert token_response(local_server, credentials, "wrong-password").status_code == 401
    with sqlite3.connect(local_server.data_dir / "state.sqlite3") as db:
        hashes = [row[0] for row in db.execute("SELECT password_hash FROM projects")]
    assert len(hashes) == 2 and all(h.startswith("scrypt$") for h in hashes) and hashes[0] != hashes[1]


def test_a_lost_credentials_file_gives_the_default_project_a_new_password(local_server):
    old = local_server.credentials
    local_server.stop()
    (local_server.data_dir / "credentials.json").unlink()
    local_server.start()
    new = local_server.credentials
    assert new["ak"] == old["ak"] and new["password"] != old["password"]
    assert token_response(local_server, new).status_code == 201
    assert token_response(local_server, new, old["password"]).status_code == 401
    local_server.restart()  # a file that is still right keeps its password
    assert local_server.credentials["password"] == new["password"]


def test_plaintext_passwords_of_an_old_database_are_hashed_at_boot(local_server):
    credentials = local_server.credentials
    local_server.stop()
    with sqlite3.connect(local_server.data_dir / "state.sqlite3") as db:
        db.execute("ALTER TABLE projects RENAME COLUMN password_hash TO password")
        db.execute("UPDATE projects SET password = ? WHERE id = ?", (credentials["password"], credentials["project_id"]))
    local_server.start()
    assert token_response(local_server, local_server.credentials).status_code == 201
    assert local_server.credentials["password"] == credentials["password"]
    assert credentials["password"].encode() not in (local_server.data_dir / "state.sqlite3").read_bytes()


def test_a_planted_link_cannot_receive_the_credentials(local_server, tmp_path):
    """Regression: the credentials were written through a predictable temporary name, so a
    planted link there received the SK. Now: a fresh O_EXCL|O_NOFOLLOW file, then a rename
    that replaces a link instead of writing through it."""
    bait = tmp_path / "bait.json"
    bait.write_text("{}")
    local_server.stop()
    credentials = local_server.data_dir / "credentials.json"
    credentials.unlink()
    credentials.symlink_to(bait)
    for pid in range(os.getpid(), os.getpid() + 200):  # the old, predictable temporary names
        (local_server.data_dir / f".credentials.json.{pid}.tmp").symlink_to(bait)
    local_server.start()
    assert bait.read_text() == "{}"
    assert not credentials.is_symlink() and stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert json.loads(credentials.read_text())["sk"] == local_server.credentials["sk"]


# --- an unwritable or full data directory -------------------------------------------------------------

def run_server(data_dir, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nb_devenv.server", "--port", "0", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=timeout)


def test_a_data_directory_that_cannot_be_created_is_one_line_and_exit_1(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = run_server(blocker / "data")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(blocker / "data") in lines[0] and "Not a directory" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture
def small_disk(tmp_path):
    """A 6 MB tmpfs, really mounted (the test skips where mounting is not allowed)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def fill(disk) -> None:
    with open(disk / "filler", "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass


def test_a_full_disk_at_start_is_one_line_and_exit_1(small_disk):
    fill(small_disk)
    done = run_server(small_disk / "data")
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(small_disk / "data") in lines[0] and "full" in lines[0], done.stderr


def test_a_read_only_data_directory_at_start_is_one_line_and_exit_1(small_disk):
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    done = run_server(small_disk / "data")
    assert done.returncode == 1 and "Read-only file system" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_full_disk_while_serving_refuses_writes_clearly_and_keeps_serving_reads(server_factory, small_disk):
    server = server_factory(data_dir=small_disk / "data")
    client = server.client()
    listed = client.list()
    fill(small_disk)
    refused = client.create(evs_body("on-a-full-disk"))
    assert refused.status_code == 500 and error_of(refused) == "ModelArts.6200", refused.text
    assert "cannot write its data directory" in refused.json()["error_msg"]
    assert client.list().json() == listed.json()  # reads go on
    assert "Traceback" not in server.stderr_text()
    (small_disk / "filler").unlink()
    assert client.create(evs_body("after-space-is-back")).status_code == 200


def test_the_cli_says_which_data_directory_cannot_be_used(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {key: value for key, value in os.environ.items() if not key.startswith("NB_DEVENV_")}
    env["NB_DEVENV_DATA_DIR"] = str(blocker / "data")
    done = subprocess.run([sys.executable, "-m", "nb_devenv", "list"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and str(blocker / "data") in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


# --- what arrives before our handlers -----------------------------------------------------------------

def raw_http(endpoint: str, request: bytes) -> tuple[bytes, bytes]:
    """Send bytes no HTTP library would send; returns (status line, body)."""
    import socket
    from urllib.parse import urlsplit

    address = urlsplit(endpoint)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body


@pytest.mark.parametrize("request_line, status", [
    (b"OPTIONS /v1/p/demanager/instances", b"405"),
    (b"BREW /_emulator/health", b"405"),
    (b"GET /v1/%ff/demanager/instances/%fe", b"400"),
    (b"GET /v1/\xff\xfe/demanager/instances", b"401"),
    (b"GET /no/such/route", b"404"),
])
def test_odd_requests_that_reach_tornado_routing_get_json(shared_server, request_line, status):
    line, body = raw_http(shared_server.endpoint, request_line + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status in line
    assert json.loads(body)["error_code"]


# --- found by schemathesis against the OpenAPI document ------------------------------------------

def test_a_405_lists_the_methods_the_path_has(shared_server):
    """RFC 9110 requires ``Allow`` on a 405 (schemathesis' unsupported_method check)."""
    client = shared_server.client()
    for method, path, allowed in (("PATCH", client.base, "GET, POST"),
                                  ("POST", f"{client.base}/DE-x", "GET, DELETE, PUT"),
                                  ("TRACE", "/_emulator/health", "GET")):
        response = client.request(method, path)
        assert response.status_code == 405 and error_of(response) == "APIGW.0102"
        assert response.headers["Allow"] == allowed


@pytest.mark.parametrize("path", [5, {"x": 1}, ["a"], True])
def test_an_evs_location_path_must_be_a_string(shared_server, path):
    """EVS ignores ``location.path`` but stores and shows it: any JSON value was echoed back in
    the instance object, where the path is a string."""
    response = shared_server.client().create(evs_body("evs-path", spec={"storage": {
        "type": "EVS", "location": {"path": path}}}))
    assert response.status_code == 400 and error_of(response) == "ModelArts.6332"
    assert [e["field"] for e in response.json()["errors"]] == ["spec.storage.location.path"]


def test_an_integral_number_is_an_integer(shared_server):
    """JSON has one number type and JSON Schema's "integer" admits 3600.0; the server refused it
    with ModelArts.6332 (schemathesis: "schema-valid request rejected"). It is the integer 3600,
    stored and shown as such; a fraction is still refused."""
    client = shared_server.client()
    raw = (b'{"name": "integral", "profile_id": "Python2", "flavor": "modelarts.vm.cpu.2u", "spec": '
           b'{"storage": {"type": "EVS", "location": {"volume_size": 6.0}}, '
           b'"auto_stop": {"enable": true, "duration": 36e2}}}')
    created = client.request("POST", client.base, raw_body=raw)
    assert created.status_code == 200, created.text
    assert '"duration":3600,' in created.text and '"volume_size":6}' in created.text
    iid = created.json()["id"]
    updated = client.request("PUT", f"{client.base}/{iid}", raw_body=b'{"spec": {"auto_stop": {"duration": 7200.0}}}')
    assert updated.status_code == 200 and '"duration":7200,' in updated.text
    fraction = client.request("PUT", f"{client.base}/{iid}", raw_body=b'{"spec": {"auto_stop": {"duration": 7200.5}}}')
    assert fraction.status_code == 400 and error_of(fraction) == "ModelArts.6332"
    shared_server.client().wait_status(iid, "CREATE_FAILED")
    assert client.delete(iid).status_code == 200



# --- a database written by nb_devenv 0.1.0 ---------------------------------------------------------

_V1_INSTANCES = """CREATE TABLE instances (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
    request TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,
    jupyter_token TEXT NOT NULL, pid INTEGER, port INTEGER, stop_timestamp INTEGER,
    failed_reasons TEXT, UNIQUE (project_id, name))"""


def test_a_0_1_0_instances_table_is_rebuilt_with_every_instance_kept(tmp_path):
    from nb_devenv.server.store import DEVENVIRON, NOTEBOOKS, Storage, Store

    path = tmp_path / "state.sqlite3"
    request = {"name": "old", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u", "description": "",
               "spec": {"storage": {"type": "OBS", "location": {"path": "obs://b/work/"}},
                        "auto_stop": {"enable": True, "duration": 7200, "prompt": True}, "annotations": {}},
               "workspace": {"id": "0"}}
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, "
                   "user_name TEXT NOT NULL, domain_name TEXT NOT NULL, password TEXT NOT NULL, "
                   "created_ms INTEGER NOT NULL)")
        db.execute("INSERT INTO projects VALUES ('p1', 'local', 'u1', 'local', 'nb-devenv', 'pw', 1)")
        db.execute(_V1_INSTANCES)
        db.execute("INSERT INTO instances VALUES ('DE-1', 'p1', 'old', 'STOPPED', ?, 1, 2, 'tok', NULL, NULL, "
                   "NULL, NULL)", (json.dumps(request),))
    store = Store(path)
    (record,) = store.all_instances()
    assert (record.api, record.profile_id, record.flavor, record.run_ms) == (DEVENVIRON, "Python3",
                                                                             "modelarts.vm.cpu.2u", 7_200_000)
    assert record.storage == Storage("OBS", None, "obs://b/work/") and record.request == request
    # names are unique in the old API only: a Notebook-API instance may repeat one
    store.insert_instance(replace(record, id="uuid-2", api=NOTEBOOKS))
    with pytest.raises(sqlite3.IntegrityError):
        store.insert_instance(replace(record, id="DE-3"))
    store.close()
    assert Store(path).instance("DE-1") == record  # opening again changes nothing


# --- a database written before provisioners had handles (pid and port columns) ----------------------

_V2_INSTANCES = """CREATE TABLE instances (
    id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id),
    api TEXT NOT NULL DEFAULT 'devenviron', name TEXT NOT NULL, status TEXT NOT NULL, request TEXT NOT NULL,
    profile_id TEXT NOT NULL, flavor TEXT NOT NULL, storage TEXT NOT NULL, run_ms INTEGER,
    created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, jupyter_token TEXT NOT NULL,
    pid INTEGER, port INTEGER, stop_timestamp INTEGER, failed_reasons TEXT)"""


def test_an_instances_table_with_pid_and_port_keeps_its_servers_as_handles(tmp_path):
    from nb_devenv.server.store import NOTEBOOKS, Storage, Store

    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE projects (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, "
                   "user_name TEXT NOT NULL, domain_name TEXT NOT NULL, password_hash TEXT NOT NULL, "
                   "created_ms INTEGER NOT NULL)")
        db.execute("INSERT INTO projects VALUES ('p1', 'local', 'u1', 'local', 'nb-devenv', 'h', 1)")
        db.execute(_V2_INSTANCES)
        storage = json.dumps({"category": "EVS", "capacity_gb": 5, "obs_path": None})
        db.execute("INSERT INTO instances VALUES ('n-1', 'p1', 'notebooks', 'up', 'RUNNING', '{}', 'Python3', "
                   "'modelarts.vm.cpu.2u', ?, 3600000, 1, 2, 'tok', 4242, 40123, 99, NULL)", (storage,))
        db.execute("INSERT INTO instances VALUES ('n-2', 'p1', 'notebooks', 'down', 'STOPPED', '{}', 'Python3', "
                   "'modelarts.vm.cpu.2u', ?, NULL, 1, 2, 'tok', NULL, NULL, NULL, NULL)", (storage,))
    store = Store(path)
    running, stopped = sorted(store.all_instances(), key=lambda r: r.id)
    assert (running.handle, running.url) == ("4242:40123", "http://127.0.0.1:40123/lab")
    assert (running.api, running.run_ms, running.stop_timestamp) == (NOTEBOOKS, 3_600_000, 99)
    assert running.storage == Storage("EVS", 5, None)
    assert (stopped.handle, stopped.url, stopped.status) == (None, None, "STOPPED")
    store.close()
    assert Store(path).instance("n-1") == running  # opening again changes nothing
