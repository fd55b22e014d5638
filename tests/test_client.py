"""The async client over real HTTP against the real local server.

Mock transports appear only where a fault cannot be produced for real: a connection that
breaks after the server has acted, a 503 from a proxy in front of it. Even then the request
is forwarded to the real server first, so the instance really exists.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin

import httpx
import instance_probe
import pytest
from fault_transports import ForwardThenFail

from nb_devenv import (
    AkSkAuth,
    APIConnectionError,
    AsyncDevEnvClient,
    AuthenticationError,
    ConflictError,
    InstanceFailedError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RetryPolicy,
    ServerError,
    SpecValidationError,
    TokenAuth,
    fetch_iam_token,
)
from nb_devenv.contract import CLIENT_TOKEN_KEY

CPU = {"profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u"}
FAST_RETRY = RetryPolicy(max_retries=3, initial=0.01, cap=0.05)


def client_for(server, **kwargs) -> AsyncDevEnvClient:
    return AsyncDevEnvClient(endpoint=server.endpoint, data_dir=server.data_dir, **kwargs)


# -- lifecycle ------------------------------------------------------------------------------------

async def test_create_to_running_then_open_stop_start_delete(shared_server):
    async with client_for(shared_server) as client:
        created = await client.create(name="client-life", auto_stop=3600, **CPU)
        assert created.status in ("CREATING", "STARTING")
        running = await client.wait_until(created.id, "RUNNING", timeout=60)
        assert running.url and running.url.startswith("http://127.0.0.1:") and running.url.endswith("/lab")
        # remain_time is derived from stop_timestamp and the clock: it moves without a request
        assert 3590 <= running.remain_time <= 3600

        url = await client.open_url(created.id)
        assert url.startswith(f"{running.url}?token=")
        async with httpx.AsyncClient() as http:
            assert (await http.get(urljoin(running.url, "api/status"))).status_code in (401, 403)
        # the URL we hand out lands on JupyterLab, logged in, as in a browser
        assert await instance_probe.open_jupyterlab(url) == running.url

        result = await client.stop(created.id)
        assert (result.previous_state, result.current_status) == ("RUNNING", "STOPPING")
        stopped = await client.wait_until(created.id, "STOPPED", timeout=30)
        assert stopped.url is None and stopped.remain_time is None

        with pytest.raises(ConflictError) as stop_again:
            await client.stop(created.id)
        assert stop_again.value.error_code == "ModelArts.6307"

        await client.start(created.id)
        await client.wait_until(created.id, "RUNNING", timeout=60)
        with pytest.raises(ConflictError) as delete_running:
            await client.delete(created.id)
        assert delete_running.value.error_code == "ModelArts.6304"

        await client.stop(created.id)
        await client.wait_until(created.id, "STOPPED", timeout=30)
        assert await client.delete(created.id) == created.id
        with pytest.raises(NotFoundError) as gone:
            await client.get(created.id)
        assert gone.value.error_code == "ModelArts.6309" and gone.value.status_code == 400
        assert gone.value.request_id


async def test_watch_yields_each_change_and_raises_on_create_failed(shared_server):
    async with client_for(shared_server) as client:
        created = await client.create(name="client-py2", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        statuses = []
        with pytest.raises(InstanceFailedError) as failed:
            async for snapshot in client.watch(created.id):
                statuses.append(snapshot.status)
        assert statuses[-1] == "CREATE_FAILED"
        assert len(statuses) == len(set(statuses)), "a snapshot is yielded only when something changed"
        assert "Python 2" in str(failed.value) and failed.value.instance.failed_reasons["message"]
        await client.delete(created.id)


async def test_watch_polls_with_the_shared_poller_one_list_request_a_poll(shared_server):
    transport = ForwardThenFail(lambda request, n: None)  # passes everything through, records it
    async with client_for(shared_server, transport=transport) as client:
        created = await client.create(name="client-poller", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        transport.seen.clear()
        with pytest.raises(InstanceFailedError):
            async for _ in client.watch(created.id):
                pass
        await client.delete(created.id)
    polls = [path for method, path in transport.seen if method == "GET"]
    assert polls and all(path.endswith("/demanager/instances") for path in polls), "list requests, as the hub's"


async def test_wait_until_times_out_with_the_last_snapshot(shared_server):
    async with client_for(shared_server) as client:
        created = await client.create(name="client-wait", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        await asyncio.sleep(0.5)
        with pytest.raises(Exception) as info:
            await client.wait_until(created.id, "STOPPED", timeout=0.3)
        # either it already failed (raised as such) or the wait ran out with a snapshot
        assert getattr(info.value, "instance", None) is not None
        await client.delete(created.id)


# -- list, update ------------------------------------------------------------------------------

async def test_list_filters_sorts_and_pages(local_server):
    async with client_for(local_server) as client:
        names = ["list-c", "list-a", "list-b"]
        for name in names:
            await client.create(name=name, profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        page = await client.list(sortby="name", order="desc", limit=2)
        assert page.total_count == 3
        assert [i.name for i in page] == ["list-c", "list-b"]
        second = await client.list(sortby="name", order="desc", offset=2, limit=2)
        assert [i.name for i in second] == ["list-a"]
        everything = await client.list_all()
        assert sorted(i.name for i in everything) == sorted(names)
        with pytest.raises(SpecValidationError) as bad:
            await client.list(status="SLEEPING")
        assert bad.value.error_code == "ModelArts.6336"


async def test_update_description_and_auto_stop(shared_server):
    async with client_for(shared_server) as client:
        created = await client.create(name="client-update", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        updated = await client.update(created.id, description="tuned for demo", auto_stop=7200)
        assert updated.description == "tuned for demo"
        assert updated.auto_stop.enable and updated.auto_stop.duration == 7200
        assert not (await client.update(created.id, auto_stop="off")).auto_stop.enable
        with pytest.warns(DeprecationWarning):  # the API-shaped dict of earlier versions still works
            legacy = await client.update(created.id, auto_stop={"enable": True, "duration": 3600})
        assert legacy.auto_stop.enable and legacy.auto_stop.duration == 3600
        with pytest.raises(SpecValidationError) as bad:
            await client.update(created.id, description="a/b", auto_stop=60)
        codes = {v.code for v in bad.value.violations}
        assert codes == {"ModelArts.6334", "ModelArts.6349"}
        assert (await client.get(created.id)).description == "tuned for demo", "nothing stored is lost"
        await client.delete(created.id)


# -- validation and server-side rules --------------------------------------------------------

async def test_invalid_create_is_refused_before_sending_with_every_violation(shared_server):
    sent = []
    transport = ForwardThenFail(lambda request, n: sent.append(request) or None)
    async with client_for(shared_server, transport=transport) as client:
        before = (await client.list()).total_count
        sent.clear()
        with pytest.raises(SpecValidationError) as bad:
            await client.create({"name": "bad name", "profile_id": "Python3-gpu", "flavor": "modelarts.vm.cpu.2u",
                                 "spec": {"storage": {"type": "obs", "location": {"path": "bucket"}},
                                          "auto_stop": {"enable": True}}})
        assert sent == [], "nothing is sent for an invalid body"
        fields = {(v.code, v.field) for v in bad.value.violations}
        assert fields == {
            ("ModelArts.6334", "name"),
            ("ModelArts.6330", "flavor"),
            ("ModelArts.6318", "spec.storage.location.path"),
            ("ModelArts.6358", "spec.storage.location.path"),
            ("ModelArts.6348", "spec.auto_stop.duration"),
        }
        assert (await client.list()).total_count == before


async def test_server_only_rules_map_to_precise_exceptions(server_factory):
    server = server_factory("--max-instances", "2")
    async with client_for(server) as client:
        first = await client.create(name="dup", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        with pytest.raises(ConflictError) as duplicate:
            await client.create(name="dup", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        assert duplicate.value.error_code == "ModelArts.6301"
        with pytest.raises(PermissionDeniedError) as permission:
            await client.create(name="big", profile_id="Python3-gpu", flavor="modelarts.vm.gpu.4p100")
        assert permission.value.error_code == "ModelArts.6328"
        await client.create(name="second", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        with pytest.raises(QuotaExceededError) as quota:
            await client.create(name="third", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        assert quota.value.error_code == "ModelArts.6302"
        assert first.id in {i.id for i in await client.list_all()}


# -- exactly-once create and retries -----------------------------------------------------------

@pytest.mark.parametrize("workspace", [None, "team-ws"])
@pytest.mark.parametrize("fault", ["connection reset after the server acted", "503 from a proxy"])
async def test_create_is_exactly_once_after_an_ambiguous_failure(local_server, fault, workspace):
    """Also in another workspace than "0" (regression: the lookup only listed workspace 0)."""
    def spoil(request, n):
        if request.method == "POST" and n == 1:
            if fault.startswith("connection"):
                return httpx.ReadError("connection reset by peer")
            return httpx.Response(503, json={"error_code": "APIGW.0503", "error_msg": "busy"})
        return None

    transport = ForwardThenFail(spoil)
    async with client_for(local_server, transport=transport, retry=FAST_RETRY) as client:
        created = await client.create(name="once", profile_id="Python2", flavor="modelarts.vm.cpu.2u",
                                      workspace=workspace)
        everything = await client.list_all(workspace_id=workspace)
    assert [i.name for i in everything] == ["once"], "never two instances for one call"
    assert created.id == everything[0].id
    assert created.annotations[CLIENT_TOKEN_KEY] == everything[0].annotations[CLIENT_TOKEN_KEY]
    posts = [p for m, p in transport.seen if m == "POST"]
    assert len(posts) == 1, "it reconciled by listing instead of posting again"


async def test_delete_whose_answer_was_lost_counts_as_done(shared_server):
    async with client_for(shared_server) as setup:
        created = await setup.create(name="client-lost-delete", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        await setup.wait_until(created.id, "CREATE_FAILED", timeout=30)  # deletable

    def spoil(request, n):
        if request.method == "DELETE" and n == 1:
            return httpx.ReadError("connection reset by peer")  # after the server deleted it
        return None

    transport = ForwardThenFail(spoil)
    async with client_for(shared_server, transport=transport, retry=FAST_RETRY) as client:
        assert await client.delete(created.id) == created.id
        with pytest.raises(NotFoundError):
            await client.get(created.id)
    assert [m for m, _ in transport.seen] == ["DELETE", "DELETE", "GET"], "the retry found it gone: done"


async def test_create_retries_when_the_request_never_left(local_server):
    attempts = []

    class RefuseFirstConnect(httpx.AsyncBaseTransport):
        real = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request):
            attempts.append(request.method)
            if len(attempts) == 1:
                raise httpx.ConnectError("connection refused")
            return await self.real.handle_async_request(request)

    async with client_for(local_server, transport=RefuseFirstConnect(), retry=FAST_RETRY) as client:
        await client.create(name="retried", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        assert [i.name for i in await client.list_all()] == ["retried"]
    assert attempts[:2] == ["POST", "POST"]


async def test_idempotent_get_retries_5xx_and_honours_retry_after(shared_server, monkeypatch):
    slept = []
    real_sleep = asyncio.sleep

    async def record_sleep(seconds, *args, **kwargs):
        slept.append(seconds)
        await real_sleep(0)

    def spoil(request, n):
        if request.method == "GET" and n <= 2:
            return httpx.Response(503, headers={"Retry-After": "2"}, json={"error_code": "ModelArts.6101",
                                                                        "error_msg": "busy"})
        return None

    async with client_for(shared_server, transport=ForwardThenFail(spoil), retry=FAST_RETRY) as client:
        monkeypatch.setattr("nb_devenv.client._client.asyncio.sleep", record_sleep)
        page = await client.list()
    assert page.total_count >= 0
    assert slept == [2.0, 2.0], "Retry-After decides the wait"


async def test_non_idempotent_action_is_not_retried_after_ambiguous_failure(shared_server):
    async with client_for(shared_server) as setup:
        created = await setup.create(name="client-action", profile_id="Python2", flavor="modelarts.vm.cpu.2u")

    def spoil(request, n):
        if request.url.path.endswith("/action"):
            return httpx.Response(502, json={"error_code": "APIGW.0502", "error_msg": "bad gateway"})
        return None

    transport = ForwardThenFail(spoil)
    async with client_for(shared_server, transport=transport, retry=FAST_RETRY) as client:
        with pytest.raises(ServerError):
            await client.start(created.id)
    assert sum(1 for m, p in transport.seen if p.endswith("/action")) == 1


async def test_connection_errors_are_precise(tmp_path):
    client = AsyncDevEnvClient(endpoint="http://127.0.0.1:9", auth=AkSkAuth("A" * 20, "S" * 40, "p" * 32),
                               data_dir=tmp_path, retry=FAST_RETRY)
    async with client:
        with pytest.raises(APIConnectionError) as info:
            await client.get("DE-nothing")
    assert "127.0.0.1:9" in str(info.value)


# -- auth -------------------------------------------------------------------------------------

async def test_wrong_secret_key_is_refused_and_never_shown(shared_server):
    creds = shared_server.credentials
    wrong_sk = "W" * 40
    auth = AkSkAuth(creds["ak"], wrong_sk, creds["project_id"])
    async with AsyncDevEnvClient(endpoint=shared_server.endpoint, auth=auth, data_dir=shared_server.data_dir,
                                 retry=FAST_RETRY) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.list()
        assert info.value.error_code == "APIGW.0301" and info.value.status_code == 401
        for secret in (wrong_sk, creds["sk"], creds["ak"]):
            assert secret not in str(info.value)
            assert secret not in repr(client)
            assert secret not in repr(auth)


async def test_iam_token_flow(shared_server):
    creds = shared_server.credentials
    token = await fetch_iam_token(shared_server.endpoint, user_name=creds["user_name"], password=creds["password"],
                                  domain_name=creds["domain_name"], project_name=creds["project_name"])
    auth = TokenAuth(token, creds["project_id"])
    async with AsyncDevEnvClient(endpoint=shared_server.endpoint, auth=auth, data_dir=shared_server.data_dir) as c:
        assert (await c.list()).total_count >= 0
        assert token not in repr(c) and token not in repr(auth)
    with pytest.raises(AuthenticationError) as bad:
        await fetch_iam_token(shared_server.endpoint, user_name=creds["user_name"], password="not-it",
                              domain_name=creds["domain_name"], project_name=creds["project_name"])
    assert "not-it" not in str(bad.value)


async def test_env_credentials_are_used_for_a_configured_endpoint(shared_server, monkeypatch, tmp_path):
    creds = shared_server.credentials
    monkeypatch.setenv("NB_DEVENV_ENDPOINT", shared_server.endpoint)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", creds["ak"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", creds["sk"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", creds["project_id"])
    async with AsyncDevEnvClient(data_dir=tmp_path) as client:  # no local credentials file there
        assert client.connection.source.startswith("AK/SK")
        assert (await client.list()).total_count >= 0


# -- auto-stop countdown against the server's clock ---------------------------------------------

async def test_remain_time_follows_the_server_clock_and_auto_stop_stops(local_server):
    async with client_for(local_server) as client:
        created = await client.create(name="countdown", auto_stop=3600, **CPU)
        running = await client.wait_until(created.id, "RUNNING", timeout=60)
        assert 3590 <= running.remain_time <= 3600
        await client.clock_advance(3000)
        later = await client.get(created.id)
        # the client learned the server's clock from its Date header
        assert 590 <= later.remain_time <= 600
        assert later.auto_stop.stop_timestamp == running.auto_stop.stop_timestamp
        await client.clock_advance(601)
        stopped = await client.wait_until(created.id, "STOPPED", timeout=30)
        assert stopped.remain_time is None
