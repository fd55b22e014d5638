"""Warm servers: Jupyter servers started before anyone asks, so that a create is a hand-over.

Starting a Python process and a Jupyter server is nearly all of a create's cost. The pool keeps
``size`` of them ready, each in a fresh ``instances/<uuid>/`` of its own (``work/`` as its
root directory, its own runtime and config directories, its own log) with a fresh token. A start
that fits (an EVS instance of :data:`WARM_PROFILE`) adopts one: the instance takes the server's
process, port, token and home (``InstanceRecord.home``), so its working directory is that
server's ``work/``, empty but for what the instance then writes. The pool refills in the
background. Anything else (an OBS directory, another profile, an empty pool) starts cold.

Warm servers are not instances: no row, no quota, never listed. They live where instances'
server files live, so a server that crashed finds them at its next boot like any orphan
(a runtime file of a process no instance owns; a directory of ``instances/`` no instance names)
and removes them; a server that stops ends them (:meth:`WarmPool.close`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from dataclasses import dataclass, field

from ..data_dir import UnsafePath
from ..store import InstanceRecord
from .base import ProvisionError
from .local import LocalProcessProvisioner

__all__ = ["WarmPool", "WarmServer", "WARM_PROFILE", "DEFAULT_WARM_POOL"]

log = logging.getLogger("nb_devenv.server")

#: the profile warm servers are started for: the CPU Python 3 profile, the one most creates ask for
WARM_PROFILE = "Python3"
#: warm servers kept ready by default (``serve --warm-pool``); each costs a Jupyter server's memory
DEFAULT_WARM_POOL = 1
#: seconds before a failed warm start is tried again (a broken Jupyter must not spin the CPU)
_RETRY_AFTER = 10.0


@dataclass(frozen=True)
class WarmServer:
    """A ready Jupyter server nobody owns yet."""

    home: str
    pid: int
    port: int
    token: str = field(repr=False)


class WarmPool:
    """Keeps ``size`` warm servers of ``provisioner`` ready; :meth:`adopt` hands one over."""

    def __init__(self, provisioner: LocalProcessProvisioner, size: int):
        self.provisioner = provisioner
        self.size = size
        self._ready: list[WarmServer] = []
        self._filling: set[asyncio.Task[None]] = set()
        self._waiting = 0  # creates waiting for a server that is still starting
        self._closed = False

    @property
    def ready(self) -> int:
        """How many warm servers wait for a create now."""
        return len(self._ready)

    def start(self) -> None:
        """Begin filling the pool (in the background, on the running loop)."""
        self._refill()

    def fits(self, instance: InstanceRecord) -> bool:
        """Whether a warm server can become ``instance``: a new instance (a stopped one has its
        files where it left them) of the pool's profile with a disk of its own (an OBS
        directory is a directory the server must be started in)."""
        return (instance.status == "CREATING" and instance.profile_id == WARM_PROFILE
                and instance.storage.category == "EVS" and instance.home is None
                and not self.provisioner.workdir(instance).exists())

    async def adopt(self, instance: InstanceRecord) -> WarmServer | None:
        """A warm server for ``instance`` (taken from the pool, which refills), or ``None``: it
        does not fit, or the pool is empty. A server still starting is waited for by one create
        each (it is ready sooner than a cold start would be); more creates at once start cold,
        side by side, rather than queue for the refills one after the other."""
        if not self.fits(instance):
            return None
        while not self._closed:
            while self._ready:
                server = self._ready.pop(0)
                if self.provisioner.process_alive(server.pid):
                    self._refill()
                    log.info("instance %s adopted warm server %s (pid %d)", instance.id, server.home, server.pid)
                    return server
                log.warning("warm server %s (pid %d) ended by itself; dropping it", server.home, server.pid)
                self._remove_files(server.home)
            if len(self._filling) <= self._waiting:
                break
            self._waiting += 1
            try:
                await asyncio.wait(set(self._filling), return_when=asyncio.FIRST_COMPLETED)
            finally:
                self._waiting -= 1
        self._refill()
        return None

    def _refill(self) -> None:
        while not self._closed and len(self._ready) + len(self._filling) < self.size:
            task = asyncio.get_running_loop().create_task(self._fill_one(), name="nb-devenv warm server")
            self._filling.add(task)
            task.add_done_callback(self._filling.discard)

    async def _fill_one(self) -> None:
        home, token = str(uuid.uuid4()), secrets.token_hex(16)
        process = None
        try:
            workdir = self.provisioner.prepare_home(home, self.provisioner.warm_workdir(home))
            process = self.provisioner.launch(home, workdir, token)
            port = await self.provisioner.wait_ready(home, token, process)
        except asyncio.CancelledError:
            if process is not None:
                await self.provisioner.terminate(process.pid)
            self._remove_files(home)
            raise
        except (ProvisionError, OSError) as error:
            log.warning("a warm server did not start (%s); trying again in %.0f s",
                        getattr(error, "message", error), _RETRY_AFTER)
            if process is not None:
                await self.provisioner.terminate(process.pid)
            self._remove_files(home)
            asyncio.get_running_loop().call_later(_RETRY_AFTER, self._refill)
            return
        self._ready.append(WarmServer(home, process.pid, port, token))

    async def close(self) -> None:
        """End every warm server (ready or starting) and remove its files."""
        self._closed = True
        for task in list(self._filling):
            task.cancel()
        await asyncio.gather(*self._filling, return_exceptions=True)
        ready, self._ready = self._ready, []
        await asyncio.gather(*(self.provisioner.terminate(server.pid) for server in ready))
        for server in ready:
            self._remove_files(server.home)

    def _remove_files(self, home: str) -> None:
        try:
            self.provisioner.layout.remove_tree(self.provisioner.layout.instance_dir(home))
        except (UnsafePath, OSError) as error:
            log.warning("could not remove warm server files %s: %s", home, error)

