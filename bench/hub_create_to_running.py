"""create -> RUNNING through nb_devenv on a JupyterHub vs a direct Hub REST spawn of a named server.

A real JupyterHub on loopback (``docs/jupyterhub_config.py`` on free ports, as the tests start
it; ``pip install -e '.[test]'`` brings ``jupyterhub`` and the proxy) and an nb_devenv server
with ``--provisioner jupyterhub``. In alternating rounds:

- nb_devenv, as a user waits: ``client.create(...)`` then ``client.wait_until(id, "RUNNING")``
  with the client's default polling (1 s while in transition);
- nb_devenv's API polled every 20 ms: the server's own overhead, apart from the client's polling;
- direct: ``POST /hub/api/users/{u}/servers/{s}`` with the same ``user_options``, then the spawn's
  progress stream until ``ready`` (the quickest a Hub client can know), as the service itself.

Then the stop (to STOPPED / the Hub's ``stopped``) and the delete (the answer / the server gone)
of each. Target: create -> RUNNING <= 1.2x the direct spawn.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _local import local_server

from nb_devenv import AsyncDevEnvClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from hub_support import Hub  # noqa: E402

ROUNDS = 4
OPTIONS = {"profile": "Python3", "flavor": "modelarts.vm.cpu.2u",
           "storage": {"category": "EVS", "capacity_gb": 5, "obs_path": None}}


class Timings:
    def __init__(self) -> None:
        self.running: list[float] = []
        self.stop: list[float] = []
        self.delete: list[float] = []

    def line(self, name: str) -> str:
        return (f"{name:24s} create->RUNNING {statistics.median(self.running):5.2f} s   "
                f"stop {statistics.median(self.stop):5.2f} s   delete {statistics.median(self.delete):5.2f} s")


async def _ours(client: AsyncDevEnvClient, n: int, fast: bool, into: Timings | None) -> None:
    start = time.perf_counter()
    inst = await client.create(name=f"bench-hub-{n}-{int(fast)}", profile_id="Python3", flavor="modelarts.vm.cpu.2u")
    if fast:
        while (await client.get(inst.id)).status not in ("RUNNING", "CREATE_FAILED"):
            await asyncio.sleep(0.02)
    else:
        await client.wait_until(inst.id, "RUNNING", timeout=120)
    running = time.perf_counter() - start
    start = time.perf_counter()
    await client.stop(inst.id)
    while (await client.get(inst.id)).status != "STOPPED":
        await asyncio.sleep(0.02)
    stop = time.perf_counter() - start
    start = time.perf_counter()
    await client.delete(inst.id)
    delete = time.perf_counter() - start
    if into is not None:
        into.running.append(running)
        into.stop.append(stop)
        into.delete.append(delete)


async def _direct(hub: Hub, http: httpx.AsyncClient, n: int, into: Timings | None) -> None:
    user, server = "bench-direct", f"direct{n}"
    path = f"{hub.api_url}/users/{user}/servers/{server}"
    start = time.perf_counter()
    answer = await http.post(path, json={"user_options": OPTIONS})
    assert answer.status_code in (201, 202), answer.text
    if answer.status_code == 202:
        async with http.stream("GET", f"{path}/progress") as events:
            async for line in events.aiter_lines():
                if line.startswith("data:"):
                    event = json.loads(line[5:])
                    if event.get("ready") or event.get("failed"):
                        assert event.get("ready"), event
                        break
    running = time.perf_counter() - start
    start = time.perf_counter()
    await http.delete(path)
    while not (await http.get(path)).json()["stopped"]:
        await asyncio.sleep(0.02)
    stop = time.perf_counter() - start
    start = time.perf_counter()
    await http.request("DELETE", path, json={"remove": True})
    while (await http.get(path)).status_code != 404:
        await asyncio.sleep(0.02)
    delete = time.perf_counter() - start
    if into is not None:
        into.running.append(running)
        into.stop.append(stop)
        into.delete.append(delete)


async def _bench(hub: Hub, creds: dict) -> None:
    client_wait, api_fast, direct = Timings(), Timings(), Timings()
    async with AsyncDevEnvClient(endpoint=creds["endpoint"], data_dir=creds["data_dir"]) as client, \
            httpx.AsyncClient(headers={"Authorization": f"token {hub.token}"}, timeout=120) as http:
        await http.post(f"{hub.api_url}/users/bench-direct")
        await _ours(client, 0, True, None)  # warm-up: the project's Hub user, file caches
        await _direct(hub, http, 0, None)
        for n in range(1, ROUNDS + 1):
            await _ours(client, n, False, client_wait)
            await _ours(client, n, True, api_fast)
            await _direct(hub, http, n, direct)
    base = statistics.median(direct.running)
    print(direct.line("direct Hub REST"))
    for name, timings in (("nb_devenv (client wait)", client_wait), ("nb_devenv (API, 20 ms)", api_fast)):
        print(f"{timings.line(name)}   create->RUNNING ratio {statistics.median(timings.running) / base:.2f}x")
    print(f"({ROUNDS} alternating rounds; target create->RUNNING <= 1.2x the direct spawn)")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="nb-devenv-bench-hub-") as tmp:
        hub = Hub(Path(tmp)).start()
        try:
            with local_server(*hub.serve_args()) as creds:
                asyncio.run(_bench(hub, creds))
        finally:
            hub.stop()


if __name__ == "__main__":
    main()
