"""The Notebook API of the local server, over HTTP with our own signed client: what the official
SDK cannot send (unknown fields, a query ``duration`` beside a body, the ``workspaceId``
spelling, bodies on start and stop), the list's envelope, filters and order, and every answer
against the contract's JSON Schemas. The SDK's own view is ``tests/test_notebook_sdk.py``.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import jsonschema
import pytest
from conftest import SignedClient

from nb_devenv.contract import notebooks as nb
from nb_devenv.contract.notebooks import schema
from nb_devenv.contract.notebooks.rules import LIST_LIMIT_DEFAULT

CPU_FLAVOR = "modelarts.vm.cpu.2u"
PYTHON3 = nb.image_for_profile("Python3").id
PYTHON2 = nb.image_for_profile("Python2").id  # cannot run here: CREATE_FAILED at once, no process
GPU_IMAGE = nb.image_for_profile("Python3-gpu").id
HOUR_MS = 3_600_000
WORKSPACE = "0123456789abcdefghijklmnopqrstuv"

_VALIDATORS: dict[str, jsonschema.Draft202012Validator] = {}


def fits(document: Any, kind: str) -> Any:
    """``document`` fits the contract's schema ``kind`` (``notebook_schema`` ...); returned as is."""
    if kind not in _VALIDATORS:
        _VALIDATORS[kind] = jsonschema.Draft202012Validator(getattr(schema, kind)())
    _VALIDATORS[kind].validate(document)
    return document


class Notebooks:
    """Shortcuts for the Notebook API on a :class:`SignedClient`."""

    def __init__(self, client: SignedClient):
        self.client = client
        self.base = f"/v1/{client.project_id}/notebooks"

    def create(self, name: str, image: str = PYTHON2, **fields: Any) -> httpx.Response:
        return self.client.request("POST", self.base, json_body={
            "name": name, "image_id": image, "flavor": CPU_FLAVOR,
            "volume": {"category": "evs", "ownership": "managed"}, **fields})

    def made(self, name: str, image: str = PYTHON2, **fields: Any) -> dict[str, Any]:
        answer = self.create(name, image, **fields)
        assert answer.status_code == 200, answer.text
        return fits(answer.json(), "notebook_schema")

    def show(self, notebook_id: str) -> httpx.Response:
        return self.client.request("GET", f"{self.base}/{notebook_id}")

    def list(self, path: str = "", **params: Any) -> dict[str, Any]:
        answer = self.client.request("GET", self.base + path, params=params)
        assert answer.status_code == 200, answer.text
        return fits(answer.json(), "notebook_list_schema")

    def wait(self, notebook_id: str, wanted: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            seen = self.show(notebook_id).json()
            if seen.get("status") == wanted:
                return fits(seen, "notebook_schema")
            assert time.monotonic() < deadline, f"{notebook_id}: {seen}"
            time.sleep(0.05)


def error(answer: httpx.Response) -> tuple[int, str]:
    return answer.status_code, answer.json()["error_code"]


@pytest.fixture(scope="module")
def api(shared_server) -> Notebooks:
    return Notebooks(shared_server.client())


def test_unknown_fields_are_refused_with_every_violation(api):
    answer = api.create("unknown-fields", colour="blue", volume={"category": "EVS", "ownership": "MANAGED",
                                                                 "size": 5})
    assert error(answer) == (400, "ModelArts.6400")
    assert {(e["error_code"], e["field"]) for e in answer.json()["errors"]} == {
        ("ModelArts.6400", "colour"), ("ModelArts.6400", "volume.size")}
    assert api.list(name="unknown-fields")["total"] == 0
    made = api.made("unknown-update")
    refused = api.client.request("PUT", f"{api.base}/{made['id']}", json_body={"nickname": "x"})
    assert error(refused) == (400, "ModelArts.6400")
    for body in ("not json", "[1, 2]"):
        raw = api.client.request("POST", api.base, raw_body=body.encode())
        assert error(raw) == (400, "ModelArts.6400")


def test_the_list_pages_sorts_and_filters(api):
    ids = [api.made(f"page-{n}", description=f"page number {n}")["id"] for n in range(3)]
    for notebook_id in ids:
        api.wait(notebook_id, "CREATE_FAILED")

    first = api.list(name="page-", sort_key="name", sort_dir="ASC", limit=2)
    assert {k: first[k] for k in ("current", "pages", "size", "total")} == {"current": 0, "pages": 2, "size": 2,
                                                                           "total": 3}
    assert [n["name"] for n in first["data"]] == ["page-0", "page-1"]
    second = api.list(name="page-", sort_key="name", sort_dir="ASC", limit=2, offset=2)
    assert (second["current"], [n["name"] for n in second["data"]]) == (1, ["page-2"])
    assert [n["name"] for n in api.list(name="PAGE-", sort_key="name")["data"]] == ["page-2", "page-1", "page-0"]
    newest_first = api.list(name="page-")  # default: create_at, DESC
    created = [n["create_at"] for n in newest_first["data"]]
    assert created == sorted(created, reverse=True) and set(ids) == {n["id"] for n in newest_first["data"]}
    assert newest_first["size"] == LIST_LIMIT_DEFAULT

    def names(**params: Any) -> list[str]:
        return sorted(n["name"] for n in api.list(name="page-", limit=50, **params)["data"])

    assert names(status="CREATE_FAILED") == ["page-0", "page-1", "page-2"]
    assert names(status="RUNNING") == [] and names(status="DELETING") == []
    assert names(description="NUMBER 1") == ["page-1"]
    assert names(id=ids[2]) == ["page-2"]
    assert len(names(image_id=PYTHON2)) == 3 and names(image_id=PYTHON3) == []
    assert len(names(swr_path="cp27")) == 3 and names(swr_path="cp36") == []
    assert len(names(flavor="cpu.2U")) == 3 and names(flavor="gpu") == []
    assert len(names(billing="STORAGE")) == 3 and names(billing="COMPUTE") == []
    assert names(feature="DEFAULT") == [] and names(pool_id="pool41664192") == [] and names(ip="10.0.0.1") == []
    owner = api.list(name="page-", limit=1)["data"][0]["user"]
    assert len(names(owner=owner["id"])) == 3 and names(owner="0" * 32) == []
    assert len(names(username=owner["name"][1:].upper())) == 3 and names(username="someone-else") == []
    for params, code in (({"sort_key": "flavor"}, "ModelArts.6303"), ({"limit": "0"}, "ModelArts.6336"),
                         ({"status": "SLEEPING"}, "ModelArts.6336"), ({"offset": "x"}, "ModelArts.6332")):
        assert error(api.client.request("GET", api.base, params=params)) == (400, code), params


def test_workspaces_and_the_workspace_id_spellings(api):
    elsewhere = api.made("in-a-workspace", workspace_id=WORKSPACE)
    here = api.made("in-no-workspace")
    assert elsewhere["workspace_id"] == WORKSPACE and here["workspace_id"] == "0"

    def ids(path: str = "", **params: Any) -> set[str]:
        return {n["id"] for n in api.list(path, name="-workspace", **params)["data"]}

    assert ids() == {here["id"]}  # the plain list: workspace "0" unless one is named
    assert ids(workspace_id=WORKSPACE) == ids(workspaceId=WORKSPACE) == {elsewhere["id"]}
    assert ids("/all") == {here["id"], elsewhere["id"]}  # /all: every workspace unless one is named
    assert ids("/all", workspaceId="0") == {here["id"]}
    both = api.client.request("GET", api.base, params={"workspace_id": "0", "workspaceId": WORKSPACE})
    assert error(both) == (400, "ModelArts.6336")


def test_operations_without_a_body_take_none_or_an_empty_object(api):
    made = api.made("no-body")
    api.wait(made["id"], "CREATE_FAILED")
    stop = api.client.request("POST", f"{api.base}/{made['id']}/stop", json_body={"force": True})
    assert error(stop) == (400, "ModelArts.6400")
    for body in (None, {}):
        assert error(api.client.request("POST", f"{api.base}/{made['id']}/stop", json_body=body)) == (
            400, "ModelArts.6327")  # a failed instance is not running
    start = api.client.request("POST", f"{api.base}/{made['id']}/start", json_body={})
    assert error(start) == (400, "ModelArts.6357")  # CREATE_FAILED is not a status start leaves
    deleted = api.client.request("DELETE", f"{api.base}/{made['id']}", json_body={})
    assert deleted.status_code == 200 and fits(deleted.json(), "notebook_schema")["status"] == "DELETING"
    assert error(api.show(made["id"])) == (400, "ModelArts.6309")


def test_images_and_flavors_fit_their_schemas(api):
    client = api.client
    images = client.request("GET", f"/v1/{client.project_id}/images").json()
    fits(images, "image_list_schema")
    assert images["total"] == len(nb.IMAGES) and images["size"] == 200
    detail = client.request("GET", f"/v1/{client.project_id}/images/{PYTHON3}").json()
    jsonschema.validate(detail, schema.image_schema(detail=True))
    assert detail["show_name"] == "Python3" and detail["support_res_categories"] == ["CPU"]
    named = client.request("GET", f"/v1/{client.project_id}/images",
                           params={"name": "mul-kernel-cpu", "sort_key": "name", "sort_dir": "ASC"}).json()
    assert [i["show_name"] for i in named["data"]] == ["Python2", "Python3"]
    exact = client.request("GET", f"/v1/{client.project_id}/images",
                           params={"name": "mul-kernel-cpu", "name_fuzzy_match": "false"}).json()
    assert exact["total"] == 0
    assert client.request("GET", f"/v1/{client.project_id}/images", params={"type": "DEDICATED"}).json()["total"] == 0
    unknown = client.request("GET", f"/v1/{client.project_id}/images/not-an-image")
    assert error(unknown) == (400, "ModelArts.6797")

    flavors = client.request("GET", f"{api.base}/flavors", params={"limit": 2, "offset": 2}).json()
    fits(flavors, "flavor_list_schema")
    assert (flavors["current"], flavors["pages"], flavors["total"]) == (1, 3, 5)
    assert flavors["data"] == flavors["flavors"] and len(flavors["data"]) == 2
    by_memory = client.request("GET", f"{api.base}/flavors", params={"sort_key": "memory", "sort_dir": "ASC",
                                                                     "category": "cpu"}).json()
    assert [f["id"] for f in by_memory["data"]] == ["modelarts.vm.cpu.2u", "modelarts.vm.cpu.8u"]


def test_an_iam_token_works_as_for_the_old_api(shared_server):
    credentials = shared_server.credentials
    issued = httpx.post(shared_server.endpoint + "/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": credentials["user_name"], "password": credentials["password"],
            "domain": {"name": credentials["domain_name"]}}}},
        "scope": {"project": {"id": credentials["project_id"]}}}})
    token = issued.headers["X-Subject-Token"]
    listed = httpx.get(f"{shared_server.endpoint}/v1/{credentials['project_id']}/notebooks",
                       headers={"X-Auth-Token": token})
    assert listed.status_code == 200 and len(listed.headers["X-Request-Id"]) == 32
    fits(listed.json(), "notebook_list_schema")
    assert httpx.get(f"{shared_server.endpoint}/v1/{credentials['project_id']}/notebooks").status_code == 401


def test_a_running_notebook_renews_by_query_updates_when_stopped_and_follows_its_new_image(local_server):
    api = Notebooks(local_server.client())
    made = api.made("runner", image=PYTHON3, duration=2 * HOUR_MS, lease={"duration": 5 * HOUR_MS, "type": "idle"})
    # a top-level duration wins over lease, and the type is then TIMING (§4.1)
    assert (made["lease"]["duration"], made["lease"]["type"]) == (2 * HOUR_MS, "TIMING")
    running = api.wait(made["id"], "RUNNING")
    assert running["url"] and running["billing_items"] == ["COMPUTE", "STORAGE"]
    lease_path = f"{api.base}/{made['id']}/lease"

    # ?duration= wins over the body: 4 h from now, TIMING, although the body asks for 1 h IDLE
    renewed = api.client.request("PATCH", lease_path, params={"duration": 4 * HOUR_MS},
                                 json_body={"duration": HOUR_MS, "type": "IDLE"})
    assert renewed.status_code == 200, renewed.text
    lease = fits(renewed.json(), "lease_schema")
    now = api.client.request("GET", "/_emulator/clock").json()["now"]
    deadline = lease["create_at"] + lease["duration"]
    assert lease["type"] == "TIMING" and 4 * HOUR_MS - 60_000 < deadline - now <= 4 * HOUR_MS
    by_body = fits(api.client.request("PATCH", lease_path, json_body={"duration": HOUR_MS, "type": "idle"}).json(),
                   "lease_schema")
    assert by_body["type"] == "IDLE" and by_body["create_at"] + by_body["duration"] < deadline
    off = fits(api.client.request("PATCH", lease_path, json_body={"duration": -1}).json(), "lease_schema")
    assert (off["enable"], off["duration"]) == (False, -1)

    # a restarted server re-adopts the running notebook, as it does the old API's instances
    local_server.restart()
    api = Notebooks(local_server.client())
    adopted = api.wait(made["id"], "RUNNING", timeout=5)
    assert (adopted["url"], adopted["lease"]["enable"], adopted["token"]) == (running["url"], False, running["token"])
    bad = api.client.request("PATCH", lease_path, params={"duration": "60000"})
    assert error(bad) == (400, "ModelArts.6349")
    refused = api.client.request("PUT", f"{api.base}/{made['id']}",
                                 json_body={"name": "x", "flavor": "modelarts.vm.cpu.8u"})
    assert error(refused) == (400, "ModelArts.6347")
    assert "'RUNNING' status, the 'name, flavor' parameter" in refused.json()["error_msg"]

    assert api.client.request("POST", f"{api.base}/{made['id']}/stop").json()["status"] == "STOPPING"
    stopped = api.wait(made["id"], "STOPPED")
    assert "url" not in stopped and stopped["billing_items"] == ["STORAGE"]
    put = f"{api.base}/{made['id']}"
    for body, code in (({"storage_new_size": 5}, "ModelArts.6331"), ({"image_id": GPU_IMAGE}, "ModelArts.6330"),
                       ({"flavor": "modelarts.vm.gpu.p100"}, "ModelArts.6330")):
        assert error(api.client.request("PUT", put, json_body=body)) == (400, code), body
    updated = api.client.request("PUT", put, json_body={"flavor": "modelarts.vm.cpu.8u", "image_id": PYTHON2,
                                                        "storage_new_size": 6})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["flavor"], updated.json()["image"]["id"], updated.json()["volume"]["capacity"]) == (
        "modelarts.vm.cpu.8u", PYTHON2, 6)
    switchable = api.client.request("GET", f"{api.base}/{made['id']}/flavors").json()
    assert [f["id"] for f in fits(switchable, "flavor_list_schema")["data"]] == [CPU_FLAVOR]

    # the new image is what the next start runs: Python 2 cannot run here
    started = api.client.request("POST", f"{api.base}/{made['id']}/start",
                                 params={"duration": -1, "type": "timing"})
    assert fits(started.json(), "notebook_schema")["status"] == "STARTING"
    failed = api.wait(made["id"], "START_FAILED")
    assert "Python 2" in failed["fail_reason"] and failed["lease"]["enable"] is False
    assert error(api.client.request("PUT", put, json_body={"image_id": PYTHON3})) == (400, "ModelArts.6347")
    assert api.client.request("DELETE", put).json()["status"] == "DELETING"


def test_a_lease_that_is_not_counting_down_is_the_same_on_every_read(local_server):
    """A new instance's lease is the requested duration exactly (the create sample); a stopped
    one's does not change from read to read (a watcher sees no change where there is none)."""
    client = local_server.client()
    base = f"/v1/{client.project_id}/notebooks"
    images = client.request("GET", f"/v1/{client.project_id}/images").json()["data"]
    python2 = next(i["id"] for i in images if i["show_name"] == "Python2")
    body = {"name": "lease-stable", "image_id": python2, "flavor": "modelarts.vm.cpu.2u",
            "volume": {"category": "EVS", "ownership": "MANAGED"}, "lease": {"duration": 7200000}}
    created = client.request("POST", base, json_body=body).json()
    assert created["lease"]["duration"] == 7200000 and created["lease"]["update_at"] == created["lease"]["create_at"]
    deadline = time.monotonic() + 30  # the Python 2 image fails at once: wait until it has
    while client.request("GET", f"{base}/{created['id']}").json()["status"] != "CREATE_FAILED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    first = client.request("GET", f"{base}/{created['id']}").json()["lease"]
    time.sleep(0.05)
    second = client.request("GET", f"{base}/{created['id']}").json()["lease"]
    assert first == second
