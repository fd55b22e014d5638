"""A real ipykernel driven message by message, for what nbclient cannot show: what the kernel
sends on IOPub *while* a cell runs (the widgets' updates during a blocking cell), and how it
shuts down. Used by tests/test_widgets_live_kernel.py and bench/widget_latency.py.
"""

from __future__ import annotations

import os
import queue
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from jupyter_client.manager import KernelManager

_TAG = re.compile(r"<[^>]+>")


@dataclass
class Update:
    """One comm ``update`` message seen on IOPub: which model, which state, when."""

    comm_id: str
    state: dict[str, Any]
    at: float  # time.monotonic() when read
    parent: str  # msg_id of the request it is tagged with

    def text(self, key: str = "value") -> str:
        return _TAG.sub("", str(self.state.get(key, "")))


@dataclass
class KernelSession:
    """A kernel started with ``env``; its stderr goes to ``stderr_path``."""

    env: dict[str, str]
    stderr_path: Path
    updates: list[Update] = field(default_factory=list)
    #: msg_ids of the requests the kernel has finished (their "idle" status seen)
    finished: set[str] = field(default_factory=set)

    def start(self) -> KernelSession:
        self.km = KernelManager(kernel_name="python3")
        self._stderr = open(self.stderr_path, "wb")
        self.km.start_kernel(env=self.env, stderr=self._stderr)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        return self

    @property
    def pid(self) -> int:
        return self.km.provisioner.process.pid  # type: ignore[union-attr]

    def _pump(self, timeout: float) -> dict[str, Any] | None:
        """Read one IOPub message (recording widget updates); None after ``timeout``."""
        try:
            msg = self.kc.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            return None
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            self.finished.add(msg["parent_header"].get("msg_id", ""))
        if msg["msg_type"] == "comm_msg" and msg["content"]["data"].get("method") == "update":
            self.updates.append(Update(msg["content"]["comm_id"], msg["content"]["data"].get("state", {}),
                                       time.monotonic(), msg["parent_header"].get("msg_id", "")))
        return msg

    def execute(self, code: str) -> str:
        """Send ``code``; return its msg_id at once (read what it sends with :meth:`until`)."""
        return self.kc.execute(code)

    def until(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        """Read IOPub until ``predicate()`` holds (``AssertionError`` naming ``what`` after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            assert left > 0, f"not seen within {timeout:g} s: {what}"
            self._pump(min(left, 0.2))

    def run(self, code: str, timeout: float = 120.0) -> str:
        """Execute ``code`` to its end; return what it printed and its result's text (an error
        in the cell raises ``RuntimeError`` with the traceback)."""
        msg_id = self.execute(code)
        out: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"cell did not finish within {timeout:g} s: {code[:80]!r}"
            msg = self._pump(min(left, 0.5))
            if msg is None or msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "execute_result":
                out.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                raise RuntimeError("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out)

    def shutdown(self, timeout: float = 30.0) -> int | None:
        """Ask the kernel to shut down (a shutdown_request, as a front end does); its exit code
        (negative: killed by that signal, after jupyter_client's grace time)."""
        process = self.km.provisioner.process  # type: ignore[union-attr]
        try:
            self.km.shutdown_kernel(now=False)
        finally:
            self.kc.stop_channels()
            self._stderr.close()
        return process.wait(timeout)

    def kill(self) -> None:
        if self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        self.kc.stop_channels()
        if not self._stderr.closed:
            self._stderr.close()


def kernel_env(root: Path) -> dict[str, str]:
    """The environment of a test kernel: its own IPython dir and an unused nb_devenv data dir
    (the test configures the endpoint), without the developer's cloud settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NB_DEVENV_", "HUAWEICLOUD_SDK_", "JPY_"))}
    env.update({"IPYTHONDIR": str(root / "ipython"), "NB_DEVENV_DATA_DIR": str(root / "unused-data"),
                "PYTHONUNBUFFERED": "1"})
    return env
