"""The cost of watching 50 running instances from one notebook kernel.

A real ipykernel (started with jupyter_client) loads the extension and displays 50 live status
widgets for 50 real running instances with auto-stop on (so every countdown ticks each second).
Then the kernel sits idle for MEASURE seconds while we read:

* HTTP requests made by the shared poll loop, per minute and per poll interval (target: at
  most one list request per poll interval, not one request per instance);
* the kernel process's CPU time from /proc, as a share of one core (target <= 2 %), beside the
  same kernel's CPU while idle with no widget at all, measured first in the same run.
"""

from __future__ import annotations

import asyncio
import os
import time

from jupyter_client.manager import start_new_kernel

from _local import local_server
from nb_devenv import AsyncDevEnvClient

INSTANCES, MEASURE, POLL_STABLE = 50, 60.0, 10.0


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


def main() -> None:
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
            idle_share = (_cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)

            _run(kc, "from IPython.display import display\nfrom nb_devenv.notebook.widgets import InstanceStatusWidget\n"
                     f"ws = [InstanceStatusWidget(i) for i in {ids!r}]\nfor w in ws: display(w)\n")
            _run(kc, "import asyncio\nfrom nb_devenv.notebook import wait\n"
                     "await asyncio.gather(*(wait(w, until='RUNNING', timeout=120) for w in ws))\n"
                     "hub = ws[0]._hub\nassert all(w._hub is hub for w in ws)\n")
            time.sleep(POLL_STABLE + 2)  # let the hub settle into its stable rate
            before = eval(_run(kc, "print(dict(hub.requests))"))
            cpu0, t0 = _cpu_seconds(pid), time.monotonic()
            time.sleep(MEASURE)
            elapsed = time.monotonic() - t0
            watch_share = (_cpu_seconds(pid) - cpu0) / elapsed
            after = eval(_run(kc, "print(dict(hub.requests))"))
            countdowns = _run(kc, "import re\nprint(sorted({re.sub(r'<[^>]+>', '', w._countdown.value)[:40] for w in ws})[:2])")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    lists, gets = after["list"] - before["list"], after["get"] - before["get"]
    per_minute = (lists + gets) * 60 / elapsed
    print(f"{INSTANCES} instances watched for {elapsed:.0f} s: {lists} list + {gets} details requests "
          f"= {per_minute:.1f} requests/minute ({(lists + gets) / (elapsed / POLL_STABLE):.2f} per "
          f"{POLL_STABLE:g} s poll interval; target <= 1 list request per interval)")
    print(f"kernel CPU while idle-watching: {watch_share * 100:.2f} % of one core "
          f"(same kernel idle without widgets: {idle_share * 100:.2f} %; target <= 2 %)")
    print(f"countdowns seen (first characters): {countdowns.strip()}")


if __name__ == "__main__":
    main()
