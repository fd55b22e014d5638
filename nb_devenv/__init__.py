"""nb_devenv — create and watch ModelArts development environment instances from Jupyter.

``%load_ext nb_devenv`` adds the ``%devenv`` / ``%%devenv`` magics; :class:`AsyncDevEnvClient`
is the Python API. With no endpoint configured, both use the embedded local server, which
speaks the same DevEnviron API and runs each instance as a real local Jupyter server.

The package is layered (see ``docs/architecture.md``): ``contract`` (the API's rules, no I/O)
and ``core`` (signing, clock, redaction, paths) at the bottom; ``client`` on them; ``notebook``
(widgets, magics) on the client; ``server`` beside the client, on ``contract`` and ``core``
only; ``cli`` on top. This module re-exports the public surface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import client as _client  # cheap: the client's own names load on first use
from ._version import __version__
from .core.lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers see: the real classes (at run time they load lazily)
    from .client import *  # noqa: F403 - exactly the names of nb_devenv.client.__all__

__all__ = ["__version__", "load_ipython_extension", "unload_ipython_extension"]
__all__ += _client.__all__

# Public names are imported on first use (PEP 562). The local server and every instance it
# starts run as ``python -m nb_devenv.server...``, which imports this package first; they must
# not load the client (httpx) they do not use. ``from nb_devenv import X`` works as usual.
__getattr__, __dir__ = lazy_exports(__name__, {name: "client" for name in _client.__all__}, globals())


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nb_devenv``: register the magics (imported only here, so that the client
    stays usable without IPython)."""
    from .notebook.magics import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext nb_devenv``: cancel every watcher task and drop the magics."""
    from .notebook.magics import unload_ipython_extension as _unload

    _unload(ipython)
