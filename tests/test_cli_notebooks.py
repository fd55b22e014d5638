"""``nb-devenv ... --api notebooks`` as a user runs it: a real process talking to a real local
server in the Notebook API."""

from __future__ import annotations

import asyncio
import json
import re

import instance_probe
import pytest
from test_cli import run_cli

from nb_devenv.contract import notebooks as nb

NB = ("--api", "notebooks")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture(scope="module")
def cli_env(shared_server):
    """Point the CLI at the shared server; credentials come from its data directory."""
    return {"NB_DEVENV_ENDPOINT": shared_server.endpoint, "NB_DEVENV_DATA_DIR": str(shared_server.data_dir)}


def test_images_and_flavors(cli_env):
    images = run_cli("images", *NB, env=cli_env)
    assert images.returncode == 0, images.stderr
    assert images.stdout.splitlines()[0].split() == ["NAME", "TAG", "ID", "RUNS", "ON", "SHOW", "NAME", "DESCRIPTION"]
    assert re.search(rf"mul-kernel-cpu-cp36\s+\S+\s+{nb.image_for_profile('Python3').id}\s+CPU\s+Python3", images.stdout)
    flavors = run_cli("flavors", *NB, "--json", env=cli_env)
    assert flavors.returncode == 0, flavors.stderr
    by_id = {f["id"]: f for f in json.loads(flavors.stdout)}
    assert by_id["modelarts.vm.cpu.2u"]["sold_out"] is False
    table = run_cli("flavors", *NB, env=cli_env).stdout
    for line in table.splitlines()[1:]:
        assert line.rstrip().endswith("sold out") == by_id[line.split()[0]]["sold_out"]


def test_create_wait_extend_open_stop_delete(shared_server, cli_env):
    done = run_cli("create", *NB, "--name", "cli-nb", "--image", "Python3", "--flavor", "modelarts.vm.cpu.2u",
                   "--lease", "1h", "--wait", env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "status:      RUNNING" in done.stdout and "image:       mul-kernel-cpu-cp36" in done.stdout
    assert re.search(r"time left:   00:59:\d\d", done.stdout)
    instance_id = re.search(rf"nb-devenv open ({UUID}) --api notebooks", done.stdout)[1]
    assert f"extend it:  nb-devenv extend {instance_id} 1h --api notebooks" in done.stdout

    extended = run_cli("extend", instance_id, "2h", *NB, env=cli_env)
    assert extended.returncode == 0, extended.stderr
    assert re.fullmatch(rf"{instance_id}: stops in 02:59:\d\d \(at \d\d:\d\d:\d\d\)", extended.stdout.strip())
    got = run_cli("get", instance_id, *NB, "--json", env=cli_env)
    data = json.loads(got.stdout)
    assert data["status"] == "RUNNING" and "token" not in data, "the CLI prints the token only in `open`"

    opened = run_cli("open", instance_id, *NB, env=cli_env)
    assert opened.returncode == 0, opened.stderr
    url = opened.stdout.strip()
    assert asyncio.run(instance_probe.open_jupyterlab(url)) == url.split("?")[0]

    listed = run_cli("list", *NB, "--json", env=cli_env)
    assert instance_id in {i["id"] for i in json.loads(listed.stdout)["instances"]}
    assert all("token" not in i for i in json.loads(listed.stdout)["instances"])
    stopped = run_cli("stop", instance_id, *NB, env=cli_env)
    assert stopped.stdout.strip() == f"{instance_id}: RUNNING -> STOPPING"
    watched = run_cli("watch", instance_id, "--until", "STOPPED", *NB, env=cli_env)
    assert watched.returncode == 0 and "STOPPED" in watched.stdout
    deleted = run_cli("delete", instance_id, *NB, env=cli_env)
    assert deleted.returncode == 0 and deleted.stdout.strip() == f"deleted {instance_id}"
    for text in (done.stdout, got.stdout, listed.stdout, stopped.stdout):
        assert shared_server.credentials["sk"] not in text


def test_the_api_comes_from_the_environment_too(cli_env):
    listed = run_cli("list", "--json", env={**cli_env, "NB_DEVENV_API": "notebooks"})
    assert listed.returncode == 0, listed.stderr
    bad = run_cli("list", env={**cli_env, "NB_DEVENV_API": "v2"})
    assert bad.returncode == 1 and "NB_DEVENV_API 'v2'" in bad.stderr


def test_dry_run_shows_the_image_id_it_would_send(tmp_path, cli_env):
    body = tmp_path / "body.yaml"
    body.write_text("name: from-file\nflavor: modelarts.vm.cpu.2u\nvolume: {category: evs, ownership: managed, "
                    "capacity: 20}\nlease: {duration: 3600000, type: TIMING}\n")
    done = run_cli("create", *NB, "-f", str(body), "--image", "Python3", "--lease", "3h", "--dry-run", env=cli_env)
    assert done.returncode == 0, done.stderr
    sent = json.loads(done.stdout)
    assert sent["image_id"] == nb.image_for_profile("Python3").id and sent["volume"]["capacity"] == 20
    assert sent["lease"] == {"duration": 3 * 3600 * 1000, "type": "TIMING"}


@pytest.mark.parametrize("args, fragment", [
    (("create", *NB, "--name", "x", "--profile", "Python3", "--flavor", "modelarts.vm.cpu.2u"),
     "--profile is not a flag of the Notebook API (--api notebooks): use --image"),
    (("create", "--name", "x", "--image", "Python3", "--flavor", "modelarts.vm.cpu.2u"),
     "--image is not a flag of the DevEnviron API"),
    (("extend", "some-id", "1h"), "UnsupportedOperationError: extend() is not part of the DevEnviron API"),
    (("restart", "some-id", *NB), "UnsupportedOperationError: the 'restart' action is not part of the Notebook API"),
    (("create", *NB, "--name", "bad name", "--image", nb.image_for_profile("Python3").id, "--flavor",
      "modelarts.vm.cpu.2u", "--lease", "100h"), "ModelArts.6349  lease.duration:"),
])
def test_what_an_api_lacks_or_refuses_is_one_line(cli_env, args, fragment):
    done = run_cli(*args, env=cli_env)
    assert done.returncode == 1 and fragment in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
