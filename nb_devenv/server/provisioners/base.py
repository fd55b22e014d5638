"""What the lifecycle needs from a place that runs Jupyter servers, whatever that place is.

The lifecycle (state machine, timers, persistence) only talks to :class:`Provisioner`, so a
JupyterHub/KubeSpawner-backed provisioner can sit beside :mod:`.local` without touching it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from nb_devenv.contract import Flavor, Profile

from ..store import InstanceRecord

__all__ = ["Provisioner", "ProvisionError", "Started", "JUPYTERLAB_PATH", "NO_RESOURCES", "TIMED_OUT",
           "CRASHED", "BAD_STORAGE"]

#: where an instance's JupyterLab lives on its server: the API's ``url`` points here, and the
#: server's root redirects here, so every link we hand out lands on JupyterLab
JUPYTERLAB_PATH = "/lab"

#: failed_reasons codes (the API documents the field as a String; these are the documented
#: codes closest to each cause)
NO_RESOURCES = "ModelArts.6200"  # the machine cannot run this profile/flavor
TIMED_OUT = "ModelArts.6100"  # the Jupyter server did not answer in time
CRASHED = "ModelArts.6102"  # the Jupyter server exited
BAD_STORAGE = "ModelArts.6336"  # the storage path cannot be used


class ProvisionError(Exception):
    """Why an instance could not be started; becomes the instance's ``failed_reasons``."""

    def __init__(self, code: str, message: str, detail: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail or {}

    def as_api(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


@dataclass(frozen=True)
class Started:
    """A started instance's server: how the provisioner finds it again (``handle``, in the
    provisioner's own format, stored with the instance), its JupyterLab (``url``), and the
    token that opens it when the provisioner issues its own (``None``: the instance's)."""

    handle: str
    url: str
    token: str | None = field(default=None, repr=False)


class Provisioner(ABC):
    """What the lifecycle needs from a place that runs Jupyter servers."""

    @abstractmethod
    def unavailable_reason(self, profile: Profile, flavor: Flavor) -> ProvisionError | None:
        """Why this machine cannot run ``profile`` on ``flavor`` at all (``None`` if it can)."""

    @abstractmethod
    async def start(self, instance: InstanceRecord, on_spawned: Callable[[str], None]) -> Started:
        """Start the instance's Jupyter server and wait until it answers with its token.

        ``on_spawned(handle)`` is called as soon as a server exists, so that it can be found
        again if the nb_devenv server dies during the start. Raises :class:`ProvisionError`,
        after cleaning up, if the server does not become ready.
        """

    @abstractmethod
    async def stop(self, instance: InstanceRecord) -> None:
        """Terminate the instance's server (gracefully, then by force); keep its files."""

    @abstractmethod
    def is_alive(self, instance: InstanceRecord) -> bool:
        """Whether the instance's server still exists (as last seen: see :meth:`refresh`)."""

    @abstractmethod
    async def answers(self, instance: InstanceRecord) -> bool:
        """Whether the instance's server answers ``/api/status`` with the instance's token
        (used to re-adopt instances after a restart without trusting a reused pid)."""

    @abstractmethod
    async def destroy(self, instance: InstanceRecord) -> None:
        """Remove what a deleted instance leaves (EVS disk, runtime files); OBS files stay.
        Raises ``OSError`` if some of it could not go (the next boot tries again)."""

    @abstractmethod
    async def terminate_orphans(self, keep: Iterable[str]) -> list[str]:
        """Terminate instance servers of instances other than ``keep`` (the ids of the instances
        whose server was re-adopted): what a crash or a lost record left running. Returns the
        handles of the servers it terminated."""

    async def refresh(self, instances: Iterable[InstanceRecord]) -> None:
        """Look at the servers of ``instances`` again, before the lifecycle's tick asks
        :meth:`is_alive` about them (a remote provisioner asks its service here, once per
        tick; a local one sees its processes directly)."""

    def ended_reason(self, instance: InstanceRecord) -> str:
        """Why the server of ``instance``, RUNNING until now, is gone (for ``failed_reasons``)."""
        code = self.exit_code(instance)
        how = f" with exit code {code}" if code is not None else ""
        return (f"The Jupyter server of this instance exited unexpectedly{how}; the "
                "instance is now STOPPED. Start it again with the 'start' action.")

    def remove_orphan_files(self, instance_ids: Iterable[str]) -> list[str]:
        """Remove what instances that no longer exist left behind (a delete cut short by a
        crash, say); ``instance_ids`` are every instance that does exist. Returns what went."""
        return []

    def has_gpu(self) -> bool:
        """Whether instances here can use a GPU; without one, GPU flavors are sold out. A place
        that cannot tell says no: a refused create is better than an instance that never starts."""
        return False

    def sold_out(self, flavor: Flavor) -> bool:
        """Whether this place lacks the hardware ``flavor`` needs (the Notebook API's ``sold_out``,
        and ModelArts.6329 for a create or an update that asks for it)."""
        return flavor.hardware == "GPU" and not self.has_gpu()

    def failure_detail(self, instance: InstanceRecord) -> dict[str, str]:
        """Diagnostics for ``failed_reasons.detail`` (a log tail, say)."""
        return {}

    def exit_code(self, instance: InstanceRecord) -> int | None:
        """The exit code of the instance's server if it ended and the code is known."""
        return None
