"""Whatever the client's pre-flight check accepts, the server accepts; whatever it refuses, the
server refuses with the same codes.

Bodies and queries are drawn from the request schemas of the OpenAPI document (schemathesis'
``APIOperation.as_strategy`` in positive and negative mode: hypothesis-jsonschema 0.23 does not
run on this hypothesis), mixed with mutations that break one rule at a time (wrong types, numbers out of
range, forbidden characters, unknown, missing or null fields, bad OBS paths). Each is sent raw
and signed to a real server, bypassing the client, and the answer is compared with
``validate_create`` / ``validate_update`` / ``validate_list_query``. The server may also refuse
a body the pre-flight accepts for facts only it knows (a name taken: 6301, the quota: 6302, a
flavor not granted: 6328); those are asserted only when the situation really applies.
"""

from __future__ import annotations

import copy
import json
import math
import time
from pathlib import Path

import pytest
from conftest import FIGURES, ServerProcess
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, openapi

from nb_devenv.contract import (
    FLAVORS,
    PROFILES,
    validate_create,
    validate_list_query,
    validate_update,
)
from nb_devenv.server.data_dir import DataDir
from nb_devenv.server.provisioners.local import LocalProcessProvisioner
from nb_devenv.server.request_body import MAX_JSON_DEPTH, MAX_NUMBER_DIGITS
from nb_devenv.server.routes import openapi_document

MAX_INSTANCES = 6
EXAMPLES = 100

PROPERTY = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])


def _unrunnable_profiles() -> list[str]:
    """Profiles this machine cannot run on any flavor of their kind (Python 2; GPU without a GPU).

    An accepted create of one of these fails at once (CREATE_FAILED, no Jupyter process), so the
    accepted-create strategy is restricted to them: a property test that started a real Jupyter
    server per accepted example would take minutes.
    """
    provisioner = LocalProcessProvisioner(DataDir(Path("/nonexistent")))
    return [p.id for p in PROFILES.values()
            if all(provisioner.unavailable_reason(p, f) is not None
                   for f in FLAVORS.values() if f.hardware == p.hardware)]


UNRUNNABLE = _unrunnable_profiles()


def _same_kind_unrunnable(body):
    """``body`` with a profile this machine could run replaced by one of the same hardware kind it
    cannot run (every rule but the profile/flavor kind match ignores which profile it is)."""
    if isinstance(body, dict) and isinstance(body.get("profile_id"), str) and body["profile_id"] in PROFILES \
            and body["profile_id"] not in UNRUNNABLE:
        kind = PROFILES[body["profile_id"]].hardware
        body = {**body, "profile_id": next(p for p in UNRUNNABLE if PROFILES[p].hardware == kind)}
    return body


_DOCUMENT = openapi.from_dict(openapi_document())


def _drawn(path: str, method: str, part: str, mode: GenerationMode):
    """Request bodies (``part="body"``) or queries drawn from the document's operation."""
    operation = _DOCUMENT[path][method]
    return operation.as_strategy(generation_mode=mode).map(lambda case: _plain(getattr(case, part))).filter(
        _within_body_limits)


def _within_body_limits(value, depth: int = 0) -> bool:
    """Whether the server's JSON parser reads ``value`` as such: it refuses number literals over
    20 digits and nesting over 32 levels anywhere (ModelArts.6400, documented in the OpenAPI
    request bodies), which the pre-flight check, given Python objects, cannot see."""
    if depth > MAX_JSON_DEPTH:
        return False
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return len(str(abs(value))) <= MAX_NUMBER_DIGITS
    if isinstance(value, float):
        return math.isfinite(value) and len(repr(value)) <= 2 * MAX_NUMBER_DIGITS
    items = value.values() if isinstance(value, dict) else value
    return all(_within_body_limits(item, depth + 1) for item in items)


def _plain(value):
    # schemathesis marks an absent body with a sentinel; the tests send no body then
    return value if isinstance(value, (dict, list, str, int, float, bool, type(None))) else None


_INSTANCES = "/v1/{project_id}/demanager/instances"


# --- mutations: each breaks (at most) one rule of a valid body ---------------------------------------

WRONG_TYPES = st.sampled_from([1, 2.5, True, [], {}, "x", ["x"], {"a": 1}])
TEXT = st.text(st.characters(codec="utf-8"), max_size=20)


def _set(body: dict, path: tuple, value) -> dict:
    out = copy.deepcopy(body)
    node = out
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
    return out


def _drop(body: dict, path: tuple) -> dict:
    out = copy.deepcopy(body)
    node = out
    for key in path[:-1]:
        node = node.get(key)
        if not isinstance(node, dict):
            return out
    node.pop(path[-1], None)
    return out


CREATE_FIELDS = [("name",), ("profile_id",), ("flavor",), ("description",), ("spec",), ("spec", "storage"),
                 ("spec", "storage", "type"), ("spec", "storage", "location"),
                 ("spec", "storage", "location", "path"), ("spec", "storage", "location", "volume_size"),
                 ("spec", "auto_stop"), ("spec", "auto_stop", "enable"), ("spec", "auto_stop", "duration"),
                 ("spec", "auto_stop", "prompt"), ("spec", "annotations"), ("workspace",), ("workspace", "id")]

BAD_OBS_PATHS = ["bucket/dir", "bucket/", "bucket", "/", "", "BUCKET/dir/", "b/dir/", "bu..cket/dir/",
                 "bucket/../", "bucket/./", "bucket//dir/", "bucket/dir\x00/", "bucket/a\nb/",
                 "bucket/" + "d" * 256 + "/", "bucket/" + "é" * 200 + "/", "bucket/" + "a/" * 600]


@st.composite
def _create_mutation(draw, body: dict) -> dict:
    kind = draw(st.sampled_from(["type", "null", "missing", "unknown", "name", "description", "numbers",
                                 "obs", "annotations", "workspace", "profile", "none"]))
    if kind == "type":
        return _set(body, draw(st.sampled_from(CREATE_FIELDS)), draw(WRONG_TYPES))
    if kind == "null":
        return _set(body, draw(st.sampled_from(CREATE_FIELDS)), None)
    if kind == "missing":
        return _drop(body, draw(st.sampled_from(CREATE_FIELDS)))
    if kind == "unknown":
        where = draw(st.sampled_from([(), ("spec",), ("spec", "storage"), ("spec", "auto_stop"), ("workspace",)]))
        return _set(body, (*where, draw(st.sampled_from(["pool", "colour", "Name", "x y"]))), draw(TEXT))
    if kind == "name":
        return _set(body, ("name",), draw(st.sampled_from(["", "a b", "n" * 65, "ünï", "a/b", "a.b", "a\n"])))
    if kind == "description":
        return _set(body, ("description",), draw(st.sampled_from(["a&b", "<x>", "'", '"', "a/b", "d" * 513])))
    if kind == "numbers":
        path, value = draw(st.sampled_from([
            (("spec", "auto_stop", "duration"), 3599), (("spec", "auto_stop", "duration"), 86401),
            (("spec", "auto_stop", "duration"), 3600.5), (("spec", "auto_stop", "duration"), -1),
            (("spec", "storage", "location", "volume_size"), 4), (("spec", "storage", "location", "volume_size"), 4097),
            (("spec", "storage", "location", "volume_size"), 5.5), (("spec", "auto_stop", "duration"), 7200.0),
        ]))
        return _set(body, path, value)
    if kind == "obs":
        mutated = _set(body, ("spec", "storage", "type"), draw(st.sampled_from(["OBS", "obs", "Obs"])))
        return _set(mutated, ("spec", "storage", "location"), {"path": draw(st.sampled_from(BAD_OBS_PATHS))})
    if kind == "annotations":
        return _set(body, ("spec", "annotations"), draw(st.sampled_from([
            {f"k{i}": "v" for i in range(51)}, {"": "v"}, {"k" * 129: "v"}, {"k": "v" * 2049}, {"k": None},
            {"k": 1}])))
    if kind == "workspace":
        return _set(body, ("workspace", "id"), draw(st.sampled_from(["", "w" * 65, "a/b", "..", "\n"])))
    if kind == "profile":
        return _set(body, ("profile_id",), draw(st.sampled_from(["Python9", "python3", ""])))
    return body


def create_bodies():
    valid = _drawn(_INSTANCES, "POST", "body", GenerationMode.POSITIVE)
    invalid = _drawn(_INSTANCES, "POST", "body", GenerationMode.NEGATIVE)
    return st.one_of(valid, valid, valid.flatmap(_create_mutation), valid.flatmap(_create_mutation), invalid,
                     st.sampled_from([None, [], "body", 1, {}])).map(_same_kind_unrunnable)


UPDATE_FIELDS = [("description",), ("spec",), ("spec", "auto_stop"), ("spec", "auto_stop", "enable"),
                 ("spec", "auto_stop", "duration"), ("spec", "auto_stop", "prompt")]


@st.composite
def _update_mutation(draw, body: dict) -> dict:
    kind = draw(st.sampled_from(["type", "null", "unknown", "description", "numbers", "enable"]))
    if kind == "type":
        return _set(body, draw(st.sampled_from(UPDATE_FIELDS)), draw(WRONG_TYPES))
    if kind == "null":
        return _set(body, draw(st.sampled_from(UPDATE_FIELDS)), None)
    if kind == "unknown":
        where = draw(st.sampled_from([(), ("spec",), ("spec", "auto_stop")]))
        return _set(body, (*where, draw(st.sampled_from(["storage", "name", "colour"]))), draw(TEXT))
    if kind == "description":
        return _set(body, ("description",), draw(st.sampled_from(["a&b", "<x>", "a/b", "d" * 513])))
    if kind == "numbers":
        return _set(body, ("spec", "auto_stop", "duration"), draw(st.sampled_from([0, 3599, 86401, 3600.5, 7200.0])))
    return _set(body, ("spec", "auto_stop"), {"enable": True})


def update_bodies():
    valid = _drawn(_INSTANCES + "/{instance_id}", "PUT", "body", GenerationMode.POSITIVE)
    invalid = _drawn(_INSTANCES + "/{instance_id}", "PUT", "body", GenerationMode.NEGATIVE)
    return st.one_of(valid, valid.flatmap(_update_mutation), invalid, st.sampled_from([None, [], "body", 1]))


QUERY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def list_queries():
    valid = _drawn(_INSTANCES, "GET", "query", GenerationMode.POSITIVE).map(lambda q: {k: str(v) for k, v in q.items()})
    invalid = _drawn(_INSTANCES, "GET", "query", GenerationMode.NEGATIVE).map(
        lambda q: {k: v if isinstance(v, str) else json.dumps(v) for k, v in q.items()})
    names = ["de_type", "provision_type", "status", "sortby", "order", "offset", "limit", "workspace_id",
             "show_self", "ai_project", "pool_id", "colour"]
    broken = st.tuples(valid, st.sampled_from(names), st.one_of(QUERY_TEXT, st.sampled_from(
        ["-1", "1e3", "2147483648", "9" * 40, "0x10", " 1", "notebook", "NOTEBOOK", "maybe", "status", "up"])))
    return st.one_of(valid, invalid, broken.map(lambda t: {**t[0], t[1]: t[2]}),
                     valid.map(lambda q: {k: v for k, v in q.items() if k != "de_type"}))


# --- the server ------------------------------------------------------------------------------------

class Tally:
    def __init__(self, name: str):
        self.name = name
        self.sent = self.accepted = self.refused = self.server_only = self.server_errors = 0
        self.started = time.monotonic()

    def figures(self) -> dict:
        return {"tool": "hypothesis", "property": self.name, "examples": EXAMPLES, "requests": self.sent,
                "accepted": self.accepted, "refused_like_preflight": self.refused,
                "refused_for_server_facts": self.server_only, "5xx": self.server_errors,
                "seconds": round(time.monotonic() - self.started, 1)}


@pytest.fixture(scope="module")
def property_server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("property") / "data",
                           ["--max-instances", str(MAX_INSTANCES)]).start()
    yield server
    server.close()


@pytest.fixture
def tally(request):
    counts = Tally(request.node.name)
    yield counts
    FIGURES.append(counts.figures())
    print("\nhypothesis figures:", json.dumps(counts.figures()))


def send(client, tally, method: str, path: str, *, body=None, params=None):
    raw = json.dumps(body).encode() if body is not None or params is None else None
    response = client.request(method, path, raw_body=raw, params=params)
    tally.sent += 1
    if response.status_code >= 500:
        tally.server_errors += 1
    assert response.status_code < 500, response.text
    return response


def assert_same_refusal(response, violations) -> None:
    assert response.status_code == 400, response.text
    document = response.json()
    assert document["error_code"] == violations[0].code, (document, violations)
    assert document["error_msg"] == violations[0].error_msg
    assert [(e["error_code"], e["field"]) for e in document["errors"]] == [(v.code, v.field) for v in violations]


def judge(response, violations, tally) -> None:
    """The server's answer must be the pre-flight check's verdict: refused the same way, or 200."""
    if violations:
        assert_same_refusal(response, violations)
        tally.refused += 1
    else:
        assert response.status_code == 200, response.text
        tally.accepted += 1


def test_unrunnable_profiles_are_known():
    assert "Python2" in UNRUNNABLE and "Python3" not in UNRUNNABLE


def test_create_agrees_with_the_preflight_check(property_server, tally):
    client = property_server.client()
    existing: dict[str, str] = {}  # name -> id of instances this test holds

    @PROPERTY
    @given(body=create_bodies())
    def check(body):
        violations = validate_create(body)
        response = send(client, tally, "POST", client.base, body=body)
        if violations:
            assert_same_refusal(response, violations)
            tally.refused += 1
            return
        # accepted by the pre-flight: only the server's own facts may refuse it, in its order
        expected = None
        if body["name"] in existing:
            expected = "ModelArts.6301"
        elif len(existing) >= MAX_INSTANCES:
            expected = "ModelArts.6302"
        elif FLAVORS[body["flavor"]].needs_permission:
            expected = "ModelArts.6328"
        if expected is not None:
            assert response.status_code == 400 and response.json()["error_code"] == expected, response.text
            tally.server_only += 1
            return
        assert response.status_code == 200, response.text
        tally.accepted += 1
        instance = response.json()
        assert instance["profile"]["id"] in UNRUNNABLE
        existing[instance["name"]] = instance["id"]
        # keep a few, so that names are taken and the quota is reached sometimes; delete the rest
        if len(existing) > MAX_INSTANCES // 2:
            name, iid = next(iter(existing.items()))
            client.wait_status(iid, "CREATE_FAILED", timeout=15)
            assert client.delete(iid).status_code == 200
            del existing[name]

    check()
    assert tally.accepted >= 5 and tally.refused >= 20, tally.figures()
    for iid in existing.values():
        client.wait_status(iid, "CREATE_FAILED", timeout=15)
        assert client.delete(iid).status_code == 200


def test_update_agrees_with_the_preflight_check(property_server, tally):
    client = property_server.client()
    created = client.create({"name": "update-target", "profile_id": "Python2", "flavor": "modelarts.vm.cpu.2u",
                             "spec": {"storage": {"type": "EVS"}}})
    assert created.status_code == 200, created.text
    iid = created.json()["id"]
    client.wait_status(iid, "CREATE_FAILED", timeout=15)

    @PROPERTY
    @given(body=update_bodies())
    def check(body):
        violations = validate_update(body)
        response = send(client, tally, "PUT", f"{client.base}/{iid}", body=body)
        judge(response, violations, tally)

    check()
    assert tally.accepted >= 10 and tally.refused >= 10, tally.figures()
    assert client.delete(iid).status_code == 200


def test_list_query_agrees_with_the_preflight_check(property_server, tally):
    client = property_server.client()

    @PROPERTY
    @given(params=list_queries())
    def check(params):
        _, violations = validate_list_query(params)
        response = send(client, tally, "GET", client.base, params=params)
        judge(response, violations, tally)

    check()
    assert tally.accepted >= 10 and tally.refused >= 10, tally.figures()
