"""A throwaway local server for a benchmark: its own data directory, cleaned up afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nb_devenv.client._local_server import ensure_local_server, running_endpoint  # noqa: E402


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


@contextlib.contextmanager
def local_server(*serve_args: str):
    """Yield the credentials of a fresh local server (endpoint and ``data_dir`` included); kill
    it and its instances afterwards. Without ``serve_args`` it is started the way users get it
    (on demand); with them (e.g. ``--max-instances 60``) as ``python -m nb_devenv.server``."""
    data_dir = Path(tempfile.mkdtemp(prefix="nb-devenv-bench-"))
    try:
        if serve_args:
            subprocess.Popen([sys.executable, "-m", "nb_devenv.server", "--port", "0", "--data-dir", str(data_dir),
                              *serve_args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
            while asyncio.run(running_endpoint(data_dir)) is None:
                time.sleep(0.1)
        credentials = asyncio.run(ensure_local_server(data_dir))
        yield {**credentials, "data_dir": data_dir}
    finally:
        for runtime in glob.glob(str(data_dir / "instances" / "*" / "runtime" / "jpserver-*.json")):
            with contextlib.suppress(OSError, ValueError, KeyError):
                _kill_group(int(json.loads(Path(runtime).read_text())["pid"]))
        with contextlib.suppress(OSError, ValueError, KeyError):
            _kill_group(int(json.loads((data_dir / "server.json").read_text())["pid"]))
        shutil.rmtree(data_dir, ignore_errors=True)
