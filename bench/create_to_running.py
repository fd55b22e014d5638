"""(c) create -> RUNNING through the API vs a bare ``jupyter server`` start to ``/api/status``.

Ours: ``client.create(...)`` then ``client.wait_until(id, "RUNNING")`` with the client's
default polling, i.e. what a user waits for. Baseline: spawn ``python -m jupyter_server`` the
usual way (own root/runtime dir, token from the environment, port 0) and poll
``GET /api/status`` with the token every 20 ms. Both in alternating rounds on this machine.

A second baseline starts the server the way the local provisioner does (its launcher skips the
~1.2 s ``rfc3987_syntax`` import, jupyter_server#1559), so the ratio against it shows the API's
own overhead (HTTP, SQLite, readiness probing, client polling) apart from that saving.
The server runs with ``--warm-pool 0``: this is the cold start (a create that adopts a warm
server is ``warm_create_to_running.py``). Target: <= 1.3x the bare start.
"""

from __future__ import annotations

import asyncio
import glob
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _local import local_server

from nb_devenv import AsyncDevEnvClient

ROUNDS = 5


async def _bare_start(module: str) -> float:
    """Seconds from spawn until /api/status answers with the token."""
    with tempfile.TemporaryDirectory() as tmp:
        token = secrets.token_hex(16)
        env = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_RUNTIME_DIR": f"{tmp}/runtime",
               "JUPYTER_CONFIG_DIR": f"{tmp}/config"}
        os.makedirs(f"{tmp}/work")
        args = [sys.executable, "-m", module, "--no-browser", "--ip=127.0.0.1", "--port=0",
                "--ServerApp.port_retries=0", f"--ServerApp.root_dir={tmp}/work"]
        if os.geteuid() == 0:
            args.append("--allow-root")
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            async with httpx.AsyncClient(timeout=1.0) as http:
                while True:
                    files = glob.glob(f"{tmp}/runtime/jpserver-*.json")
                    if files:
                        try:
                            port = json.loads(Path(files[0]).read_text())["port"]
                            r = await http.get(f"http://127.0.0.1:{port}/api/status",
                                               headers={"Authorization": f"token {token}"})
                            if r.status_code == 200:
                                return time.perf_counter() - start
                        except (ValueError, KeyError, httpx.HTTPError):
                            pass
                    await asyncio.sleep(0.02)
        finally:
            proc.terminate()
            proc.wait(10)


async def _ours(client: AsyncDevEnvClient, n: int) -> float:
    start = time.perf_counter()
    inst = await client.create(name=f"bench-c-{n}", profile_id="Python3", flavor="modelarts.vm.cpu.2u")
    await client.wait_until(inst.id, "RUNNING", timeout=120)
    elapsed = time.perf_counter() - start
    await client.stop(inst.id)
    await client.wait_until(inst.id, "STOPPED", timeout=60)
    await client.delete(inst.id)
    return elapsed


async def _bench(creds: dict) -> None:
    ours, bare, trimmed = [], [], []
    async with AsyncDevEnvClient(endpoint=creds["endpoint"], data_dir=creds["data_dir"]) as client:
        await _ours(client, 0)  # warm-up: file cache, first SQLite writes
        for n in range(1, ROUNDS + 1):
            ours.append(await _ours(client, n))
            bare.append(await _bare_start("jupyter_server"))
            trimmed.append(await _bare_start("nb_devenv.server.jupyter_launcher"))
    mo, mb, mt = statistics.median(ours), statistics.median(bare), statistics.median(trimmed)
    print(f"create -> RUNNING: median {mo:.2f} s   bare `jupyter server` -> /api/status: {mb:.2f} s   "
          f"ratio {mo / mb:.2f}x (target <= 1.3x)")
    print(f"same bare start through the provisioner's launcher: {mt:.2f} s   ratio {mo / mt:.2f}x "
          f"(the API's own overhead)   ({ROUNDS} alternating rounds)")


def main() -> None:
    with local_server("--warm-pool", "0") as creds:  # the cold start: bench/warm_create_to_running.py has the warm one
        asyncio.run(_bench(creds))


if __name__ == "__main__":
    main()
