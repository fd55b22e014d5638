"""(a) Our client's GET (instance details) vs a bare httpx GET carrying the same signature.

Same local server, same instance, same keep-alive connection pattern. The bare request is
signed per request exactly as the client signs it (Host, X-Sdk-Date, X-Project-Id,
Content-Type) and its JSON is parsed, so the difference is what the client adds: building
the request, retry bookkeeping, error mapping, clock tracking and the typed Instance.
Rounds alternate between the two so machine noise hits both. Target: <= 1.15x.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
from _local import local_server

from nb_devenv import AsyncDevEnvClient
from nb_devenv.core.signing import sdk_date, sign

ROUNDS, PER_ROUND = 15, 200


async def _bench(creds: dict) -> None:
    async with AsyncDevEnvClient(endpoint=creds["endpoint"], data_dir=creds["data_dir"]) as client:
        # a failed-at-once profile gives a real stored instance without starting Jupyter
        inst = await client.create(name="bench-a", profile_id="Python2", flavor="modelarts.vm.cpu.2u")
        path = f"/v1/{creds['project_id']}/demanager/instances/{inst.id}"
        host = creds["endpoint"].split("://", 1)[1]

        async with httpx.AsyncClient(base_url=creds["endpoint"]) as bare:
            async def bare_get():
                headers = {"Host": host, "X-Sdk-Date": sdk_date(), "X-Project-Id": creds["project_id"],
                           "Content-Type": "application/json"}
                headers["Authorization"] = sign("GET", path, [], headers, b"", creds["ak"], creds["sk"])
                response = await bare.get(path, headers=headers)
                response.raise_for_status()
                return response.json()

            async def ours_get():
                return await client.get(inst.id)

            for fn in (bare_get, ours_get):  # warm up connections and caches
                for _ in range(50):
                    await fn()
            ours, base = [], []
            for _ in range(ROUNDS):
                for fn, out in ((ours_get, ours), (bare_get, base)):
                    start = time.perf_counter()
                    for _ in range(PER_ROUND):
                        await fn()
                    out.append((time.perf_counter() - start) / PER_ROUND)
        await client.delete(inst.id)
    mo, mb = statistics.median(ours), statistics.median(base)
    print(f"client GET: median {mo * 1e6:.0f} us/request   bare httpx GET (same signature): "
          f"{mb * 1e6:.0f} us/request   ratio {mo / mb:.3f}x  (target <= 1.15x; "
          f"{ROUNDS} alternating rounds of {PER_ROUND})")


def main() -> None:
    with local_server() as creds:
        asyncio.run(_bench(creds))


if __name__ == "__main__":
    main()
