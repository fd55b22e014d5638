"""The local provisioner: each instance is a real Jupyter server process on 127.0.0.1.

Each runs in its own session (instances outlive the server and the kernel that created them),
from an allow-listed environment, with a per-instance token passed through the environment,
never on the command line, in its project's own part of the data directory.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from nb_devenv.contract import Flavor, Profile, parse_obs_path
from nb_devenv.core import redaction

from ..data_dir import DataDir, UnsafePath
from ..store import InstanceRecord
from .base import (
    BAD_STORAGE,
    CRASHED,
    JUPYTERLAB_PATH,
    NO_RESOURCES,
    TIMED_OUT,
    Provisioner,
    ProvisionError,
    Started,
)

__all__ = ["LocalProcessProvisioner", "LAUNCHER_MODULE", "instance_environment", "has_gpu", "local_handle",
           "parse_local_handle", "local_url"]

log = logging.getLogger("nb_devenv.server")

LAUNCHER_MODULE = "nb_devenv.server.jupyter_launcher"

#: what an instance's Jupyter server inherits from the server's environment: what Python,
#: Jupyter, locales and TLS need, never credentials (HUAWEICLOUD_SDK_*, NB_DEVENV_TOKEN, cloud
#: keys, ...). Proxies are passed only when they carry no user:password.
_INHERITED = frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TERM", "TMPDIR",
    "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "PYTHONPATH", "LD_LIBRARY_PATH",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES",
})
_PROXIES = frozenset({"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY"})
#: instance ids as this server makes them (the old API's ``DE-<uuid>``, or a bare UUID)
_INSTANCE_ID = re.compile(r"(DE-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def instance_environment(environ: dict[str, str]) -> dict[str, str]:
    """The allow-listed part of ``environ`` that an instance starts with."""
    kept = {}
    for key, value in environ.items():
        if key in _INHERITED or key.startswith("LC_"):
            kept[key] = value
        elif key.upper() in _PROXIES and "@" not in value:
            kept[key] = value
    return kept


# --- handles: ``"<pid>"`` once the process exists, ``"<pid>:<port>"`` once it answers -------------

def local_handle(pid: int, port: int | None = None) -> str:
    return str(pid) if port is None else f"{pid}:{port}"


def parse_local_handle(handle: str | None) -> tuple[int | None, int | None]:
    """``(pid, port)`` of a handle (``None`` for what it does not hold, or cannot be read)."""
    if not handle:
        return None, None
    pid, _, port = handle.partition(":")
    try:
        return int(pid), int(port) if port else None
    except ValueError:
        return None, None


def local_url(port: int) -> str:
    """The JupyterLab of the instance server listening on ``port``."""
    return f"http://127.0.0.1:{port}{JUPYTERLAB_PATH}"


# --- processes ------------------------------------------------------------------------------

def _cmdline(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return ""


def _pid_exists(pid: int) -> bool:
    """True for a live process; false for none and for a zombie (dead, waiting to be reaped by
    a parent that may never do it, e.g. a container's init after the server restarted)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True


def _is_launcher(pid: int) -> bool:
    """Whether ``pid`` is one of our instance servers (guards every kill against pid reuse)."""
    if not _pid_exists(pid):
        return False
    cmdline = _cmdline(pid)
    if cmdline is None:
        return False
    if cmdline == "" and not Path("/proc").is_dir():  # no procfs: trust the recorded pid
        return True
    return LAUNCHER_MODULE in cmdline


def _signal_group(pid: int, sig: int) -> None:
    # each instance leads its own session and process group (start_new_session=True)
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _tail(path: Path, lines: int = 25, max_bytes: int = 16384) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            text = handle.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def has_gpu() -> bool:
    return Path("/dev/nvidia0").exists() or shutil.which("nvidia-smi") is not None


class LocalProcessProvisioner(Provisioner):
    """Each instance is ``python -m nb_devenv.server.jupyter_launcher`` in its own session.

    Parameters
    ----------
    layout
        The data directory (working dirs, runtime dirs, logs).
    start_timeout
        Seconds a Jupyter server gets to answer ``/api/status``.
    stop_grace
        Seconds between SIGTERM and SIGKILL.
    """

    poll_interval = 0.05

    def __init__(self, layout: DataDir, start_timeout: float = 60.0, stop_grace: float = 5.0):
        self.layout = layout
        self.start_timeout = start_timeout
        self.stop_grace = stop_grace
        # processes we spawned, so that we can reap them (waitpid) instead of leaving zombies
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._exit_codes: dict[int, int] = {}  # of children that ended, until reported
        self._has_gpu: bool | None = None  # looked up once: flavor lists ask on every request

    # --- what this machine can run -------------------------------------------------------------

    def has_gpu(self) -> bool:
        if self._has_gpu is None:
            self._has_gpu = has_gpu()
        return self._has_gpu

    def unavailable_reason(self, profile: Profile, flavor: Flavor) -> ProvisionError | None:
        if profile.python_major != 3:
            return ProvisionError(
                NO_RESOURCES,
                f"Python {profile.python_major} is not available on this machine: the local server "
                f"runs instances with Python {sys.version_info.major}.{sys.version_info.minor}. "
                f"Create the instance with a Python 3 profile (e.g. Python3) instead.",
                {"profile": profile.id},
            )
        if "GPU" in (profile.hardware, flavor.hardware) and not self.has_gpu():
            return ProvisionError(
                NO_RESOURCES,
                f"This machine has no GPU (no /dev/nvidia0 and no nvidia-smi), so profile {profile.id} "
                f"on flavor {flavor.name} cannot run here. Use a CPU profile and flavor "
                f"(e.g. Python3 on modelarts.vm.cpu.2u).",
                {"profile": profile.id, "flavor": flavor.name},
            )
        return None

    # --- storage -----------------------------------------------------------------------------

    def workdir(self, instance: InstanceRecord) -> Path:
        """The instance's working directory, in its own project's part of the data directory."""
        if instance.storage.obs_path is not None:
            bucket, directory = parse_obs_path(instance.storage.obs_path)
            return self.layout.obs_dir(instance.project_id, bucket, directory)
        return self.layout.evs_dir(instance.project_id, instance.id)

    def prepare_storage(self, instance: InstanceRecord) -> Path:
        workdir = self.workdir(instance)
        try:
            self.layout.make_dirs(workdir, mode=0o755)
            self.layout.make_dirs(self.layout.runtime_dir(instance.id))
            self.layout.make_dirs(self.layout.config_dir(instance.id))
        except UnsafePath as error:
            raise ProvisionError(BAD_STORAGE, f"The instance's storage cannot be used: {error}. The local "
                                              "server only works in plain directories of its data directory.",
                                 {}) from None
        except OSError as error:
            raise ProvisionError(NO_RESOURCES, "The local server could not create the instance's storage: "
                                               f"{error.strerror or 'input/output error'}.", {}) from None
        return workdir

    # --- start -------------------------------------------------------------------------------

    def _command(self, workdir: Path) -> list[str]:
        command = [sys.executable, "-m", LAUNCHER_MODULE, "--no-browser", "--ip=127.0.0.1", "--port=0",
                   "--ServerApp.port_retries=0", f"--ServerApp.root_dir={workdir}",
                   f"--ServerApp.default_url={JUPYTERLAB_PATH}"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        return command

    def _environment(self, instance: InstanceRecord) -> dict[str, str]:
        env = instance_environment(dict(os.environ))
        env["JUPYTER_TOKEN"] = instance.jupyter_token
        # the kernels of the server's own environment first (a user-level python3 kernelspec,
        # e.g. of a conda base, must not replace the Python the profile promises)
        env["JUPYTER_PREFER_ENV_PATH"] = "1"
        env["JUPYTER_RUNTIME_DIR"] = str(self.layout.runtime_dir(instance.id))
        env["JUPYTER_CONFIG_DIR"] = str(self.layout.config_dir(instance.id))
        return env

    async def start(self, instance: InstanceRecord, on_spawned: Callable[[str], None]) -> Started:
        workdir = self.prepare_storage(instance)
        runtime = self.layout.runtime_dir(instance.id)
        for stale in runtime.glob("jpserver-*"):
            stale.unlink(missing_ok=True)
        log_path = self.layout.jupyter_log(instance.id)
        try:
            log_fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as error:
            raise ProvisionError(BAD_STORAGE, f"The instance's log file {self.layout.relative(log_path)} cannot "
                                              f"be written: {error.strerror}.", {}) from None
        with os.fdopen(log_fd, "ab") as log_file:
            log_file.write(f"--- nb-devenv: starting at {time.strftime('%Y-%m-%d %H:%M:%S')} ---\n".encode())
            log_file.flush()
            process = subprocess.Popen(
                self._command(workdir), cwd=workdir, env=self._environment(instance),
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True, close_fds=True,
            )
        self._children[process.pid] = process
        on_spawned(local_handle(process.pid))
        try:
            port = await self._wait_ready(instance, process, runtime / f"jpserver-{process.pid}.json")
        except asyncio.CancelledError:
            # the server is shutting down: the pid is recorded, the next boot's reconcile
            # terminates this half-started process and starts the instance again
            raise
        except BaseException:
            await self._terminate(process.pid)
            raise
        return Started(handle=local_handle(process.pid, port), url=local_url(port))

    async def _wait_ready(self, instance: InstanceRecord, process: subprocess.Popen[bytes], runtime_file: Path) -> int:
        deadline = time.monotonic() + self.start_timeout
        port: int | None = None
        while True:
            code = process.poll()
            if code is not None:
                raise ProvisionError(
                    CRASHED, f"The Jupyter server of this instance exited during start (exit code {code}).",
                    self.failure_detail(instance))
            if port is None:
                port = self._read_port(runtime_file)
            if port is not None and await self._status_ok(port, instance.jupyter_token):
                return port
            if time.monotonic() >= deadline:
                raise ProvisionError(
                    TIMED_OUT,
                    f"The Jupyter server of this instance did not become ready within "
                    f"{self.start_timeout:g} s (see --start-timeout).",
                    self.failure_detail(instance))
            await asyncio.sleep(self.poll_interval)

    @staticmethod
    def _read_port(runtime_file: Path) -> int | None:
        try:
            return int(json.loads(runtime_file.read_text())["port"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # not written yet, or half-written

    @staticmethod
    async def _status_ok(port: int, token: str, timeout: float = 2.0) -> bool:
        request = HTTPRequest(f"http://127.0.0.1:{port}/api/status",
                              headers={"Authorization": f"token {token}"},
                              connect_timeout=timeout, request_timeout=timeout)
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError:
            return False
        return response.code == 200

    # --- stop --------------------------------------------------------------------------------

    def _alive(self, pid: int) -> bool:
        child = self._children.get(pid)
        if child is not None:
            code = child.poll()
            if code is None:
                return True
            self._children.pop(pid, None)
            self._exit_codes[pid] = code
            return False
        return _pid_exists(pid)

    async def _wait_gone(self, pid: int, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self._alive(pid):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(self.poll_interval)
        return True

    async def _terminate(self, pid: int) -> None:
        """SIGTERM to the process group (Jupyter then shuts its kernels down), SIGKILL if it lingers."""
        child = self._children.get(pid)
        if child is not None:
            if child.poll() is not None:  # already exited (and now reaped)
                self._children.pop(pid, None)
                return
        elif not _is_launcher(pid):
            return
        _signal_group(pid, signal.SIGTERM)
        if not await self._wait_gone(pid, self.stop_grace):
            log.warning("instance server pid %s ignored SIGTERM for %.0f s; killing it", pid, self.stop_grace)
            _signal_group(pid, signal.SIGKILL)
            await self._wait_gone(pid, 2.0)
        self._children.pop(pid, None)
        self._exit_codes.pop(pid, None)  # an asked-for stop is not worth reporting

    async def stop(self, instance: InstanceRecord) -> None:
        pid, _ = parse_local_handle(instance.handle)
        if pid is not None:
            await self._terminate(pid)

    def is_alive(self, instance: InstanceRecord) -> bool:
        pid, _ = parse_local_handle(instance.handle)
        if pid is None:
            return False
        if pid in self._children:
            return self._alive(pid)
        return _is_launcher(pid)

    async def answers(self, instance: InstanceRecord) -> bool:
        _, port = parse_local_handle(instance.handle)
        if port is None or not self.is_alive(instance):
            return False
        return await self._status_ok(port, instance.jupyter_token)

    def exit_code(self, instance: InstanceRecord) -> int | None:
        pid, _ = parse_local_handle(instance.handle)
        return None if pid is None else self._exit_codes.pop(pid, None)

    def ended_reason(self, instance: InstanceRecord) -> str:
        pid, _ = parse_local_handle(instance.handle)
        code = self.exit_code(instance)
        how = f" with exit code {code}" if code is not None else ""
        return (f"The Jupyter server of this instance (pid {pid}) exited unexpectedly{how}; the instance is "
                "now STOPPED. Start it again with the 'start' action.")

    # --- delete and clean-up -------------------------------------------------------------------

    async def destroy(self, instance: InstanceRecord) -> None:
        # a big working directory takes a while to remove: not on the event loop
        await asyncio.get_running_loop().run_in_executor(None, self._remove_files, instance)

    def _remove_files(self, instance: InstanceRecord) -> None:
        doomed = [self.layout.instance_dir(instance.id)]
        if instance.storage.category == "EVS":
            doomed.append(self.layout.evs_dir(instance.project_id, instance.id))
        for path in doomed:
            try:
                self.layout.remove_tree(path)
            except UnsafePath as error:
                log.warning("instance %s: not removing %s: %s", instance.id, self.layout.relative(path), error)

    def remove_orphan_files(self, instance_ids: Iterable[str]) -> list[str]:
        known = set(instance_ids)
        candidates = list(self._children_of(self.layout.instances_root))
        evs = self.layout.root / "evs"
        for project_dir in self._children_of(evs):
            candidates += self._children_of(project_dir)
        removed = []
        for path in candidates:
            if _INSTANCE_ID.fullmatch(path.name) and path.name not in known:
                try:
                    self.layout.remove_tree(path)
                except (UnsafePath, OSError) as error:
                    log.warning("not removing %s: %s", self.layout.relative(path), error)
                    continue
                removed.append(self.layout.relative(path))
        return removed

    @staticmethod
    def _children_of(directory: Path) -> list[Path]:
        # only real directories: a link here is never followed (remove_tree refuses it later)
        try:
            return [entry for entry in directory.iterdir() if entry.is_dir() and not entry.is_symlink()]
        except (FileNotFoundError, NotADirectoryError):
            return []

    async def terminate_orphans(self, keep: Iterable[str]) -> list[str]:
        # a server writes its runtime file in its own instance's runtime dir
        # (instances/<id>/runtime/jpserver-<pid>.json): that says whose it is
        kept = set(keep)
        orphans = []
        for runtime_file in self.layout.runtime_files():
            try:
                pid = int(runtime_file.stem.split("-", 1)[1])
            except (IndexError, ValueError):
                continue
            if runtime_file.parent.parent.name in kept and _is_launcher(pid):
                continue
            if _is_launcher(pid):
                orphans.append(pid)
            else:
                runtime_file.unlink(missing_ok=True)  # left by a server that was killed
        await asyncio.gather(*(self._terminate(pid) for pid in orphans))
        return [local_handle(pid) for pid in orphans]

    def failure_detail(self, instance: InstanceRecord) -> dict[str, str]:
        log_path = self.layout.jupyter_log(instance.id)
        # jupyter_server masks an environment-supplied token itself; mask it again to be sure
        tail = redaction.redact(_tail(log_path), [instance.jupyter_token])
        return {"log_path": self.layout.relative(log_path), "log_tail": self._without_server_paths(tail)}

    def _without_server_paths(self, text: str) -> str:
        """``text`` with the server's own directories named, not spelled out: answers go to
        every project, and where the server keeps its files is none of theirs."""
        places = {str(self.layout.root): "<data-dir>", sys.prefix: "<python>", sys.base_prefix: "<python>",
                  str(Path.home()): "~"}
        for place in sorted(places, key=len, reverse=True):
            if len(place) > 1:
                text = text.replace(place, places[place])
        return text
