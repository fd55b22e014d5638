"""Live while a cell blocks, in a real ipykernel against the real server.

The kernel's IOPub is read message by message (tests/kernel_session.py): a status widget's
state updates must arrive *while* another cell blocks in ``time.sleep``, a CPU loop or a ``--wait``, in
the order the instance went through its states; closing the widget ends the watch thread, and a
kernel shut down by a front end ends it cleanly (no task destroyed pending, nothing on stderr).
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest
from kernel_session import KernelSession, kernel_env

from nb_devenv import AsyncDevEnvClient

pytestmark = pytest.mark.notebooks

CPU = {"profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u"}
FLOW = ("STOPPED", "STARTING", "RUNNING", "STOPPING")
STATUS = re.compile(r"\b(CREATING|STARTING|RUNNING|STOPPING|STOPPED)\b")


def call(server, work):
    """``await work(client)`` with a fresh client of ``server``, from this (synchronous) test."""
    async def go():
        async with AsyncDevEnvClient(endpoint=server.endpoint, data_dir=server.data_dir) as client:
            return await work(client)
    return asyncio.run(go())


@pytest.fixture
def kernel(tmp_path):
    session = KernelSession(kernel_env(tmp_path), tmp_path / "kernel-stderr.txt").start()
    yield session
    session.kill()


def configure(kernel: KernelSession, server, fast: float = 0.3, slow: float = 1.0) -> None:
    kernel.run("%load_ext nb_devenv\n"
               f"%config DevEnv.endpoint = {server.endpoint!r}\n"
               f"%config DevEnv.data_dir = {str(server.data_dir)!r}\n"
               f"%config DevEnv.poll_interval = {fast}\n%config DevEnv.poll_interval_stable = {slow}\n")


def blocking_cell(flag) -> str:
    """A cell that blocks the kernel in time.sleep until ``flag`` exists (at most 60 s)."""
    return (f"import os, time\nfor _ in range(1200):\n    if os.path.exists({str(flag)!r}):\n        break\n"
            "    time.sleep(0.05)\n")


def statuses(kernel: KernelSession, comm_id: str, after: float) -> list[tuple[float, str]]:
    """The statuses the status pill showed after ``after``, in the order sent."""
    found = []
    for update in kernel.updates:
        if update.comm_id == comm_id and update.at >= after and "value" in update.state:
            match = STATUS.search(update.text())
            if match:
                found.append((update.at, match[1]))
    return found


def assert_forward(seen: list[str], allowed: set[str], last: str) -> None:
    """``seen`` goes forward through the lifecycle, only through ``allowed``, and ends at ``last``."""
    steps = [FLOW.index(s) for s in seen]
    assert steps == sorted(steps), f"updates out of order: {seen}"
    assert set(seen) <= allowed and seen[-1] == last, seen


def test_updates_arrive_while_a_cell_sleeps_computes_or_waits(shared_server, kernel, tmp_path):
    created = call(shared_server, lambda c: c.create(name="live-kernel", auto_stop=3600, **CPU))
    call(shared_server, lambda c: c.wait_until(created.id, "RUNNING", timeout=60))
    configure(kernel, shared_server)
    ids = kernel.run(f"w = %devenv get {created.id}\ndisplay(w)\n"
                     "print(w.parts['status'].model_id, w.parts['countdown'].model_id)").split()
    status_id, countdown_id = ids

    # 1. a cell sleeps; the countdown keeps ticking and a stop made elsewhere shows up, in order
    flag = tmp_path / "release"
    sleeping = kernel.execute(blocking_cell(flag))
    started = time.monotonic()
    kernel.until(lambda: len({u.text() for u in kernel.updates if u.comm_id == countdown_id
                              and u.at > started and "value" in u.state}) >= 2,
                 timeout=15, what="two countdown ticks while the cell sleeps")
    call(shared_server, lambda c: c.stop(created.id))
    stopped_at = time.monotonic()
    kernel.until(lambda: any(s == "STOPPED" for _, s in statuses(kernel, status_id, stopped_at)),
                 timeout=30, what="STOPPED on the widget while the cell sleeps")
    assert sleeping not in kernel.finished, "the update must arrive while the cell still blocks"
    flag.touch()
    kernel.until(lambda: sleeping in kernel.finished, timeout=15, what="the sleeping cell's end")
    # (a STOPPING shorter than a poll, made outside the kernel, may pass unseen)
    assert_forward([s for _, s in statuses(kernel, status_id, stopped_at)], {"RUNNING", "STOPPING", "STOPPED"},
                   "STOPPED")

    # 2. a --wait cell: the widget shows each state on the way, the last before the cell ends
    before = time.monotonic()
    waiting = kernel.execute(f"%devenv start {created.id} --wait")
    kernel.until(lambda: waiting in kernel.finished, timeout=60, what="the --wait cell's end")
    ended = time.monotonic()
    seen = statuses(kernel, status_id, before)
    assert_forward([s for _, s in seen], {"STOPPED", "STARTING", "RUNNING"}, "RUNNING")
    assert "STARTING" in [s for _, s in seen], f"the widget never showed STARTING: {seen}"
    assert seen[-1][0] < ended
    assert kernel.run("print(w.status)").strip() == "RUNNING"

    # 3. a cell computes (pure Python, holding the GIL but for the interpreter's switches)
    flag = tmp_path / "release-cpu"
    computing = kernel.execute(f"import os, time\nstart, n = time.monotonic(), 0\n"
                               f"while not os.path.exists({str(flag)!r}) and time.monotonic() - start < 60:\n"
                               "    for _ in range(200_000):\n        n += 1\n")
    started = time.monotonic()
    kernel.until(lambda: len({u.text() for u in kernel.updates if u.comm_id == countdown_id
                              and u.at > started and "value" in u.state}) >= 2,
                 timeout=15, what="two countdown ticks while the cell computes")
    assert computing not in kernel.finished
    flag.touch()
    kernel.until(lambda: computing in kernel.finished, timeout=15, what="the computing cell's end")


def test_closing_the_widget_ends_the_thread_and_shutdown_is_clean(shared_server, kernel, tmp_path):
    created = call(shared_server, lambda c: c.create(name="live-kernel-close", **CPU))
    probe = tmp_path / "at-exit.json"
    # registered before nb_devenv's own hook, so it runs after it (atexit runs last-in first-out)
    kernel.run("import atexit, json, threading\n"
               "def _probe():\n"
               "    from nb_devenv.notebook import watch\n"
               "    alive = [t.name for t in threading.enumerate() if t.name == watch.THREAD_NAME]\n"
               f"    open({str(probe)!r}, 'w').write(json.dumps({{'alive': alive, "
               "'loop_closed': _thread.loop.is_closed(), 'current': watch.watch_thread() is not None}))\n"
               "atexit.register(_probe)\n")
    configure(kernel, shared_server)
    alive = ("import threading\nfrom nb_devenv.notebook import watch\n"
             "print(sorted(t.name for t in threading.enumerate() if t.name == watch.THREAD_NAME))")
    kernel.run(f"w = %devenv get {created.id}\ndisplay(w)")
    assert kernel.run(alive).strip() == "['nb_devenv-watch']"
    kernel.run("w.close()\nimport time\n"
               "for _ in range(250):\n"
               "    if not [t for t in threading.enumerate() if t.name == watch.THREAD_NAME]:\n        break\n"
               "    time.sleep(0.02)")
    assert kernel.run(alive).strip() == "[]", "closing the last widget ends the watch thread"

    kernel.run(f"w2 = %devenv get {created.id}\ndisplay(w2)\n_thread = watch.watch_thread()")
    assert kernel.run(alive).strip() == "['nb_devenv-watch']", "a new widget starts it again"
    assert kernel.shutdown() == 0, "the kernel ended by itself, not killed"
    assert json.loads(probe.read_text()) == {"alive": [], "loop_closed": True, "current": False}
    stderr = (tmp_path / "kernel-stderr.txt").read_text()
    assert "Task was destroyed" not in stderr and "Traceback" not in stderr, stderr
