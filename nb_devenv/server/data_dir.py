"""The layout of the server's data directory, and the files other programs read from it.

The data directory is a contract: the client and the CLI find the running server through
``server.json`` and its credentials through ``credentials.json``, and tests find instance
processes through ``instances/<id>/runtime/jpserver-<pid>.json``. Every path is named here once.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nb_devenv.core.paths import CREDENTIALS_FILE, SERVER_FILE, default_data_dir

__all__ = ["DataDir", "AlreadyRunning", "UnsafePath", "default_data_dir", "write_private_json"]


class AlreadyRunning(Exception):
    """Another server holds the data directory's lock; the message names it."""


class UnsafePath(Exception):
    """A path the server derived would leave its data directory (a symbolic link, or a file
    where a directory belongs). The message names the path relative to the data directory."""


def write_private_json(path: Path, document: dict[str, Any], mode: int = 0o600) -> None:
    """Write ``document`` to ``path`` as JSON, readable by its owner only (mode 600 by default)."""
    path = Path(path)
    # written under a fresh random name that must not exist (O_EXCL) and is never a link
    # (O_NOFOLLOW), with its final mode from the start, then renamed: a planted file or link
    # cannot receive the secrets, a reader never sees a half-written file, and a crash leaves
    # either the old file or the new one
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fchmod(handle.fileno(), mode)  # the umask may have narrowed it further; never widened
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read_json_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or ``None`` if it is missing, unreadable or not an object."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


@dataclass(frozen=True)
class DataDir:
    """Paths inside one data directory (nothing is created until :meth:`create`)."""

    root: Path

    @property
    def state_db(self) -> Path:
        return self.root / "state.sqlite3"

    @property
    def credentials_file(self) -> Path:
        return self.root / CREDENTIALS_FILE

    @property
    def server_file(self) -> Path:
        return self.root / SERVER_FILE

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

    @property
    def instances_root(self) -> Path:
        return self.root / "instances"

    def evs_root(self, project_id: str) -> Path:
        """A project's EVS disks (one directory per instance)."""
        return self.root / "evs" / project_id

    def evs_dir(self, project_id: str, instance_id: str) -> Path:
        """An EVS instance's disk: its working directory, kept on stop, removed on delete."""
        return self.evs_root(project_id) / instance_id

    def obs_root(self, project_id: str) -> Path:
        """A project's emulated OBS buckets: no other project's instance ever sees them."""
        return self.root / "obs" / project_id

    def obs_dir(self, project_id: str, bucket: str, directory: str) -> Path:
        """An emulated OBS bucket directory; it outlives the instances that use it."""
        return self.obs_root(project_id) / bucket / directory.strip("/")

    def runtime_files(self) -> list[Path]:
        """Every ``jpserver-<pid>.json`` a Jupyter server of any instance left in its runtime dir."""
        return sorted((self.root / "instances").glob("*/runtime/jpserver-*.json"))

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    # --- paths that stay inside -------------------------------------------------------------
    #
    # Instances run as the server's own OS user, so a notebook can plant a symbolic link
    # anywhere under the data directory. Every directory the server creates or removes below
    # its root is therefore reached one component at a time through directory descriptors
    # opened with O_NOFOLLOW: a link (or a file) on the way is refused, even one swapped in
    # while the walk runs, and nothing outside the data directory is ever created or removed.

    def relative(self, path: Path) -> str:
        """``path`` as shown to users: relative to the data directory, never absolute."""
        return str(Path(path).relative_to(self.root))

    def _parts(self, path: Path) -> tuple[str, ...]:
        parts = Path(path).relative_to(self.root).parts
        if any(part in ("", ".", "..") for part in parts):
            raise UnsafePath(f"{self.relative(path)} is not a plain path below the data directory")
        return parts

    def _open_dir(self, name: str, parent_fd: int, path: Path) -> int:
        try:
            return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent_fd)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR):
                raise UnsafePath(f"{self.relative(path)} is a symbolic link or a file, not a directory "
                                 "of the data directory") from None
            raise

    def _walk(self, path: Path, create_mode: int | None) -> Path:
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        current = self.root
        try:
            for part in self._parts(path):
                current = current / part
                if create_mode is not None:
                    try:
                        os.mkdir(part, create_mode, dir_fd=fd)
                    except FileExistsError:
                        pass
                child = self._open_dir(part, fd, current)
                os.close(fd)
                fd = child
        finally:
            os.close(fd)
        return Path(path)

    def make_dirs(self, path: Path, mode: int = 0o700) -> Path:
        """Create ``path`` and its missing parents below the root, following no link; returns it."""
        return self._walk(path, create_mode=mode)

    def check_inside(self, path: Path) -> Path:
        """``path`` if it exists and no component below the root is a link; else :class:`UnsafePath`."""
        return self._walk(path, create_mode=None)

    def remove_tree(self, path: Path) -> None:
        """Remove a directory tree below the root. A link in its place is removed itself, never
        followed; a link among its parents refuses the removal (:class:`UnsafePath`)."""
        path = Path(path)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return
        if path.parent != self.root:
            self.check_inside(path.parent)
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            path.unlink()
            return
        # rmtree walks with descriptors and does not follow links inside the tree
        shutil.rmtree(path)

    # --- the single-server lock ---------------------------------------------------------------

    def acquire_lock(self) -> int:
        """Hold ``server.lock`` for as long as the returned descriptor stays open.

        Raises :class:`AlreadyRunning` naming the running server when another process holds it.
        """
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
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

    def write_credentials(self, document: dict[str, Any]) -> None:
        write_private_json(self.credentials_file, document)

    def read_credentials(self) -> dict[str, Any] | None:
        return _read_json_object(self.credentials_file)

    def write_server_file(self, endpoint: str, pid: int, started_at: str) -> None:
        # no secret in it, but private anyway: it only matters to the user who runs the server
        write_private_json(self.server_file, {"endpoint": endpoint, "pid": pid, "started_at": started_at})

    def read_server_file(self) -> dict[str, Any] | None:
        return _read_json_object(self.server_file)

    def remove_server_file(self, pid: int) -> None:
        """Remove ``server.json`` if it is ours (a newer server may have replaced it)."""
        current = self.read_server_file()
        if current is not None and current.get("pid") == pid:
            self.server_file.unlink(missing_ok=True)
