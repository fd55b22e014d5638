"""An instance is usable from a plain install: the URL we hand out opens its JupyterLab logged in,
its root leads there too, and its python3 kernel — the server's own Python — runs code.

The checks are ``tests/instance_probe.py``'s, the same that ``.ci/run`` runs against the
README's quickstart in a venv with nothing but ``pip install -e .``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import instance_probe
import pytest

from nb_devenv import AsyncDevEnvClient

CPU = {"profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u"}
PROBE = Path(instance_probe.__file__)

pytestmark = pytest.mark.usefixtures("no_default_server")


async def running_instance(server, name: str) -> tuple[str, str, str]:
    """Create ``name`` on ``server`` and wait until it runs: ``(url, open link, token)``."""
    async with AsyncDevEnvClient(endpoint=server.endpoint, data_dir=server.data_dir) as client:
        created = await client.create(name=name, auto_stop=3600, **CPU)
        running = await client.wait_until(created.id, "RUNNING", timeout=60)
        return running.url, await client.open_url(created.id), await client.token(created.id)


async def test_the_open_link_lands_on_jupyterlab_and_the_python3_kernel_prints_42(shared_server):
    url, link, token = await running_instance(shared_server, "usable")
    assert url.endswith("/lab")
    assert await instance_probe.open_jupyterlab(link) == url

    summary = await instance_probe.probe(url, token)
    assert "python3 kernel ran print(6*7) -> 42" in summary and token not in summary

    # the kernel is the server's environment's Python (ipykernel's own python3 kernel), whatever
    # kernels the user's Jupyter directories may hold
    root = instance_probe.server_root(url)
    assert "python3" in await instance_probe.kernelspec_names(root, token)
    kernel_id = await instance_probe.start_kernel(root, token)
    try:
        printed = await instance_probe.execute(root, token, kernel_id, "import sys; print(sys.prefix)")
    finally:
        await instance_probe.delete_kernel(root, token, kernel_id)
    assert printed.strip() == sys.prefix


async def test_the_instance_keeps_its_token_protection_and_its_root_leads_to_jupyterlab(shared_server):
    url, _, token = await running_instance(shared_server, "guarded")
    root = instance_probe.server_root(url)
    async with httpx.AsyncClient(timeout=10) as anonymous:
        assert (await anonymous.get(f"{root}api/status")).status_code == 403
        to_login = await anonymous.get(url)
        assert to_login.status_code == 302 and to_login.headers["Location"].startswith("/login")
    async with httpx.AsyncClient(timeout=10, headers={"Authorization": f"token {token}"}) as http:
        assert (await http.get(f"{root}api/status")).status_code == 200
        to_lab = await http.get(root)
        assert to_lab.status_code == 302 and to_lab.headers["Location"].split("?")[0] == "/lab"

    with pytest.raises(instance_probe.ProbeError, match="login page"):
        await instance_probe.open_jupyterlab(url)
    with pytest.raises(instance_probe.ProbeError, match="login page"):
        await instance_probe.check_jupyterlab(url, "not-the-token")
    # the bare server address with the token ends on JupyterLab as well
    assert await instance_probe.open_jupyterlab(f"{root}?token={token}") == url


def test_the_probe_runs_as_a_script_with_the_plain_install_only(shared_server):
    url, _, token = asyncio.run(running_instance(shared_server, "probed"))
    env = {**os.environ, "PYTHONPATH": ""}  # only what the interpreter's install brings

    ok = subprocess.run([sys.executable, str(PROBE), "--url", url, "--token", token],
                        capture_output=True, text=True, timeout=120, env=env)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("\n") == 1 and ok.stdout.startswith(f"ok: {url} is JupyterLab")

    refused = subprocess.run([sys.executable, str(PROBE), "--url", url, "--token", "not-the-token"],
                             capture_output=True, text=True, timeout=120, env=env)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("instance probe failed:") and "login page" in refused.stderr

    # nothing from the test extra: .ci/run runs it with a plain install
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, instance_probe; "
                               "print(sorted({'pytest', 'nbclient', 'nbformat', 'playwright'} & set(sys.modules)))"],
        capture_output=True, text=True, timeout=60, cwd=PROBE.parent, env=env)
    assert imported.returncode == 0 and imported.stdout.strip() == "[]", imported.stderr
