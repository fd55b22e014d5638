"""List and details latency with 10,000 stored instances across 1,000 projects vs 10 instances.

Two local servers run side by side: a *small* one whose one project holds 10 instances (5 of
each API), and a *large* one holding 10,000 instances across 1,000 projects (the store is seeded
directly through ``Store``; every instance is STOPPED, so no Jupyter server runs). In the large
store the measured project holds the same 10 instances as in the small one, and one *crowded*
project holds 1,000 (500 of each API), listed a page at a time with a filter and a sort.

Each request is a bare httpx GET signed as the client signs it, so only the server's cost
varies. Rounds alternate between the variants; each figure is the median of the per-request
means of the rounds, with the spread (min-max of those means). Target: large <= 1.5x small.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nb_devenv.client._local_server import running_endpoint  # noqa: E402
from nb_devenv.contract import notebooks as nb  # noqa: E402
from nb_devenv.contract import with_defaults  # noqa: E402
from nb_devenv.core.signing import sdk_date, sign  # noqa: E402
from nb_devenv.server.data_dir import DataDir  # noqa: E402
from nb_devenv.server.passwords import hash_password  # noqa: E402
from nb_devenv.server.store import (  # noqa: E402
    NOTEBOOKS,
    InstanceRecord,
    Project,
    Storage,
    Store,
    devenviron_run_facts,
)

ROUNDS, PER_ROUND = 9, 60
PROJECTS, PER_PROJECT, CROWDED = 1_000, 10, 1_000
_STATUSES = ("STOPPED", "STOPPED", "STOPPED", "CREATE_FAILED", "START_FAILED")


def _old_record(project_id: str, n: int, now: int) -> InstanceRecord:
    request = with_defaults({"name": f"old-{n:05d}", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
                             "spec": {"storage": {"type": "EVS"}}})
    return InstanceRecord(id=f"DE-{uuid.uuid4()}", project_id=project_id, name=request["name"],
                          status=_STATUSES[n % len(_STATUSES)], request=request, created_ms=now - n * 1000,
                          updated_ms=now, jupyter_token=uuid.uuid4().hex, **devenviron_run_facts(request))


def _nb_record(project_id: str, n: int, now: int) -> InstanceRecord:
    image = nb.image_for_profile("Python3")
    request = nb.with_defaults({"name": f"nb-{n:05d}", "image_id": image.id, "flavor": "modelarts.vm.cpu.2u",
                                "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 5}})
    return InstanceRecord(id=str(uuid.uuid4()), project_id=project_id, api=NOTEBOOKS, name=request["name"],
                          status=_STATUSES[n % len(_STATUSES)], request=request, profile_id=image.profile_id,
                          flavor=request["flavor"], storage=Storage("EVS", 5), run_ms=None,
                          created_ms=now - n * 1000, updated_ms=now, jupyter_token=uuid.uuid4().hex)


def _seed(data_dir: Path, counts: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Projects named in ``counts`` with that many instances (half of each API) plus nothing
    else; returns each project's credentials and an instance id of each API."""
    layout = DataDir(data_dir)
    layout.create()
    store = Store(layout.state_db)
    password_hash = hash_password("not-used-by-the-bench")  # scrypt once, not per project
    now = int(time.time() * 1000)
    found: dict[str, dict[str, Any]] = {}
    for name, count in counts.items():
        project = Project(id=uuid.uuid4().hex, name=name, user_id=uuid.uuid4().hex, user_name=name,
                          domain_name=name, password_hash=password_hash)
        ak, sk = uuid.uuid4().hex.upper()[:20], uuid.uuid4().hex + uuid.uuid4().hex[:8]
        store.insert_project(project, ak, sk, now)
        old = [_old_record(project.id, n, now) for n in range(count // 2)]
        new = [_nb_record(project.id, n, now) for n in range(count - count // 2)]
        for record in old + new:
            store.insert_instance(record)
        found[name] = {"project_id": project.id, "ak": ak, "sk": sk, "old": old[0].id, "nb": new[0].id}
    store.close()
    return found


@contextlib.contextmanager
def _server(data_dir: Path) -> Iterator[str]:
    process = subprocess.Popen([sys.executable, "-m", "nb_devenv.server", "--port", "0", "--data-dir",
                                str(data_dir), "--warm-pool", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while (endpoint := asyncio.run(running_endpoint(data_dir))) is None:
            if process.poll() is not None:
                raise RuntimeError("the local server did not start")
            time.sleep(0.1)
        yield endpoint
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


class _Signed:
    """Bare signed GETs of one project on one server (keep-alive, as the client does)."""

    def __init__(self, endpoint: str, project: dict[str, Any]):
        self.http = httpx.Client(base_url=endpoint)
        self.host = endpoint.split("://", 1)[1]
        self.project = project

    def get(self, path: str, params: dict[str, str]) -> Any:
        path = f"/v1/{self.project['project_id']}{path}"
        query = sorted(params.items())
        headers = {"Host": self.host, "X-Sdk-Date": sdk_date(), "X-Project-Id": self.project["project_id"],
                   "Content-Type": "application/json"}
        headers["Authorization"] = sign("GET", path, query, headers, b"", self.project["ak"], self.project["sk"])
        response = self.http.get(path, params=query, headers=headers)
        response.raise_for_status()
        return response.json()


def _operations(client: _Signed, crowded: bool) -> dict[str, tuple[str, dict[str, str]]]:
    old_list = {"de_type": "Notebook"}
    nb_list: dict[str, str] = {}
    if crowded:  # a page of a big project, filtered and sorted
        old_list = {**old_list, "status": "STOPPED", "sortby": "creation_timestamp", "order": "desc",
                    "offset": "100", "limit": "5"}
        nb_list = {"status": "STOPPED", "sort_key": "name", "sort_dir": "ASC", "offset": "100", "limit": "5"}
    return {
        "old list": ("/demanager/instances", old_list),
        "old details": (f"/demanager/instances/{client.project['old']}", {}),
        "nb list": ("/notebooks", nb_list),
        "nb details": (f"/notebooks/{client.project['nb']}", {}),
    }


def _per_request(client: _Signed, path: str, params: dict[str, str]) -> float:
    start = time.perf_counter()
    for _ in range(PER_ROUND):
        client.get(path, params)
    return (time.perf_counter() - start) / PER_ROUND


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="nb-devenv-bench-scale-"))
    try:
        started = time.perf_counter()
        small = _seed(root / "small", {"measured": PER_PROJECT})
        counts = {"measured": PER_PROJECT, "crowded": CROWDED}
        rest = PROJECTS - 2
        spread = (PROJECTS * PER_PROJECT - PER_PROJECT - CROWDED) // rest
        counts.update({f"p{n:04d}": spread for n in range(rest)})
        large = _seed(root / "large", counts)
        total = sum(counts.values())
        print(f"seeded {total} instances across {len(counts)} projects (and 10 in the small store) "
              f"in {time.perf_counter() - started:.1f} s")
        with _server(root / "small") as small_endpoint, _server(root / "large") as large_endpoint:
            variants = {
                "small (10)": _Signed(small_endpoint, small["measured"]),
                "large, project of 10": _Signed(large_endpoint, large["measured"]),
                "large, project of 1,000 (a page)": _Signed(large_endpoint, large["crowded"]),
            }
            operations = {name: _operations(client, name.endswith("(a page)")) for name, client in variants.items()}
            sizes = {name: len(client.get(*operations[name]["nb list"])["data"]) for name, client in variants.items()}
            samples: dict[tuple[str, str], list[float]] = {}
            for _ in range(ROUNDS + 1):  # the first round warms up connections and caches
                for op in ("old list", "old details", "nb list", "nb details"):
                    for name, client in variants.items():
                        samples.setdefault((op, name), []).append(_per_request(client, *operations[name][op]))
        print(f"Notebook API list sizes: {sizes}; {ROUNDS} alternating rounds of {PER_ROUND} requests")
        for op in ("old list", "old details", "nb list", "nb details"):
            base = statistics.median(samples[(op, "small (10)")][1:])
            for name in variants:
                values = [v * 1000 for v in samples[(op, name)][1:]]
                median = statistics.median(values)
                print(f"{op:12s} {name:34s} median {median:6.2f} ms  (spread {min(values):.2f}-{max(values):.2f})"
                      f"  ratio {median / (base * 1000):.2f}x")
        print("target: every large ratio <= 1.5x")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
