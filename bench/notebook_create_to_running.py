"""create -> RUNNING through the Notebook API vs through the old DevEnviron API, on one server.

Both APIs hand the instance to the same lifecycle and provisioner, so the ratio shows what the
Notebook API's own layer costs (its rules, its SQL-side list machinery, its instance object)
on top of a Jupyter start. Both are driven by the same AK/SK-signed httpx sender polling the
instance's details every 20 ms, in alternating rounds (each API going first in every other
round) after one warm-up each; every instance is stopped and deleted before the next one is
made. Target: about 1.0x.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

import httpx
from _local import local_server

from nb_devenv.contract.notebooks import image_for_profile
from nb_devenv.core import signing

ROUNDS = 6
POLL = 0.02
FLAVOR = "modelarts.vm.cpu.2u"


class Signed:
    """Requests signed as the official SDK signs them."""

    def __init__(self, credentials: dict[str, Any], http: httpx.AsyncClient):
        self.credentials, self.http = credentials, http
        self.host = credentials["endpoint"].split("://", 1)[1]

    async def request(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        raw = json.dumps(body).encode() if body is not None else b""
        headers = {"Host": self.host, "X-Sdk-Date": signing.sdk_date(),
                   "X-Project-Id": self.credentials["project_id"], "Content-Type": "application/json"}
        headers["Authorization"] = signing.sign(method, path, [], headers, raw, self.credentials["ak"],
                                                self.credentials["sk"])
        response = await self.http.request(method, self.credentials["endpoint"] + path, content=raw, headers=headers)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def wait(self, path: str, status: str) -> None:
        while (await self.request("GET", path))["status"] != status:
            await asyncio.sleep(POLL)


async def _old_api(api: Signed, n: int) -> float:
    base = f"/v1/{api.credentials['project_id']}/demanager/instances"
    start = time.perf_counter()
    created = await api.request("POST", base, {"name": f"bench-old-{n}", "profile_id": "Python3", "flavor": FLAVOR,
                                               "spec": {"storage": {"type": "EVS"}}})
    await api.wait(f"{base}/{created['id']}", "RUNNING")
    elapsed = time.perf_counter() - start
    await api.request("POST", f"{base}/{created['id']}/action", {"action": "stop"})
    await api.wait(f"{base}/{created['id']}", "STOPPED")
    await api.request("DELETE", f"{base}/{created['id']}")
    return elapsed


async def _notebook_api(api: Signed, n: int) -> float:
    base = f"/v1/{api.credentials['project_id']}/notebooks"
    start = time.perf_counter()
    created = await api.request("POST", base, {"name": f"bench-new-{n}", "image_id": image_for_profile("Python3").id,
                                               "flavor": FLAVOR, "volume": {"category": "EVS", "ownership": "MANAGED"}})
    await api.wait(f"{base}/{created['id']}", "RUNNING")
    elapsed = time.perf_counter() - start
    await api.request("POST", f"{base}/{created['id']}/stop")
    await api.wait(f"{base}/{created['id']}", "STOPPED")
    await api.request("DELETE", f"{base}/{created['id']}")
    return elapsed


async def _bench(credentials: dict[str, Any]) -> None:
    old, new = [], []
    async with httpx.AsyncClient(timeout=30) as http:
        api = Signed(credentials, http)
        await _old_api(api, 0)  # warm-up: file cache, first SQLite writes
        await _notebook_api(api, 0)
        for n in range(1, ROUNDS + 1):
            # who goes first alternates too: the second of a round starts right after a stop
            if n % 2:
                old.append(await _old_api(api, n))
                new.append(await _notebook_api(api, n))
            else:
                new.append(await _notebook_api(api, n))
                old.append(await _old_api(api, n))
    mo, mn = statistics.median(old), statistics.median(new)
    print(f"create -> RUNNING: Notebook API median {mn:.2f} s   old API median {mo:.2f} s   "
          f"ratio {mn / mo:.2f}x (target about 1.0x)   ({ROUNDS} alternating rounds, polling every "
          f"{POLL * 1000:.0f} ms)")


def main() -> None:
    with local_server("--warm-pool", "0") as credentials:  # both APIs from a cold start
        asyncio.run(_bench(credentials))


if __name__ == "__main__":
    main()
