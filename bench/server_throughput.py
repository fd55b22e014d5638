"""(b) The server's instance-details endpoint vs a trivial JSON endpoint on the same stack.

Both endpoints are served by the same tornado application; details adds what the API needs:
AK/SK verification, a SQLite read and the instance JSON. Two figures, measured in alternating
rounds under the same closed-loop load (CONCURRENCY requests in flight):

* throughput ratio: details requests/s divided by health requests/s at the client;
* server capacity ratio: requests per CPU-second *of the server process* (from /proc), which
  removes the load generator's own cost from the picture.

Target: details >= 0.7x the trivial endpoint's throughput.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time

import httpx
from _local import local_server

from nb_devenv import AsyncDevEnvClient
from nb_devenv.core.signing import sdk_date, sign

ROUNDS, SECONDS, CONCURRENCY = 6, 2.0, 8


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _load(http: httpx.AsyncClient, make_request, seconds: float) -> int:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker():
        nonlocal done
        while time.perf_counter() < deadline:
            response = await make_request(http)
            assert response.status_code == 200, response.text
            done += 1

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return done


async def _bench(creds: dict) -> None:
    server_pid = json.loads((creds["data_dir"] / "server.json").read_text())["pid"]
    async with AsyncDevEnvClient(endpoint=creds["endpoint"], data_dir=creds["data_dir"]) as client:
        inst = await client.create(name="bench-b", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
    path = f"/v1/{creds['project_id']}/demanager/instances/{inst.id}"
    host = creds["endpoint"].split("://", 1)[1]

    async def details(http):
        headers = {"Host": host, "X-Sdk-Date": sdk_date(), "X-Project-Id": creds["project_id"],
                   "Content-Type": "application/json"}
        headers["Authorization"] = sign("GET", path, [], headers, b"", creds["ak"], creds["sk"])
        return await http.get(path, headers=headers)

    async def health(http):
        return await http.get("/_emulator/health")

    results = {"details": [], "health": []}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=creds["endpoint"], limits=limits) as http:
        await _load(http, details, 0.5)
        await _load(http, health, 0.5)
        for _ in range(ROUNDS):
            for name, fn in (("details", details), ("health", health)):
                cpu0, t0 = _cpu_seconds(server_pid), time.perf_counter()
                count = await _load(http, fn, SECONDS)
                cpu, wall = _cpu_seconds(server_pid) - cpu0, time.perf_counter() - t0
                results[name].append((count / wall, count / max(cpu, 1e-9)))
    rps = {k: statistics.median(r[0] for r in v) for k, v in results.items()}
    cap = {k: statistics.median(r[1] for r in v) for k, v in results.items()}
    print(f"details: {rps['details']:.0f} req/s ({cap['details']:.0f} req per server CPU-second)   "
          f"health: {rps['health']:.0f} req/s ({cap['health']:.0f} per CPU-second)")
    print(f"throughput ratio details/health: {rps['details'] / rps['health']:.2f}x   "
          f"server capacity ratio: {cap['details'] / cap['health']:.2f}x   (target >= 0.7x; "
          f"{ROUNDS} alternating rounds of {SECONDS:g} s, {CONCURRENCY} in flight)")


def main() -> None:
    with local_server() as creds:
        asyncio.run(_bench(creds))


if __name__ == "__main__":
    main()
