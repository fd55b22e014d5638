"""Finding — and if needed starting — the embedded local server.

With no endpoint configured, the client talks to the local DevEnviron server of the data
directory. If none is running it starts one in the background (its own session, so it and
its instances outlive the kernel or shell that started it) and reuses it afterwards.

This module starts the server as a separate process (``python -m nb_devenv.server``) and
reads the files it writes; it imports none of the server's code. The file names are
:mod:`nb_devenv.core.paths`'s:

* ``DIR/server.json`` — ``{"endpoint", "pid", "started_at"}`` while a server is running;
* ``DIR/credentials.json`` (mode 600) — ``endpoint``, ``project_id``, ``ak``, ``sk``, and the
  ``user_name``/``domain_name``/``password`` of its token flow;
* ``DIR/server.log`` — what a server started here prints.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from nb_devenv.core.paths import (
    CREDENTIALS_FILE,
    SERVER_FILE,
    SERVER_LOG,
    default_data_dir,
)

from ._exceptions import ConfigurationError

__all__ = ["default_data_dir", "read_credentials", "running_endpoint", "ensure_local_server"]

START_TIMEOUT = 30.0


def _read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``; ``None`` if it cannot be read or holds no JSON object."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_credentials(data_dir: Path | str | None = None) -> dict[str, Any] | None:
    """The local server's credentials file, or ``None`` if the server never ran there."""
    return _read_json(Path(data_dir or default_data_dir()) / CREDENTIALS_FILE)


async def _healthy(endpoint: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2.0) as http:
            response = await http.get(f"{endpoint}/_emulator/health")
        return response.status_code == 200
    except httpx.HTTPError:
        return False


async def running_endpoint(data_dir: Path | str | None = None) -> str | None:
    """The endpoint of the server running on ``data_dir``, or ``None`` if none answers."""
    info = _read_json(Path(data_dir or default_data_dir()) / SERVER_FILE)
    if not info or not info.get("endpoint"):
        return None
    return info["endpoint"] if await _healthy(info["endpoint"]) else None


def _spawn(data_dir: Path) -> subprocess.Popen[bytes]:
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        log = open(data_dir / SERVER_LOG, "ab")
    except OSError as error:
        raise ConfigurationError(f"cannot start the local nb_devenv server: its data directory {data_dir} "
                                 f"cannot be written ({error.strerror or error})") from None
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "nb_devenv.server", "--port", "0", "--data-dir", str(data_dir)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True,  # outlives this kernel/shell, like the instances it runs
        )
    finally:
        log.close()


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return lines[-1] if lines else "no log"


async def ensure_local_server(data_dir: Path | str | None = None,
                              timeout: float = START_TIMEOUT) -> dict[str, Any]:
    """Credentials (with the live ``endpoint``) of the local server, starting it if needed."""
    data_dir = Path(data_dir or default_data_dir())
    endpoint = await running_endpoint(data_dir)
    process = None
    if endpoint is None:
        process = _spawn(data_dir)
        deadline = time.monotonic() + timeout
        while endpoint is None:
            # another process may have won the race to start it: its server.json counts too
            endpoint = await running_endpoint(data_dir)
            if endpoint is None:
                if process.poll() is not None and not (data_dir / SERVER_FILE).exists():
                    raise ConfigurationError(
                        f"the local nb_devenv server did not start (exit code {process.returncode}): "
                        f"{_last_line(data_dir / SERVER_LOG)} (see {data_dir / SERVER_LOG})")
                if time.monotonic() > deadline:
                    raise ConfigurationError(
                        f"the local nb_devenv server did not answer within {timeout:g} s; "
                        f"see {data_dir / SERVER_LOG}")
                await asyncio.sleep(0.05)
    credentials = read_credentials(data_dir)
    if not credentials:
        raise ConfigurationError(f"the local server at {endpoint} wrote no {data_dir / CREDENTIALS_FILE}")
    return {**credentials, "endpoint": endpoint}
