"""The layout of the server's data directory, and the files other programs read from it.

The data directory is a contract: the client and the CLI find the running server through
``server.json`` and its credentials through ``credentials.json``, and tests find instance
processes through ``instances/<id>/runtime/jpserver-<pid>.json``. Every path is named here once.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..paths import default_data_dir

__all__ = ["DataDir", "AlreadyRunning", "default_data_dir", "write_private_json"]


class AlreadyRunning(Exception):
    """Another server holds the data directory's lock; the message names it."""


def write_private_json(path: Path, document: dict, mode: int = 0o600) -> None:
    """Write ``document`` to ``path`` as JSON, readable by its owner only (mode 600 by default)."""
    path = Path(path)
    # written under a temporary name with its final mode from the start, then renamed, so a
    # reader never sees a half-written file and the secrets are never world-readable
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class DataDir:
    """Paths inside one data directory (nothing is created until :meth:`create`)."""

    root: Path

    @property
    def state_db(self) -> Path:
        return self.root / "state.sqlite3"

    @property
    def credentials_file(self) -> Path:
        return self.root / "credentials.json"

    @property
    def server_file(self) -> Path:
        return self.root / "server.json"

    @property
    def lock_file(self) -> Path:
        return self.root / "server.lock"

    def instance_dir(self, instance_id: str) -> Path:
        """Per-instance bookkeeping: ``runtime/``, ``config/`` and ``jupyter.log``."""
        return self.root / "instances" / instance_id

    def runtime_dir(self, instance_id: str) -> Path:
        return self.instance_dir(instance_id) / "runtime"

    def config_dir(self, instance_id: str) -> Path:
        return self.instance_dir(instance_id) / "config"

    def jupyter_log(self, instance_id: str) -> Path:
        return self.instance_dir(instance_id) / "jupyter.log"

    def evs_dir(self, instance_id: str) -> Path:
        """An EVS instance's disk: its working directory, kept on stop, removed on delete."""
        return self.root / "evs" / instance_id

    def obs_dir(self, bucket: str, directory: str) -> Path:
        """An emulated OBS bucket directory; it outlives the instances that use it."""
        return self.root / "obs" / bucket / directory.strip("/")

    def runtime_files(self) -> list[Path]:
        """Every ``jpserver-<pid>.json`` a Jupyter server of any instance left in its runtime dir."""
        return sorted((self.root / "instances").glob("*/runtime/jpserver-*.json"))

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    # --- the single-server lock ---------------------------------------------------------------

    def acquire_lock(self) -> int:
        """Hold ``server.lock`` for as long as the returned descriptor stays open.

        Raises :class:`AlreadyRunning` naming the running server when another process holds it.
        """
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            running = self.read_server_file() or {}
            who = f"pid {running.get('pid', '?')}, {running.get('endpoint', 'endpoint unknown')}"
            raise AlreadyRunning(
                f"another nb-devenv server ({who}) is already using the data directory {self.root}"
            ) from None
        return fd

    @staticmethod
    def release_lock(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    # --- files for other programs ---------------------------------------------------------------

    def write_credentials(self, document: dict) -> None:
        write_private_json(self.credentials_file, document)

    def read_credentials(self) -> dict | None:
        try:
            return json.loads(self.credentials_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_server_file(self, endpoint: str, pid: int, started_at: str) -> None:
        # no secret in it, but private anyway: it only matters to the user who runs the server
        write_private_json(self.server_file, {"endpoint": endpoint, "pid": pid, "started_at": started_at})

    def read_server_file(self) -> dict | None:
        try:
            return json.loads(self.server_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def remove_server_file(self, pid: int) -> None:
        """Remove ``server.json`` if it is ours (a newer server may have replaced it)."""
        current = self.read_server_file()
        if current is not None and current.get("pid") == pid:
            self.server_file.unlink(missing_ok=True)
