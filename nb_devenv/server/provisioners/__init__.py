"""Where instances really run: the interface (:mod:`.base`) and its implementations
(:mod:`.local`: local processes; a JupyterHub one comes beside it)."""

from .base import JUPYTERLAB_PATH, Provisioner, ProvisionError, Started
from .local import LAUNCHER_MODULE, LocalProcessProvisioner

__all__ = ["Provisioner", "ProvisionError", "Started", "JUPYTERLAB_PATH", "LocalProcessProvisioner", "LAUNCHER_MODULE"]
