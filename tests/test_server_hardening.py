"""Regression tests for the local server under attack, faults and bad input (issue 7).

Each test names the defect it guards against. They run against the real server over HTTP.
"""

from __future__ import annotations

import sqlite3

import pytest

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
    assert client.advance_clock(5).status_code == 400  # nothing left
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

