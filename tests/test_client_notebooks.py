"""The async client speaking the Notebook API (``api="notebooks"``) over real HTTP against the
real local server: instances, the lease, images, flavors, and exactly-once create.

Mock transports appear only where a fault cannot be produced for real (an answer lost after the
server acted, a proxy's error); even then the request reaches the real server first, unless the
test is about a request that never arrived.
"""

from __future__ import annotations

import httpx
import instance_probe
import pytest
from fault_transports import ForwardThenFail

from nb_devenv import (
    AkSkAuth,
    APIConnectionError,
    AsyncDevEnvClient,
    ConfigurationError,
    ConflictError,
    DevEnvError,
    InstanceFailedError,
    NotFoundError,
    RetryPolicy,
    SpecValidationError,
    UnsupportedOperationError,
)
from nb_devenv.contract import notebooks as nb

FAST_RETRY = RetryPolicy(max_retries=3, initial=0.01, cap=0.05)
#: credentials for the tests whose endpoint is a closed port (nothing may reach a server there)
AUTH = AkSkAuth("A" * 20, "S" * 40, "p" * 32)
CPU = "modelarts.vm.cpu.2u"
HOUR = 3600


def client_for(server, **kwargs) -> AsyncDevEnvClient:
    return AsyncDevEnvClient(endpoint=server.endpoint, data_dir=server.data_dir, api="notebooks", **kwargs)


def python2_image() -> str:
    """An image the local server cannot run: its instance ends in CREATE_FAILED at once, a real
    stored instance without a Jupyter process (cheap for the tests that only need one)."""
    return nb.image_for_profile("Python2").id


# -- lifecycle ------------------------------------------------------------------------------------

async def test_images_flavors_create_run_open_extend_stop_delete(shared_server):
    async with client_for(shared_server) as client:
        images = await client.images()
        assert {i.show_name for i in images} >= {"Python3", "Python2"}
        image = await client.find_image("Python3")  # the old profile id, as a convenience
        assert await client.find_image(image.id) == image and await client.find_image(f"{image.name}:{image.tag}") == image
        flavors = {f.id: f for f in await client.flavors()}
        assert not flavors[CPU].sold_out and flavors[CPU].vcpus == 2 and flavors[CPU].memory_gib == 8

        created = await client.create(name="nb-life", image_id=image.id, flavor=CPU, lease=HOUR)
        assert created.api == "notebooks" and created.status in ("INIT", "CREATING", "STARTING")
        assert created.image.id == image.id and created.storage.describe() == "EVS 5 GB"
        running = await client.wait_until(created.id, "RUNNING", timeout=60)
        assert running.url and running.url.endswith("/lab")
        assert HOUR - 10 <= running.remain_time <= HOUR
        assert running.token and running.token not in repr(running)

        url = await client.open_url(created.id)
        assert url.startswith(f"{running.url}?token=")
        assert await instance_probe.open_jupyterlab(url) == running.url  # logged in, as in a browser

        lease = await client.lease(created.id)
        assert lease.enable and lease.deadline_ms == running.auto_stop.stop_timestamp
        extended = await client.extend(created.id, HOUR)
        # the deadline moves by an hour (give or take the time the calls took)
        assert abs(extended.deadline_ms - (lease.deadline_ms + HOUR * 1000)) < 5000
        after = await client.get(created.id)
        assert 2 * HOUR - 15 <= after.remain_time <= 2 * HOUR
        assert after.auto_stop.stop_timestamp == extended.deadline_ms
        from_now = await client.extend(created.id, 3 * HOUR, from_now=True)
        assert 3 * HOUR - 10 <= from_now.remaining <= 3 * HOUR
        with pytest.raises(SpecValidationError) as too_long:
            await client.extend(created.id, 72 * HOUR)  # 3 h left + 72 h is more than the API's 72 h
        assert too_long.value.error_code == "ModelArts.6349"

        stopped = await client.stop(created.id)
        assert stopped.transition() == "RUNNING → STOPPING" and stopped.instance.id == created.id
        stopped_instance = await client.wait_until(created.id, "STOPPED", timeout=30)
        assert stopped_instance.url is None and stopped_instance.remain_time is None
        with pytest.raises(ConflictError) as no_lease:
            await client.lease(created.id)
        assert no_lease.value.error_code == "ModelArts.6327"

        assert await client.delete(created.id) == created.id
        with pytest.raises(NotFoundError) as gone:
            await client.get(created.id)
        assert gone.value.error_code == "ModelArts.6309"


async def test_a_lease_that_is_off_and_the_lease_of_a_start(shared_server):
    async with client_for(shared_server) as client:
        image = await client.find_image("Python3")
        created = await client.create(name="nb-start", image_id=image.id, flavor=CPU, lease="off")
        running = await client.wait_until(created.id, "RUNNING", timeout=60)
        assert not running.auto_stop.enable and running.remain_time is None and not running.lease.enable
        with pytest.raises(DevEnvError, match="auto-stop is off"):
            await client.extend(created.id, HOUR)  # nothing to move: --from-now sets a deadline
        assert HOUR - 10 <= (await client.extend(created.id, HOUR, from_now=True)).remaining <= HOUR
        await client.stop(created.id)
        await client.wait_until(created.id, "STOPPED", timeout=30)
        started = await client.start(created.id, lease=2 * HOUR)
        assert started.current_status == "STARTING" and started.previous_state == ""  # STOPPED or START_FAILED
        running = await client.wait_until(created.id, "RUNNING", timeout=60)
        assert 2 * HOUR - 15 <= running.remain_time <= 2 * HOUR
        await client.stop(created.id)
        await client.wait_until(created.id, "STOPPED", timeout=30)
        await client.delete(created.id)


async def test_watch_lists_notebooks_and_raises_on_create_failed(shared_server):
    transport = ForwardThenFail(lambda request, n: None)  # passes everything through, records it
    async with client_for(shared_server, transport=transport) as client:
        created = await client.create(name="nb-py2", image_id=python2_image(), flavor=CPU)
        transport.seen.clear()
        statuses = []
        with pytest.raises(InstanceFailedError) as failed:
            async for snapshot in client.watch(created.id):
                statuses.append(snapshot.status)
        assert statuses[-1] == "CREATE_FAILED" and "Python 2" in failed.value.instance.fail_reason
        await client.delete(created.id)
    polls = [path for method, path in transport.seen if method == "GET"]
    assert polls and all(path.endswith("/notebooks") for path in polls), "the hub's list requests"


async def test_list_filters_sorts_and_pages(local_server):
    async with client_for(local_server) as client:
        for name in ("nb-list-c", "nb-list-a", "nb-list-b"):
            await client.create(name=name, image_id=python2_image(), flavor=CPU)
        page = await client.list(sortby="name", order="desc", limit=2)  # the old API's names work too
        assert page.total_count == 3 and [i.name for i in page] == ["nb-list-c", "nb-list-b"]
        second = await client.list(sort_key="name", sort_dir="DESC", offset=2, limit=2)
        assert [i.name for i in second] == ["nb-list-a"]
        assert [i.name for i in await client.list(name="nb-list-a")] == ["nb-list-a"]
        assert sorted(i.name for i in await client.list_all()) == ["nb-list-a", "nb-list-b", "nb-list-c"]
        with pytest.raises(SpecValidationError) as bad:
            await client.list(status="SLEEPING")
        assert bad.value.error_code == "ModelArts.6336"


async def test_each_api_sees_only_its_own_instances(shared_server):
    async with client_for(shared_server) as client, \
            AsyncDevEnvClient(endpoint=shared_server.endpoint, data_dir=shared_server.data_dir) as old:
        created = await client.create(name="nb-own", image_id=python2_image(), flavor=CPU)
        assert created.id not in {i.id for i in await old.list_all()}
        with pytest.raises(NotFoundError):
            await old.get(created.id)
        await client.delete(created.id)


# -- what each API lacks, and the checks before sending ------------------------------------------

async def test_each_api_refuses_what_it_lacks_before_sending(no_default_server):
    """The endpoint is a closed port: a request that was sent would be an APIConnectionError."""
    async with AsyncDevEnvClient(api="notebooks", auth=AUTH, retry=FAST_RETRY) as notebooks:
        for call in (lambda: notebooks.restart("x"), lambda: notebooks.action("x", "queue"),
                     lambda: notebooks.update("x", auto_stop=HOUR), lambda: notebooks.list(show_self=True)):
            with pytest.raises(UnsupportedOperationError) as lacking:
                await call()
            assert lacking.value.api == "notebooks" and "Notebook API" in str(lacking.value)
    async with AsyncDevEnvClient(auth=AUTH, retry=FAST_RETRY) as old:
        assert old.api == "devenviron"
        for call in (lambda: old.extend("x", HOUR), lambda: old.lease("x"), lambda: old.images(),
                     lambda: old.flavors(), lambda: old.find_image("Python3"), lambda: old.update("x", name="n"),
                     lambda: old.list(name="n"), lambda: old.start("x", lease=HOUR)):
            with pytest.raises(UnsupportedOperationError) as lacking:
                await call()
            assert lacking.value.api == "devenviron" and "DevEnviron API" in str(lacking.value)
        with pytest.raises(APIConnectionError):
            await old.get("x")  # and the closed port does refuse what is sent


def test_the_api_is_one_setting_also_from_the_environment(monkeypatch):
    monkeypatch.setenv("NB_DEVENV_API", "notebooks")
    assert AsyncDevEnvClient().api == "notebooks"
    assert AsyncDevEnvClient(api="devenviron").api == "devenviron"
    monkeypatch.setenv("NB_DEVENV_API", "v2")
    with pytest.raises(ConfigurationError, match="NB_DEVENV_API 'v2'"):
        AsyncDevEnvClient()
    with pytest.raises(ConfigurationError, match="'devenviron'.*'notebooks'"):
        AsyncDevEnvClient(api="cloud")


async def test_invalid_create_is_refused_before_sending_with_every_violation(no_default_server):
    async with AsyncDevEnvClient(api="notebooks", auth=AUTH) as client:
        with pytest.raises(SpecValidationError) as bad:
            await client.create(name="bad name", image_id="Python3", flavor="modelarts.vm.cpu.1u", capacity=2,
                                lease=60)
    assert {(v.code, v.field) for v in bad.value.violations} == {
        ("ModelArts.6334", "name"), ("ModelArts.6336", "image_id"), ("ModelArts.6323", "flavor"),
        ("ModelArts.6331", "volume.capacity"), ("ModelArts.6349", "lease.duration")}


async def test_a_body_and_fields_make_one_request(shared_server):
    """Fields are laid over an API-shaped body (a NotebookCreateRequest), as the CLI's -f and
    the magics' cell body with flags."""
    body = {"name": "nb-body", "image_id": python2_image(), "flavor": CPU, "description": "from a file",
            "volume": {"category": "evs", "ownership": "managed", "capacity": 12}, "duration": 2 * HOUR * 1000}
    async with client_for(shared_server) as client:
        created = await client.create(body, description="from flags", lease=3 * HOUR)
        assert created.description == "from flags" and created.storage.volume_size == 12
        assert created.auto_stop.duration == 3 * HOUR  # lease= replaces the body's top-level duration
        await client.delete(created.id)


# -- exactly-once create ----------------------------------------------------------------------------

def _lose_the_first_post(fault: str):
    def spoil(request, n):
        if request.method == "POST" and not spoil.done:
            spoil.done = True
            if fault == "connection reset after the server acted":
                return httpx.ReadError("connection reset by peer")
            return httpx.Response(503, json={"error_code": "APIGW.0503", "error_msg": "busy"})
        return None

    spoil.done = False
    return spoil


@pytest.mark.parametrize("fault", ["connection reset after the server acted", "503 from a proxy after it acted"])
async def test_create_is_exactly_once_and_tells_its_instance_from_namesakes(local_server, fault):
    """Names repeat in this API: a namesake of the same image and flavor made before the call is
    not taken for the call's instance."""
    async with client_for(local_server) as setup:
        namesake = await setup.create(name="once", image_id=python2_image(), flavor=CPU)
    transport = ForwardThenFail(_lose_the_first_post(fault))
    async with client_for(local_server, transport=transport, retry=FAST_RETRY) as client:
        created = await client.create(name="once", image_id=python2_image(), flavor=CPU)
        everything = await client.list_all(name="once")
    assert created.id != namesake.id
    assert sorted(i.id for i in everything) == sorted([namesake.id, created.id]), "one instance for one call"
    posts = [p for m, p in transport.seen if m == "POST"]
    assert len(posts) == 1, "it looked for its instance instead of posting again"


async def test_create_is_sent_again_when_it_never_arrived(local_server):
    def refuse_first_post(request, n):
        if request.method == "POST" and n == 2:  # after the namesakes' list
            return httpx.Response(503, json={"error_code": "APIGW.0503", "error_msg": "busy"})
        return None

    transport = ForwardThenFail(lambda request, n: None, before=refuse_first_post)
    async with client_for(local_server, transport=transport, retry=FAST_RETRY) as client:
        created = await client.create(name="again", image_id=python2_image(), flavor=CPU)
        assert [i.id for i in await client.list_all(name="again")] == [created.id]
    assert [m for m, _ in transport.seen].count("POST") == 2


async def test_create_that_cannot_look_raises_rather_than_risk_a_second_instance(local_server):
    """After a lost answer, the lookup itself fails: sending again could make a second
    instance, so the call ends with the original error."""
    state = {"posted": False}

    def before(request, n):
        if state["posted"]:
            return httpx.ConnectError("connection refused")
        return None

    def spoil(request, n):
        if request.method == "POST":
            state["posted"] = True
            return httpx.ReadError("connection reset by peer")
        return None

    transport = ForwardThenFail(spoil, before=before)
    async with client_for(local_server, transport=transport, retry=FAST_RETRY) as client:
        with pytest.raises(APIConnectionError, match="connection broken"):
            await client.create(name="unsure", image_id=python2_image(), flavor=CPU)
    assert [m for m, _ in transport.seen].count("POST") == 1
    async with client_for(local_server) as check:
        assert [i.name for i in await check.list_all(name="unsure")] == ["unsure"], "the server did make it"


# -- one Instance model for both APIs -------------------------------------------------------------

def notebook_answer(status: str, *, created: int, lease_at: int, run_ms: int = HOUR * 1000, enable: bool = True,
                    **extra) -> dict:
    """A NotebookResp shaped like the reference's samples (lease counted from the creation)."""
    return {"id": "f9937afa-4451-42db-a76b-72d624749f66", "name": "sample", "status": status, "flavor": CPU,
            "image": {"id": "e1a07296-22a8-4f05-8bc8-e936c8e54090", "name": "notebook2.0-mul-kernel-cpu-cp36",
                      "tag": "3.3.2-release_v1", "type": "BUILD_IN"},
            "lease": {"create_at": created, "duration": lease_at - created + run_ms, "enable": enable,
                      "type": "TIMING", "update_at": lease_at},
            "token": "3eff13f2-3d70-5456-6dc7-e3f99f562022", "url": "https://example.invalid/f9937afa/lab",
            "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 50, "mount_path": "/home/ma-user/work/"},
            "workspace_id": "0", "create_at": created, "update_at": lease_at, **extra}


def test_a_notebook_answer_is_an_instance_with_a_live_countdown():
    from nb_devenv import Instance
    from nb_devenv.core.clock import ManualClock

    clock = ManualClock()
    now = clock.now_ms()
    data = notebook_answer("RUNNING", created=now - 600_000, lease_at=now - 60_000)
    instance = Instance.from_api(data, clock=clock, api="notebooks")
    assert (instance.api, instance.image.name, instance.storage.describe()) == (
        "notebooks", "notebook2.0-mul-kernel-cpu-cp36", "EVS 50 GB")
    assert instance.remain_time == HOUR - 60 and instance.auto_stop.duration == HOUR
    assert instance.auto_stop.stop_timestamp == instance.lease.deadline_ms == now - 60_000 + HOUR * 1000
    assert instance.creation_timestamp == now - 600_000 and instance.age_seconds() == 600
    clock.advance(100)
    assert instance.remain_time == HOUR - 160 and instance.lease.remaining == HOUR - 160  # no request
    assert instance.url == data["url"] and instance.url_with_token(instance.token).endswith(f"token={data['token']}")
    assert data["token"] not in repr(instance) and "token" not in instance.raw_without_token()

    stopped = Instance.from_api({**notebook_answer("STOPPED", created=now, lease_at=now)}, clock=clock,
                                api="notebooks")
    assert stopped.url is None and stopped.remain_time is None and stopped.auto_stop.stop_timestamp is None
    later = Instance.from_api(notebook_answer("STOPPED", created=now, lease_at=now + 5000), clock=clock,
                              api="notebooks")
    # a lease that does not count down is drawn "as if armed now": its drift is no change
    assert later.state_key() == stopped.state_key()

    failed = Instance.from_api(notebook_answer("CREATE_FAILED", created=now, lease_at=now, fail_reason="no GPU"),
                               clock=clock, api="notebooks")
    assert failed.is_failed and failed.fail_reason == "no GPU" and failed.failed_reasons == {"message": "no GPU"}
    assert Instance.from_api(notebook_answer("INIT", created=now, lease_at=now), api="notebooks").is_transitional
    off = Instance.from_api(notebook_answer("RUNNING", created=now, lease_at=now, enable=False), clock=clock,
                            api="notebooks")
    assert not off.auto_stop.enable and off.remain_time is None
    off_later = Instance.from_api(notebook_answer("RUNNING", created=now, lease_at=now + 5000, enable=False),
                                  clock=clock, api="notebooks")
    assert off_later.state_key() == off.state_key(), "a lease that is off does not count down either"
