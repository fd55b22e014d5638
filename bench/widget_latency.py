"""Widget update latency while a cell blocks: a state change on the server → the widget's
update message seen on the kernel's IOPub.

A real ipykernel (jupyter_client) displays a live status widget for one real running instance,
with the default poll intervals (1 s in transitions, 10 s when stable). Two ways the instance
stops, alternating, TRIALS times each:

* **elsewhere, while a cell sleeps**: a cell blocks in ``time.sleep``; this script stops the
  instance through the API (as another notebook, the console or auto-stop would). Latency: from
  the stop's answer to the first update showing STOPPING or STOPPED. Bounded by the stable poll
  interval (plus its jitter), so expected around half of it;
* **a ``%devenv stop ID --wait`` cell**: the magic pokes the widgets' hub and hands them each
  snapshot its wait sees. Latency: from sending the cell to the first such update (it includes
  the stop request itself).

Each is printed as median and spread (min, max, quartiles). Before this change both were
"never while the cell runs": the widgets polled on the kernel's loop, which the cell blocks.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _local import local_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from kernel_session import KernelSession, kernel_env  # noqa: E402

from nb_devenv import AsyncDevEnvClient  # noqa: E402

TRIALS = 6
#: seconds for the hub to fall back to its stable interval after wait() poked it (10 fast polls)
SETTLE = 12.0
STATUS = re.compile(r"\b(STOPPING|STOPPED)\b")


def _api(creds: dict, work):
    async def go():
        async with AsyncDevEnvClient(endpoint=creds["endpoint"], data_dir=creds["data_dir"]) as client:
            return await work(client)
    return asyncio.run(go())


def _first_stop_update(kernel: KernelSession, comm_id: str, after: float) -> float:
    def seen() -> float | None:
        for u in kernel.updates:
            if u.comm_id == comm_id and u.at >= after and "value" in u.state and STATUS.search(u.text()):
                return u.at
        return None
    kernel.until(lambda: seen() is not None, timeout=60, what="the widget showing the stop")
    at = seen()
    assert at is not None
    return at - after


def _restart(kernel: KernelSession, creds: dict, iid: str, comm_id: str) -> None:
    _api(creds, lambda c: c.wait_until(iid, "STOPPED", timeout=60))
    _api(creds, lambda c: c.start(iid))
    _api(creds, lambda c: c.wait_until(iid, "RUNNING", timeout=120))
    kernel.run("from nb_devenv.notebook import wait\nawait wait(w, 'RUNNING', timeout=60)")


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="nb-devenv-latency-"))
    samples: dict[str, list[float]] = {"stopped elsewhere, cell sleeping": [], "%devenv stop --wait cell": []}
    with local_server() as creds:
        created = _api(creds, lambda c: c.create(name="latency", profile_id="Python3",
                                                 flavor="modelarts.vm.cpu.2u", auto_stop=7200))
        iid = created.id
        _api(creds, lambda c: c.wait_until(iid, "RUNNING", timeout=120))
        kernel = KernelSession(kernel_env(root), root / "kernel-stderr.txt").start()
        try:
            kernel.run(f"%load_ext nb_devenv\n%config DevEnv.endpoint = {creds['endpoint']!r}\n"
                       f"%config DevEnv.data_dir = {str(creds['data_dir'])!r}\n")
            comm_id = kernel.run(f"w = %devenv get {iid}\ndisplay(w)\nprint(w.parts['status'].model_id)").strip()
            kernel.run("from nb_devenv.notebook import wait\nawait wait(w, 'RUNNING', timeout=60)")
            for trial in range(TRIALS):
                # 1. a cell sleeps; the instance is stopped elsewhere
                flag = root / f"release-{trial}"
                sleeping = kernel.execute(f"import os, time\nfor _ in range(2400):\n"
                                          f"    if os.path.exists({str(flag)!r}):\n        break\n"
                                          "    time.sleep(0.05)\n")
                # past the fast polls that follow wait()'s poke, then at a different point of
                # the stable interval each trial
                time.sleep(SETTLE + trial * 10.0 / TRIALS)
                _api(creds, lambda c: c.stop(iid))
                samples["stopped elsewhere, cell sleeping"].append(
                    _first_stop_update(kernel, comm_id, time.monotonic()))
                assert sleeping not in kernel.finished, "the cell was still sleeping"
                flag.touch()
                kernel.until(lambda: sleeping in kernel.finished, timeout=30, what="the sleeping cell's end")
                _restart(kernel, creds, iid, comm_id)
                # 2. a --wait cell
                time.sleep(1.0)
                sent = time.monotonic()
                waiting = kernel.execute(f"%devenv stop {iid} --wait")
                samples["%devenv stop --wait cell"].append(_first_stop_update(kernel, comm_id, sent))
                kernel.until(lambda: waiting in kernel.finished, timeout=60, what="the --wait cell's end")
                _restart(kernel, creds, iid, comm_id)
        finally:
            kernel.kill()
    print(f"widget update latency during a blocking cell, {TRIALS} trials each (alternating), default "
          f"poll intervals (1 s in transition, 10 s stable):")
    for name, values in samples.items():
        q = statistics.quantiles(values, n=4)
        print(f"  {name:34s} median {statistics.median(values):6.2f} s   min {min(values):5.2f}  "
              f"q1 {q[0]:5.2f}  q3 {q[2]:5.2f}  max {max(values):5.2f} s")
    ratio = statistics.median(samples["stopped elsewhere, cell sleeping"]) / statistics.median(
        samples["%devenv stop --wait cell"])
    print(f"  ratio elsewhere / --wait: {ratio:.1f}x (before: no update at all until the cell ended)")


if __name__ == "__main__":
    main()
