"""The Notebook API of the local server, judged by the official SDK (``huaweicloudsdkmodelarts``).

Every call here is the SDK's own ``ModelArtsClient`` against the real server over HTTP: if the
SDK builds, signs, sends and parses it, a script written for ModelArts runs against the local
server. Refusals must reach the SDK as ``ClientRequestException`` with the documented code and
HTTP status. What the SDK cannot express (unknown fields, a query ``duration`` beside a body,
the ``workspaceId`` spelling, paging numbers) is in ``tests/test_notebook_server.py``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Callable, Iterable

import httpx
import instance_probe
import pytest
from conftest import SignedClient, instance_pids
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkmodelarts.v1 import (
    CreateNotebookRequest,
    DeleteNotebookRequest,
    LeaseReq,
    ListAllNotebooksRequest,
    ListFlavorsRequest,
    ListImageRequest,
    ListNotebooksRequest,
    ModelArtsClient,
    NotebookCreateRequest,
    NotebookUpdateRequest,
    RenewLeaseRequest,
    ShowImageRequest,
    ShowLeaseRequest,
    ShowNotebookRequest,
    ShowSwitchableFlavorsRequest,
    StartNotebookRequest,
    StopNotebookRequest,
    UpdateNotebookRequest,
    VolumeMountRequest,
)

from nb_devenv.server import add_project
from nb_devenv.server.provisioners.local import has_gpu

CPU_FLAVOR = "modelarts.vm.cpu.2u"
HOUR_MS = 3_600_000


def sdk_client(server: Any, credentials: dict | None = None) -> ModelArtsClient:
    """The SDK's client for ``server`` (default project, or ``credentials``), as a user builds it."""
    c = credentials or server.credentials
    return (ModelArtsClient.new_builder()
            .with_credentials(BasicCredentials(c["ak"], c["sk"], c["project_id"]))
            .with_endpoint(server.endpoint)
            .build())


def image_id(sdk: ModelArtsClient, show_name: str) -> str:
    """The id of the listed image that stands for the old API's profile ``show_name``."""
    images = sdk.list_image(ListImageRequest()).data
    return next(image.id for image in images if image.show_name == show_name)


def create(sdk: ModelArtsClient, name: str, image: str, flavor: str = CPU_FLAVOR, **fields: Any) -> Any:
    return sdk.create_notebook(CreateNotebookRequest(body=NotebookCreateRequest(
        name=name, image_id=image, flavor=flavor, volume=VolumeMountRequest(category="EVS", ownership="MANAGED"),
        **fields)))


def show(sdk: ModelArtsClient, notebook_id: str) -> Any:
    return sdk.show_notebook(ShowNotebookRequest(id=notebook_id))


def wait_status(sdk: ModelArtsClient, notebook_id: str, wanted: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        seen = show(sdk, notebook_id)
        if seen.status == wanted:
            return seen
        assert time.monotonic() < deadline, f"{notebook_id} is {seen.status}, not {wanted}, after {timeout}s"
        time.sleep(0.1)


def refused(call: Callable[[], Any], code: str, status: int = 400) -> ClientRequestException:
    """``call`` raises the SDK's ClientRequestException with ``code`` and HTTP ``status``."""
    with pytest.raises(ClientRequestException) as caught:
        call()
    error = caught.value
    assert (error.error_code, error.status_code) == (code, status), error.error_msg
    assert error.request_id  # our X-Request-Id reaches the SDK
    return error


def stop_instant(lease: Any) -> int:
    """When the lease stops the instance (§6.5: create_at + duration)."""
    return int(lease.create_at + lease.duration)


def server_now_ms(admin: SignedClient) -> int:
    return int(admin.request("GET", "/_emulator/clock").json()["now"])


def test_a_notebook_from_create_to_delete_through_the_sdk(local_server):
    sdk, admin = sdk_client(local_server), local_server.client()

    # what there is to choose from
    python3 = image_id(sdk, "Python3")
    image = sdk.show_image(ShowImageRequest(id=python3))
    assert (image.id, image.status, image.type, image.support_res_categories) == (python3, "ACTIVE", "BUILD_IN",
                                                                                  ["CPU"])
    flavors = {f.id: f for f in sdk.list_flavors(ListFlavorsRequest()).data}
    assert flavors[CPU_FLAVOR].sold_out is False and flavors[CPU_FLAVOR].category == "CPU"
    assert flavors[CPU_FLAVOR].name == "CPU: 2 vCPUs 8 GB"

    # create, with a 2 h lease: CREATING at once, RUNNING soon
    created = create(sdk, "sdk-notebook", python3, description="made by the SDK",
                     lease=LeaseReq(duration=2 * HOUR_MS, type="TIMING"))
    assert created.status == "CREATING" and uuid.UUID(created.id)
    assert (created.lease.duration, created.lease.enable, created.lease.type) == (2 * HOUR_MS, True, "TIMING")
    assert (created.volume.category, created.volume.capacity, created.volume.mount_path) == ("EVS", 5,
                                                                                           "/home/ma-user/work/")
    assert created.image.id == python3 and created.url is None and created.token
    running = wait_status(sdk, created.id, "RUNNING")
    assert running.url.startswith("http://127.0.0.1:") and running.url.endswith("/lab")
    assert running.endpoints[0].uri == running.url
    assert [step.status for step in running.action_progress] == ["COMPLETED"] * 4

    # the url and the token of the answer open the instance's JupyterLab
    root = running.url.removesuffix("lab")
    status = httpx.get(root + "api/status", headers={"Authorization": f"token {running.token}"}, timeout=30)
    assert status.status_code == 200 and "started" in status.json()
    assert asyncio.run(instance_probe.check_jupyterlab(running.url, running.token)) == running.url

    listed = sdk.list_notebooks(ListNotebooksRequest())
    assert (listed.total, [n.id for n in listed.data]) == (1, [created.id])
    assert listed.data[0].status == "RUNNING"
    assert [n.id for n in sdk.list_all_notebooks(ListAllNotebooksRequest()).data] == [created.id]
    switchable = sdk.show_switchable_flavors(ShowSwitchableFlavorsRequest(id=created.id))
    assert [f.id for f in switchable.data] == ["modelarts.vm.cpu.8u"]

    # the lease: about 2 h left; a renewal for 3 h leaves more
    lease = sdk.show_lease(ShowLeaseRequest(id=created.id))
    assert lease.enable and lease.create_at == running.lease.create_at
    left = stop_instant(lease) - server_now_ms(admin)
    assert 2 * HOUR_MS - 60_000 < left <= 2 * HOUR_MS
    renewed = sdk.renew_lease(RenewLeaseRequest(id=created.id, body=LeaseReq(duration=3 * HOUR_MS)))
    now = server_now_ms(admin)
    assert stop_instant(renewed) - now > left + HOUR_MS - 60_000
    assert stop_instant(sdk.show_lease(ShowLeaseRequest(id=created.id))) == stop_instant(renewed)
    assert show(sdk, created.id).lease.duration == renewed.duration

    # past the new deadline (the admin moves the server's clock), the instance really stops
    moved = admin.advance_clock((stop_instant(renewed) - now) / 1000 + 5)
    assert moved.status_code == 200, moved.text
    stopped = wait_status(sdk, created.id, "STOPPED", timeout=30)
    assert stopped.url is None and stopped.endpoints == []
    assert not instance_pids(local_server.data_dir)
    with pytest.raises(httpx.HTTPError):
        httpx.get(root + "api/status", timeout=5)

    # a stopped instance: no lease, no stop; it can be updated
    refused(lambda: sdk.stop_notebook(StopNotebookRequest(id=created.id)), "ModelArts.6307")
    refused(lambda: sdk.renew_lease(RenewLeaseRequest(id=created.id, body=LeaseReq(duration=HOUR_MS))),
            "ModelArts.6327")
    refused(lambda: sdk.show_lease(ShowLeaseRequest(id=created.id)), "ModelArts.6327")
    updated = sdk.update_notebook(UpdateNotebookRequest(id=created.id, body=NotebookUpdateRequest(
        name="sdk-renamed", description="updated while stopped", storage_new_size=10)))
    assert (updated.name, updated.description, updated.volume.capacity) == ("sdk-renamed", "updated while stopped",
                                                                            10)
    assert show(sdk, created.id).name == "sdk-renamed"

    # start for 4 h: STARTING, then RUNNING with the lease armed at the start
    started = sdk.start_notebook(StartNotebookRequest(id=created.id, duration=4 * HOUR_MS, type="TIMING"))
    assert started.status == "STARTING"
    running = wait_status(sdk, created.id, "RUNNING")
    left = stop_instant(sdk.show_lease(ShowLeaseRequest(id=created.id))) - server_now_ms(admin)
    assert 4 * HOUR_MS - 60_000 < left <= 4 * HOUR_MS
    assert running.token == created.token
    refused(lambda: sdk.start_notebook(StartNotebookRequest(id=created.id)), "ModelArts.6305")
    refused(lambda: sdk.update_notebook(UpdateNotebookRequest(id=created.id, body=NotebookUpdateRequest(
        description="not while running"))), "ModelArts.6347")
    refused(lambda: sdk.delete_notebook(DeleteNotebookRequest(id=created.id)), "ModelArts.6304")

    # stop, delete: DELETING, then not found
    assert sdk.stop_notebook(StopNotebookRequest(id=created.id)).status == "STOPPING"
    wait_status(sdk, created.id, "STOPPED", timeout=30)
    deleted = sdk.delete_notebook(DeleteNotebookRequest(id=created.id))
    assert (deleted.id, deleted.status) == (created.id, "DELETING")
    refused(lambda: show(sdk, created.id), "ModelArts.6309")
    assert sdk.list_notebooks(ListNotebooksRequest()).total == 0


def test_refusals_reach_the_sdk_with_their_documented_codes(shared_server):
    sdk = sdk_client(shared_server)
    python3 = image_id(sdk, "Python3")
    refused(lambda: create(sdk, "bad-flavor", python3, flavor="modelarts.vm.cpu.64u"), "ModelArts.6323")
    refused(lambda: create(sdk, "bad-image", str(uuid.uuid4())), "ModelArts.6797")
    refused(lambda: create(sdk, "short-lease", python3, lease=LeaseReq(duration=60_000)), "ModelArts.6349")
    refused(lambda: create(sdk, "long-lease", python3, lease=LeaseReq(duration=73 * HOUR_MS)), "ModelArts.6349")
    too_big = NotebookCreateRequest(name="evs-too-big", image_id=python3, flavor=CPU_FLAVOR,
                                    volume=VolumeMountRequest(category="EVS", ownership="MANAGED", capacity=4097))
    refused(lambda: sdk.create_notebook(CreateNotebookRequest(body=too_big)), "ModelArts.6331")
    refused(lambda: show(sdk, str(uuid.uuid4())), "ModelArts.6309")
    refused(lambda: sdk.show_image(ShowImageRequest(id=str(uuid.uuid4()))), "ModelArts.6797")
    gpu_image = image_id(sdk, "Python3-gpu")
    # a flavor that needs a grant is refused first, whatever the machine has
    refused(lambda: create(sdk, "gpu-ungranted", gpu_image, flavor="modelarts.vm.gpu.2p100"), "ModelArts.6328")
    refused(lambda: create(sdk, "gpu-on-cpu", gpu_image, flavor=CPU_FLAVOR), "ModelArts.6330")
    assert sdk.list_notebooks(ListNotebooksRequest()).total == 0  # nothing was made


@pytest.mark.skipif(has_gpu(), reason="this machine has a GPU: GPU flavors are not sold out")
def test_gpu_flavors_are_sold_out_on_a_machine_without_a_gpu(shared_server):
    sdk = sdk_client(shared_server)
    flavors = {f.id: f for f in sdk.list_flavors(ListFlavorsRequest(category="GPU")).data}
    assert flavors and all(f.sold_out for f in flavors.values())
    refused(lambda: create(sdk, "gpu-sold-out", image_id(sdk, "Python3-gpu"), flavor="modelarts.vm.gpu.p100"),
            "ModelArts.6329")


def delete_when_settled(sdk: ModelArtsClient, ids: Iterable[str]) -> None:
    for notebook_id in ids:
        wait_status(sdk, notebook_id, "CREATE_FAILED")
        sdk.delete_notebook(DeleteNotebookRequest(id=notebook_id))


def test_names_may_repeat(shared_server):
    sdk = sdk_client(shared_server)
    unrunnable = image_id(sdk, "Python2")  # fails at once: no Jupyter process
    first, second = (create(sdk, "same-name", unrunnable) for _ in range(2))
    assert first.id != second.id and first.name == second.name == "same-name"
    assert sdk.list_notebooks(ListNotebooksRequest(name="same-name")).total == 2
    failed = wait_status(sdk, first.id, "CREATE_FAILED")
    assert "Python 2" in failed.fail_reason
    assert [step.status for step in failed.action_progress] == ["COMPLETED", "FAILED", "WAITING", "WAITING"]
    delete_when_settled(sdk, [first.id, second.id])


def test_each_api_sees_only_its_own_instances_and_the_quota_counts_both(server_factory):
    server = server_factory("--max-instances", "2")
    sdk, old = sdk_client(server), server.client()
    notebook = create(sdk, "new-api", image_id(sdk, "Python2"))
    instance = old.create({"name": "old-api", "profile_id": "Python2", "flavor": CPU_FLAVOR,
                           "spec": {"storage": {"type": "EVS"}}}).json()

    assert [n.id for n in sdk.list_notebooks(ListNotebooksRequest()).data] == [notebook.id]
    assert [n.id for n in sdk.list_all_notebooks(ListAllNotebooksRequest()).data] == [notebook.id]
    assert [i["id"] for i in old.list().json()["instances"]] == [instance["id"]]
    refused(lambda: show(sdk, instance["id"]), "ModelArts.6309")
    refused(lambda: sdk.delete_notebook(DeleteNotebookRequest(id=instance["id"])), "ModelArts.6309")
    for answer in (old.get(notebook.id), old.token(notebook.id), old.delete(notebook.id)):
        assert (answer.status_code, answer.json()["error_code"]) == (400, "ModelArts.6309")

    # one quota for both: two instances, one of each API, fill it
    refused(lambda: create(sdk, "third", image_id(sdk, "Python2")), "ModelArts.6302")
    third = old.create({"name": "third", "profile_id": "Python2", "flavor": CPU_FLAVOR,
                        "spec": {"storage": {"type": "EVS"}}})
    assert third.json()["error_code"] == "ModelArts.6302"
    delete_when_settled(sdk, [notebook.id])
    assert create(sdk, "fits-again", image_id(sdk, "Python2")).status == "CREATING"


def test_other_projects_are_invisible_to_the_sdk(server_factory):
    server = server_factory()
    sdk = sdk_client(server)
    notebook = create(sdk, "mine", image_id(sdk, "Python2"))
    other_sdk = sdk_client(server, add_project(server.data_dir, "tenant-b"))
    assert other_sdk.list_notebooks(ListNotebooksRequest()).total == 0
    refused(lambda: show(other_sdk, notebook.id), "ModelArts.6309")
    delete_when_settled(sdk, [notebook.id])
