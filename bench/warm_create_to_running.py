"""Create -> RUNNING with the warm pool vs a bare ``jupyter server`` start, in one run; then
back-to-back creates (how fast the pool refills), and the memory a warm server takes.

A local server runs with ``--warm-pool 1``. Each round waits until its warm server answers,
then times (1) ``client.create(...)`` + ``client.wait_until(id, "RUNNING")`` (the client's own
polling: what a user waits for) and (2) a bare ``python -m jupyter_server`` start to an
answering ``/api/status`` (as in ``create_to_running.py``), alternating. The instance is stopped
and deleted between rounds (not timed). Back-to-back: ``BURST`` creates in a row, each waited
for: the first adopts the ready server, the next ones wait for the refill (or start cold).
Memory: RSS and PSS of a warm server (``/proc/<pid>/smaps_rollup``), no kernel running.
Target: create -> RUNNING <= 0.2x the bare start.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path

import httpx
from _local import local_server
from create_to_running import _bare_start

from nb_devenv import AsyncDevEnvClient

ROUNDS, BURST = 6, 4


def _warm_servers(data_dir: Path) -> dict[int, str]:
    """``{pid: token}`` of the answering-candidates: runtime files of servers with no instance."""
    found = {}
    for runtime_file in data_dir.glob("instances/*/runtime/jpserver-*.json"):
        try:
            info = json.loads(runtime_file.read_text())
            environ = Path(f"/proc/{info['pid']}/environ").read_bytes().split(b"\0")
        except (OSError, ValueError, KeyError):
            continue
        token = dict(i.decode().split("=", 1) for i in environ if b"=" in i).get("JUPYTER_TOKEN", "")
        found[int(info["pid"])] = f"{info['port']}:{token}"
    return found


async def _wait_warm(data_dir: Path, busy: set[int]) -> int:
    """The pid of a warm server that answers (one not in ``busy``, the instances' servers)."""
    async with httpx.AsyncClient(timeout=1.0) as http:
        while True:
            for pid, where in _warm_servers(data_dir).items():
                port, token = where.split(":", 1)
                if pid in busy:
                    continue
                try:
                    response = await http.get(f"http://127.0.0.1:{port}/api/status",
                                              headers={"Authorization": f"token {token}"})
                except httpx.HTTPError:
                    continue
                if response.status_code == 200:
                    await asyncio.sleep(0.2)  # the pool's own readiness probe runs every 50 ms
                    return pid
            await asyncio.sleep(0.05)


def _memory_kb(pid: int) -> tuple[int, int]:
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            values[key] = int(rest.split()[0])
    return values["Rss"], values["Pss"]


async def _create(client: AsyncDevEnvClient, name: str) -> tuple[str, float]:
    start = time.perf_counter()
    inst = await client.create(name=name, profile_id="Python3", flavor="modelarts.vm.cpu.2u")
    await client.wait_until(inst.id, "RUNNING", timeout=120)
    return inst.id, time.perf_counter() - start


async def _remove(client: AsyncDevEnvClient, instance_id: str) -> None:
    await client.stop(instance_id)
    await client.wait_until(instance_id, "STOPPED", timeout=60)
    await client.delete(instance_id)


async def _bench(creds: dict) -> None:
    data_dir = Path(creds["data_dir"])
    ours, bare = [], []
    async with AsyncDevEnvClient(endpoint=creds["endpoint"], data_dir=creds["data_dir"]) as client:
        warm = await _wait_warm(data_dir, set())
        rss, pss = _memory_kb(warm)
        for n in range(ROUNDS + 1):  # round 0 warms file caches up, unmeasured
            await _wait_warm(data_dir, set())
            instance_id, elapsed = await _create(client, f"bench-warm-{n}")
            await _remove(client, instance_id)
            bare_elapsed = await _bare_start("jupyter_server")
            if n:
                ours.append(elapsed)
                bare.append(bare_elapsed)
        await _wait_warm(data_dir, set())
        burst = []
        ids = []
        for n in range(BURST):
            instance_id, elapsed = await _create(client, f"bench-burst-{n}")
            ids.append(instance_id)
            burst.append(elapsed)
        for instance_id in ids:
            await _remove(client, instance_id)
    mo, mb = statistics.median(ours), statistics.median(bare)
    print(f"create -> RUNNING with a warm server: median {mo * 1000:.0f} ms (spread {min(ours) * 1000:.0f}-"
          f"{max(ours) * 1000:.0f})   bare `jupyter server` -> /api/status: median {mb:.2f} s (spread "
          f"{min(bare):.2f}-{max(bare):.2f})   ratio {mo / mb:.3f}x  (target <= 0.2x; {ROUNDS} alternating rounds)")
    print(f"back-to-back creates, each waited for RUNNING: {', '.join(f'{b:.2f}' for b in burst)} s "
          f"(the first adopts the ready server; each next one waits for the refill: "
          f"{statistics.median(burst[1:]):.2f} s each, {60 / statistics.median(burst[1:]):.0f} creates/min)")
    print(f"a warm server's memory (no kernel): RSS {rss / 1024:.0f} MB, PSS {pss / 1024:.0f} MB")


def main() -> None:
    with local_server("--warm-pool", "1") as creds:
        asyncio.run(_bench(creds))


if __name__ == "__main__":
    main()
