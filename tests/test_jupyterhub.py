"""The JupyterHub provisioner against a real JupyterHub on loopback (issue 10).

One Hub per module (``jupyterhub`` and the pure-Python ``configurable-http-proxy`` from the
``[test]`` extra), configured by the shipped example ``docs/jupyterhub_config.py`` with local
ports: SimpleLocalProcessSpawner, the null authenticator, nb_devenv as a service with its
least-privilege role. Everything goes through OUR API; the Hub's API is only read to check
what happened there (and once, as an admin would, to stop a server behind our back).
Run alone with ``-m hub``.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from urllib.parse import urljoin

import httpx
import instance_probe
import pytest
from conftest import ServerProcess
from hub_support import LATE_FAILING_FLAVOR, LATE_FAILURE_MESSAGE, Hub, wait_until

from nb_devenv.contract import notebooks as nb
from nb_devenv.server import add_project
from nb_devenv.server.app import BadOptions, add_serve_arguments, hub_settings
from nb_devenv.server.provisioners.jupyterhub import hub_user, server_name

pytestmark = pytest.mark.hub


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    started = Hub(tmp_path_factory.mktemp("hub")).start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def server(hub, tmp_path_factory):
    process = ServerProcess(tmp_path_factory.mktemp("nb-hub") / "data", hub.serve_args()).start()
    yield process
    process.close()


def body(name: str, **overrides) -> dict:
    return {"name": name, "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
            "spec": {"storage": {"type": "EVS"}}, **overrides}


def jupyter(url: str, token: str | None, path: str = "api/status", method: str = "GET", **kwargs) -> httpx.Response:
    """A request to an instance's Jupyter server (``url`` is its JupyterLab) through the Hub's proxy."""
    headers = {"Authorization": f"token {token}"} if token else {}
    return httpx.request(method, urljoin(url, path), headers=headers, timeout=30, **kwargs)


def names(client, iid: str) -> tuple[str, str]:
    return hub_user(client.project_id, "nb-"), server_name(iid)


# --- the whole lifecycle ---------------------------------------------------------------------------

def test_an_instance_lives_as_a_named_server_of_its_projects_hub_user(hub, server):
    client = server.client()
    created = client.create(body("hub-life", spec={"storage": {"type": "EVS"},
                                                   "auto_stop": {"enable": True, "duration": 3600}}))
    assert created.status_code == 200, created.text
    iid = created.json()["id"]
    user, name = names(client, iid)

    running = client.wait_status(iid, "RUNNING", timeout=60)
    url = running["spec"]["annotations"]["url"]
    assert url == f"{hub.public_url}user/{user}/{name}/lab"
    model = hub.server(user, name)
    assert model["ready"] and model["display_name"] == "hub-life"
    assert model["user_options"]["profile"] == "Python3" and model["user_options"]["flavor"] == "modelarts.vm.cpu.2u"

    # its token opens its server through the Hub's proxy, and only that server
    token = client.token(iid).json()["token"]
    assert jupyter(url, token).status_code == 200
    assert jupyter(url, None).status_code in (302, 401, 403)
    assert httpx.get(hub.api_url + "/users", headers={"Authorization": f"token {token}"},
                     timeout=10).status_code == 403
    # the link `nb-devenv open` prints (?token=) opens JupyterLab itself, not a login page, and
    # its python3 kernel runs code (over a websocket through the Hub's proxy)
    assert asyncio.run(instance_probe.probe(url, token)).startswith("ok:")
    saved = jupyter(url, token, "api/contents/kept.txt", "PUT",
                    json={"type": "file", "format": "text", "content": "on the disk"})
    assert saved.status_code in (200, 201), saved.text

    # stop keeps the named server, stopped, and revokes the token
    assert client.action(iid, "stop").status_code == 200
    client.wait_status(iid, "STOPPED", timeout=60)
    model = hub.server(user, name)
    assert model is not None and model["stopped"] and not model["ready"]
    assert jupyter(url, token).status_code != 200

    # start brings the same server back, with its disk, and a new token
    client.action(iid, "start")
    running = client.wait_status(iid, "RUNNING", timeout=60)
    new_token = client.token(iid).json()["token"]
    assert new_token != token
    kept = jupyter(running["spec"]["annotations"]["url"], new_token, "api/contents/kept.txt")
    assert kept.status_code == 200 and kept.json()["content"] == "on the disk"

    # stopped behind our back (an admin, the culler): STOPPED with the reason, at the next tick
    assert hub.api("DELETE", f"/users/{user}/servers/{name}").status_code in (202, 204)
    stopped = client.wait_status(iid, "STOPPED", timeout=30)
    assert "stopped outside nb_devenv" in stopped["spec"]["failed_reasons"]["message"]
    assert hub.server(user, name)["stopped"]

    # auto-stop: our clock, our deadline, the Hub's stop
    client.action(iid, "start")
    client.wait_status(iid, "RUNNING", timeout=60)
    client.advance_clock(3601)
    stopped = client.wait_status(iid, "STOPPED", timeout=60)
    assert stopped["spec"]["failed_reasons"] is None
    assert hub.server(user, name)["stopped"]

    # delete removes the named server (and its disk)
    assert client.delete(iid).status_code == 200
    assert wait_until(lambda: hub.server(user, name) is None, 30)
    assert client.get(iid).json()["error_code"] == "ModelArts.6309"  # not found


def notebook_status(client, notebook_id: str, wanted: str, timeout: float = 60) -> dict:
    """Poll a Notebook-API instance until its status is ``wanted``."""
    def shown():
        answer = client.request("GET", f"/v1/{client.project_id}/notebooks/{notebook_id}")
        assert answer.status_code == 200, answer.text
        return answer.json() if answer.json()["status"] == wanted else None
    found = wait_until(shown, timeout)
    assert found, f"{notebook_id} did not become {wanted}"
    return found


def test_two_projects_are_two_hub_users_through_both_apis_and_a_restart_re_adopts(hub, server):
    credentials_b = add_project(server.data_dir, "hub-team-b")
    first, second = server.client(), server.client(credentials_b)
    a = first.create(body("hub-a")).json()["id"]
    made = second.request("POST", f"/v1/{second.project_id}/notebooks", json_body={
        "name": "hub-b", "image_id": nb.image_for_profile("Python3").id, "flavor": "modelarts.vm.cpu.2u",
        "volume": {"category": "evs", "ownership": "managed"}})
    assert made.status_code == 200, made.text
    b = made.json()["id"]
    running_a = first.wait_status(a, "RUNNING", timeout=60)
    running_b = notebook_status(second, b, "RUNNING")
    user_a, user_b = names(first, a)[0], names(second, b)[0]
    assert user_a != user_b
    assert hub.server(*names(first, a))["ready"] and hub.server(*names(second, b))["ready"]
    assert hub.server(user_a, server_name(b)) is None  # each instance under its own project's user

    # the Notebook API shows the Hub URL and the server-scoped token in the object
    url_a, url_b = running_a["spec"]["annotations"]["url"], running_b["url"]
    assert running_b["endpoints"][0]["uri"] == url_b == f"{hub.public_url}user/{user_b}/{server_name(b)}/lab"
    token_a, token_b = first.token(a).json()["token"], running_b["token"]
    assert jupyter(url_a, token_a).status_code == 200 and jupyter(url_b, token_b).status_code == 200
    assert jupyter(url_b, token_a).status_code != 200  # a project's token does not open another's server

    # our server restarts: a server still ready is re-adopted, not restarted; one the Hub
    # stopped meanwhile is STOPPED with the reason
    started = hub.server(*names(first, a))["started"]
    server.stop()
    assert hub.api("DELETE", f"/users/{user_b}/servers/{server_name(b)}").status_code in (202, 204)
    server.start()
    first, second = server.client(), server.client(credentials_b)
    assert first.get(a).json()["status"] == "RUNNING"
    assert hub.server(*names(first, a))["started"] == started
    assert jupyter(url_a, token_a).status_code == 200
    stopped_b = notebook_status(second, b, "STOPPED", timeout=10)
    assert "no longer running" in stopped_b["fail_reason"]

    assert first.action(a, "stop").status_code == 200
    first.wait_status(a, "STOPPED", timeout=60)
    assert hub.server(*names(first, a))["stopped"] and hub.server(*names(second, b))["stopped"]

    # a start the spawner fails after the Hub accepted it: START_FAILED from the progress stream,
    # with the spawner's message, long before the Hub's 30 s http_timeout
    notebooks_b = f"/v1/{second.project_id}/notebooks/{b}"
    assert second.request("PUT", notebooks_b, json_body={"flavor": LATE_FAILING_FLAVOR}).status_code == 200
    began = time.monotonic()
    assert second.request("POST", f"{notebooks_b}/start").status_code == 200
    failed = notebook_status(second, b, "START_FAILED", timeout=30)
    assert time.monotonic() - began < 15
    assert f"could not start this instance's server: Spawn failed: {LATE_FAILURE_MESSAGE}" in failed["fail_reason"]

    # a server of ours started on the Hub while nb_devenv was down, for an instance that is
    # STOPPED, is an orphan: the next start-up stops it
    server.stop()
    assert hub.api("POST", f"/users/{user_a}/servers/{server_name(a)}").status_code in (201, 202)
    server.start()
    assert wait_until(lambda: hub.server(user_a, server_name(a))["stopped"], 30)
    assert server.client().get(a).json()["status"] == "STOPPED"


def test_a_spawn_the_hub_refuses_fails_fast_with_the_hubs_message(hub, server):
    client = server.client()
    iid = client.create(body("hub-py2", profile_id="Python2")).json()["id"]
    began = time.monotonic()
    failed = client.wait_status(iid, ["CREATE_FAILED", "START_FAILED", "RUNNING"], timeout=30)
    took = time.monotonic() - began
    assert failed["status"] == "CREATE_FAILED", failed
    reason = failed["spec"]["failed_reasons"]
    assert "Python2 (Python 2) is not available on this Hub" in reason["message"]
    assert took < 15, f"the failed spawn took {took:.1f} s to show"  # not the Hub's http_timeout
    assert client.delete(iid).status_code == 200


# --- options ---------------------------------------------------------------------------------------

def _serve_args(*argv: str) -> argparse.Namespace:
    return add_serve_arguments(argparse.ArgumentParser()).parse_args(list(argv))


def test_hub_options_are_checked_before_the_server_starts(tmp_path):
    with pytest.raises(BadOptions, match="needs --hub-url URL and --hub-token-file FILE"):
        hub_settings(_serve_args("--provisioner", "jupyterhub", "--hub-url", "http://hub/"))
    with pytest.raises(BadOptions, match="need --provisioner jupyterhub"):
        hub_settings(_serve_args("--hub-url", "http://hub/"))
    with pytest.raises(BadOptions, match="--hub-url must be an http"):
        hub_settings(_serve_args("--provisioner", "jupyterhub", "--hub-url", "hub:8000",
                                 "--hub-token-file", str(tmp_path / "t")))
    with pytest.raises(BadOptions, match="cannot read --hub-token-file"):
        hub_settings(_serve_args("--provisioner", "jupyterhub", "--hub-url", "http://hub/",
                                 "--hub-token-file", str(tmp_path / "missing")))
    (tmp_path / "t").write_text("secret-token\n")
    settings = hub_settings(_serve_args("--provisioner", "jupyterhub", "--hub-url", "http://hub/",
                                        "--hub-token-file", str(tmp_path / "t")))
    assert settings.token == "secret-token" and "secret-token" not in repr(settings)
    assert hub_settings(_serve_args()) is None


def test_a_token_the_hub_does_not_take_stops_the_server_at_once(hub, tmp_path):
    wrong = tmp_path / "wrong.token"
    wrong.write_text("not-a-hub-token")
    done = subprocess.run([sys.executable, "-m", "nb_devenv.server", "--data-dir", str(tmp_path / "data"),
                           *hub.serve_args(wrong)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "does not accept the token of --hub-token-file" in done.stderr
    assert "not-a-hub-token" not in done.stderr


def test_server_names_fit_the_hubs_rules():
    ids = ["DE-6f1c2a3b-1111-2222-3333-444455556666", "6f1c2a3b-1111-2222-3333-444455556666", "DE-1",
           "DE-6F1C2A3B-1111-2222-3333-444455556667"]
    made = [server_name(i) for i in ids]
    for name in made:
        assert 1 <= len(name) <= 30 and name[0].isalpha() and all(c.islower() or c.isdigit() or c == "-" for c in name)
    assert made == [server_name(i) for i in ids]  # deterministic
    assert made[0] == made[1] != made[3]  # the UUID, every bit of it, makes the name
    assert len(set(made[1:])) == 3
