"""The cost of watching many instances from one notebook kernel: 50 widgets beside 200.

A real ipykernel (started with jupyter_client) loads the extension and displays live status
widgets for 50 real running instances with auto-stop on (so every countdown ticks each
second): 50 widgets (one per instance), then 200 (four per instance: 200 Jupyter servers do not
fit beside the other work on this machine; the kernel's cost is per widget and per poll, and
the one list request answers for all 50 instances either way). The phases alternate, ROUNDS
times each, and for each we read while the kernel sits idle for MEASURE seconds
(``--instances``, ``--measure``, ``--rounds`` change them):

* the kernel process's CPU time from /proc (all its threads: the watch thread that polls and
  ticks, the IOPub thread), as a share of one core (target <= 2 %), beside the same kernel's CPU
  while idle with no widget at all, measured first;
* requests made by the shared poll loop per poll interval (target: at most one list request
  per interval for all the widgets, not one per widget), and details requests (target 0).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from _local import local_server
from jupyter_client.manager import start_new_kernel

from nb_devenv import AsyncDevEnvClient

INSTANCES, MEASURE, POLL_STABLE, ROUNDS = 50, 45.0, 10.0, 2
WIDGETS = (50, 200)  # spread evenly over the instances


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run(kc, code: str) -> str:
    """Execute ``code`` in the kernel; return its printed text (errors raise)."""
    out = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))

    reply = kc.execute_interactive(code, output_hook=hook, timeout=300)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(reply["content"])
    return "".join(out)


async def _create(creds: dict) -> list[str]:
    async with AsyncDevEnvClient(endpoint=creds["endpoint"], data_dir=creds["data_dir"]) as client:
        ids = []
        for n in range(INSTANCES):  # a few at a time: 50 Jupyter servers starting at once is a lot for 2 cores
            inst = await client.create(name=f"watch-{n:02d}", profile_id="Python3",
                                       flavor="modelarts.vm.cpu.2u", auto_stop=7200)
            ids.append(inst.id)
            if n % 5 == 4:
                await asyncio.gather(*(client.wait_until(i, "RUNNING", timeout=300) for i in ids[-5:]))
        return ids


def _measure(kc, pid: int, ids: list[str], count: int) -> dict[str, float]:
    """Display ``count`` widgets over the instances, let the hub settle, measure, close them."""
    _run(kc, "from IPython.display import display\nfrom nb_devenv.notebook.widgets import InstanceStatusWidget\n"
             f"ids = {ids!r}\nws = [InstanceStatusWidget(ids[k % len(ids)]) for k in range({count})]\n"
             "for w in ws: display(w)\n")
    _run(kc, "import asyncio\nfrom nb_devenv.notebook import wait\n"
             "await asyncio.gather(*(wait(w, until='RUNNING', timeout=120) for w in ws))\n"
             "hub = ws[0]._hub\nassert all(w._hub is hub for w in ws)\n")
    time.sleep(POLL_STABLE + 2)  # let the hub settle into its stable rate
    before = eval(_run(kc, "print(dict(hub.requests))"))
    cpu0, t0 = _cpu_seconds(pid), time.monotonic()
    time.sleep(MEASURE)
    elapsed = time.monotonic() - t0
    share = (_cpu_seconds(pid) - cpu0) / elapsed
    after = eval(_run(kc, "print(dict(hub.requests))"))
    ticking = int(_run(kc, "print(sum('auto-stop in' in w.parts['countdown'].value for w in ws))"))
    _run(kc, "for w in ws: w.close()\nws = []\n")
    intervals = elapsed / POLL_STABLE
    return {"cpu": share * 100, "lists": (after["list"] - before["list"]) / intervals,
            "gets": (after["get"] - before["get"]) / intervals, "ticking": ticking}


def main() -> None:
    global INSTANCES, MEASURE, ROUNDS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=INSTANCES)
    parser.add_argument("--measure", type=float, default=MEASURE, help="seconds measured per phase")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    INSTANCES, MEASURE, ROUNDS = args.instances, args.measure, args.rounds
    with local_server("--max-instances", str(INSTANCES + 5)) as creds:
        ids = asyncio.run(_create(creds))
        km, kc = start_new_kernel(kernel_name="python3",
                                  env={**os.environ, "NB_DEVENV_DATA_DIR": str(creds["data_dir"])})
        try:
            pid = km.provisioner.process.pid
            _run(kc, f"%load_ext nb_devenv\n%config DevEnv.endpoint = {creds['endpoint']!r}\n"
                     f"%config DevEnv.data_dir = {str(creds['data_dir'])!r}\n"
                     f"%config DevEnv.poll_interval_stable = {POLL_STABLE}\n")
            time.sleep(2)
            cpu0, t0 = _cpu_seconds(pid), time.monotonic()
            time.sleep(MEASURE / 2)
            idle = (_cpu_seconds(pid) - cpu0) / (time.monotonic() - t0) * 100
            samples: dict[str, list[dict[str, float]]] = {f"{n} widgets": [] for n in WIDGETS}
            for _ in range(ROUNDS):  # alternating, so machine noise hits both alike
                for count in WIDGETS:
                    samples[f"{count} widgets"].append(_measure(kc, pid, ids, count))
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    print(f"{INSTANCES} running instances, auto-stop on; {ROUNDS} alternating rounds of {MEASURE:g} s each; "
          f"poll interval when stable {POLL_STABLE:g} s")
    print(f"kernel idle without widgets: {idle:.2f} % of one core")
    for name, runs in samples.items():
        cpu = [r["cpu"] for r in runs]
        print(f"{name:12s}  kernel CPU {statistics.median(cpu):5.2f} % of one core (runs: "
              f"{', '.join(f'{c:.2f}' for c in cpu)}; target <= 2 %) · "
              f"list requests per poll interval {statistics.median(r['lists'] for r in runs):.2f} "
              f"(target <= 1) · details requests {statistics.median(r['gets'] for r in runs):.2f} · "
              f"widgets showing a countdown {int(min(r['ticking'] for r in runs))}")
    ratio = statistics.median(r["cpu"] for r in samples["200 widgets"]) / max(
        statistics.median(r["cpu"] for r in samples["50 widgets"]), 1e-9)
    print(f"ratio 200 widgets / 50 widgets kernel CPU: {ratio:.2f}x")


if __name__ == "__main__":
    main()
