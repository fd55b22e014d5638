"""schemathesis drives the live local server from its own OpenAPI document.

Every operation of ``GET /_emulator/openapi.json`` gets schemathesis' examples, coverage and
fuzzing phases in positive and negative mode, with every default check that applies: no 5xx,
documented status codes, content types, headers and response schemas, negative data refused,
undocumented methods answered 405 with ``Allow``, authentication enforced. The budget is a fixed
number of examples per operation, derandomized, so a run is the same every time.

Requests are signed like the official SDK at send time (after schemathesis serialized query
and body), ``project_id`` is pinned to the server's project, and ``instance_id`` (the old API)
and ``id`` (the Notebook API) are most of the time one of a few real instances of that API, so
that operations get past ModelArts.6309.

Run alone: ``python -m pytest -p no:cacheprovider -s tests/test_fuzz_schemathesis.py``; the
request and 5xx counts per operation are printed, shown in the terminal summary and written to
``test-artifacts/fuzz-figures.json``.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import pytest
import requests
import schemathesis
from conftest import FIGURES, SignedClient, instance_pids
from hypothesis import HealthCheck, settings
from schemathesis.openapi.checks import RejectedPositiveData

from nb_devenv.contract.notebooks import image_for_profile
from nb_devenv.core import signing
from nb_devenv.server.routes import OPENAPI_PATH

# schemathesis 4.32's lazy schema renames the running test through ``node._nodeid``, which pytest
# 9.2 no longer has (its node ids became ``node._id``): give it somewhere to write. The names are
# only cosmetic (the subtests carry the operation labels); pytest's own ids are left alone.
if not hasattr(pytest.Function, "_nodeid"):
    pytest.Function._nodeid = property(lambda node: node.__dict__.get("_schemathesis_nodeid", node.nodeid),
                                       lambda node, value: node.__dict__.__setitem__("_schemathesis_nodeid", value))

#: examples per operation in the fuzzing phase (the examples and coverage phases add their own
#: deterministic cases); 60 keeps the whole test around a minute on two cores for the 25
#: operations of both APIs (raise it with NB_DEVENV_FUZZ_EXAMPLES for a longer run)
MAX_EXAMPLES = int(os.environ.get("NB_DEVENV_FUZZ_EXAMPLES", "60"))
SEED = 20240611
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

#: operations that would end the test's own server (the admin shutdown route, when it exists)
NOT_FUZZED = {("POST", "/_emulator/shutdown")}

#: 400 answers that positive (schema-valid) data may still get, because they depend on state the
#: document cannot describe: names taken, the quota, grants, the instance's existence and status
STATE_CODES = frozenset({
    "ModelArts.6301", "ModelArts.6302", "ModelArts.6328", "ModelArts.6309", "ModelArts.6304",
    "ModelArts.6305", "ModelArts.6306", "ModelArts.6307", "ModelArts.6308", "ModelArts.6327",
    "ModelArts.6357",
    # the Notebook API: a flavor this machine cannot run (a GPU), an update of an instance that
    # is not STOPPED, a volume that must grow from its current size, a new flavor or image
    # that does not suit the instance's other one
    "ModelArts.6329", "ModelArts.6347", "ModelArts.6331", "ModelArts.6330",
})

#: the request_body module's refusals of JSON beyond its limits (long number literals, deep
#: nesting), which apply to fields a schema leaves free too
BODY_LIMIT_REFUSALS = ("a number longer than", "nested deeper than", "is out of range")

#: parameters whose rule the document states in words only (the Notebook list's ``tags``: its
#: letters "of any language" are Python's Unicode \w, which an ECMA-262 pattern cannot say)
RULE_IN_WORDS = frozenset({"tags"})


class AkSkAuth(requests.auth.AuthBase):
    """Signs a prepared request with AK/SK the way ``SignedClient.request`` does: ``Host``,
    ``X-Sdk-Date``, ``X-Project-Id`` and ``Content-Type`` signed, the query sent in canonical
    order, the body exactly as serialized."""

    def __init__(self, credentials: dict):
        self.ak, self.sk, self.project_id = credentials["ak"], credentials["sk"], credentials["project_id"]

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(request.url)
        pairs = parse_qsl(url.query, keep_blank_values=True)
        query = signing.canonical_query(pairs)
        request.url = urlunsplit(url._replace(query=query))
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        for name in ("Authorization", "X-Auth-Token", "X-Sdk-Date"):
            request.headers.pop(name, None)
        signed = {"Host": url.netloc, "X-Sdk-Date": signing.sdk_date(), "X-Project-Id": self.project_id}
        if "Content-Type" in request.headers:
            signed["Content-Type"] = request.headers["Content-Type"]
        request.headers.update(signed)
        request.headers["Authorization"] = signing.sign(request.method, url.path, pairs, signed, body,
                                                        self.ak, self.sk)
        return request


class Tally:
    """Requests sent and 5xx seen, per operation, counted on the wire (probes included)."""

    def __init__(self):
        self.current = "(setup)"
        self.requests: dict[str, int] = defaultdict(int)
        self.server_errors: dict[str, int] = defaultdict(int)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.started = time.monotonic()

    def record(self, response: requests.Response) -> None:
        self.requests[self.current] += 1
        self.statuses[self.current][response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors[self.current] += 1

    def figures(self) -> dict:
        operations = {label: {"requests": count, "5xx": self.server_errors.get(label, 0),
                              "statuses": dict(sorted(self.statuses[label].items()))}
                      for label, count in sorted(self.requests.items())}
        return {"tool": "schemathesis", "version": schemathesis.__version__, "max_examples": MAX_EXAMPLES,
                "seed": SEED, "seconds": round(time.monotonic() - self.started, 1),
                "requests": sum(self.requests.values()), "5xx": sum(self.server_errors.values()),
                "operations": operations}


class InstancePool:
    """A few real instances of the old API for ``instance_id``; one deleted by the fuzzer is replaced."""

    SIZE = 2

    def __init__(self, client: SignedClient):
        self.client = client
        self.ids: list[str] = []
        self.made = 0
        self.refill()

    def create(self, name: str) -> requests.Response | None:
        # Python 2 cannot run here: the instance fails at once (CREATE_FAILED), no process
        return self.client.create({"name": name, "profile_id": "Python2", "flavor": "modelarts.vm.cpu.2u",
                                   "spec": {"storage": {"type": "EVS"}}})

    def refill(self) -> None:
        while len(self.ids) < self.SIZE:
            self.made += 1
            created = self.create(f"pool-{self.made}")
            if created.status_code != 200:  # the fuzzer filled the quota meanwhile
                return
            self.ids.append(created.json()["id"])

    def pick(self, generated: str) -> str | None:
        """For most generated ids (decided by the id itself, so it is deterministic) a real one."""
        digest = zlib.crc32(generated.encode("utf-8", "surrogatepass"))
        if not self.ids or digest % 4 == 0:
            return None
        return self.ids[digest % len(self.ids)]


class NotebookPool(InstancePool):
    """The same for the Notebook API's ``id``, made with the image of an unrunnable profile."""

    def create(self, name: str) -> requests.Response | None:
        return self.client.request("POST", f"/v1/{self.client.project_id}/notebooks", json_body={
            "name": name, "image_id": image_for_profile("Python2").id, "flavor": "modelarts.vm.cpu.2u",
            "volume": {"category": "EVS", "ownership": "MANAGED"}})


@schemathesis.check
def positive_data_accepted_unless_state(ctx, response, case):
    """schemathesis' positive_data_acceptance, knowing that ModelArts answers 400 for a missing
    instance and for refusals that depend on state (a taken name, the quota, the status)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code < 400:
        return None
    if response.status_code in (401, 403, 404, 405, 413):
        return None  # the checks of authentication and routing judge those
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    code = answer.get("error_code")
    if code in STATE_CODES:
        return None
    if answer.get("errors") and {e.get("field") for e in answer["errors"]} <= RULE_IN_WORDS:
        return None
    if code == "ModelArts.6400" and any(limit in response.text for limit in BODY_LIMIT_REFUSALS):
        return None  # the limits every JSON body has (the requestBody descriptions say them)
    if case.operation.path == "/_emulator/clock" and "'advance_seconds'" in response.text:
        return None  # the clock cannot pass 9999: the largest advance shrinks as the clock moves
    raise RejectedPositiveData(operation=case.operation.label,
                               message=f"Valid data should have been accepted, got {code}: {response.text[:300]}",
                               status_code=response.status_code, allowed_statuses=["2xx", *sorted(STATE_CODES)])


@pytest.fixture
def fuzz_target(server_factory, monkeypatch, record_testsuite_property):
    # two instances in each API's pool, and one more that the fuzzer's creates may make (the
    # old API's come first and take it: the Notebook API's creates are refused by the quota)
    server = server_factory("--max-instances", "5")
    client = server.client()
    tally = Tally()
    original_send = requests.Session.send

    def counted_send(session, request, **kwargs):
        response = original_send(session, request, **kwargs)
        tally.record(response)
        return response

    monkeypatch.setattr(requests.Session, "send", counted_send)
    target = type("FuzzTarget", (), {})()
    target.server, target.client, target.tally = server, client, tally
    target.pools = {"instance_id": InstancePool(client), "id": NotebookPool(client)}
    target.auth = AkSkAuth(server.credentials)
    yield target
    figures = tally.figures()
    figures["instances_made_for_the_pool"] = sum(pool.made for pool in target.pools.values())
    FIGURES.append(figures)
    for key in ("requests", "5xx", "seconds"):
        record_testsuite_property(f"schemathesis_{key}", figures[key])  # in the junit report
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fuzz-figures.json").write_text(json.dumps(figures, indent=2))
    print("\nschemathesis figures:", json.dumps(figures, indent=2))
    # every operation was driven, but the document's own (schemathesis leaves out the
    # operation its schema is loaded from; tests/test_openapi.py checks that one)
    document = target.client.request("GET", OPENAPI_PATH).json()
    expected = {f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods}
    left_out = {f"GET {OPENAPI_PATH}"} | {f"{method} {path}" for method, path in NOT_FUZZED}
    assert set(figures["operations"]) - {"(setup)"} == expected - left_out
    server.close()
    assert not instance_pids(server.data_dir), "instance processes left behind"


@pytest.fixture
def api_schema(fuzz_target):
    server = fuzz_target.server
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
        "parameters": {"path.project_id": server.credentials["project_id"]},
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True,
                       "database": "none"},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
                   "stateful": {"enabled": False}},
        "checks": {"positive_data_acceptance": {"enabled": False}},
    })
    return schemathesis.openapi.from_url(server.endpoint + OPENAPI_PATH, config=config)


# filters go on the lazy schema: the ones applied to the fixture's value are not seen by
# parametrize (POST /_emulator/shutdown then ended the server mid-run)
schema = schemathesis.pytest.from_fixture("api_schema")
for _method, _path in NOT_FUZZED:
    schema = schema.exclude(method=_method, path=_path)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=False)
def test_the_server_keeps_the_promises_of_its_openapi_document(case, fuzz_target):
    fuzz_target.tally.current = case.operation.label
    pools = [(name, pool) for name, pool in fuzz_target.pools.items() if name in (case.path_parameters or {})]
    for name, pool in pools:
        generated = case.path_parameters[name]
        if isinstance(generated, str) and generated:
            real = pool.pick(generated)
            if real is not None:
                case.path_parameters[name] = real
    response = case.call_and_validate(auth=fuzz_target.auth, timeout=30)
    if case.method == "DELETE" and response.status_code == 200:
        for name, pool in pools:
            deleted = case.path_parameters[name]
            if deleted in pool.ids:
                pool.ids.remove(deleted)
                pool.refill()
