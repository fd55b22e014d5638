"""The hubs of a kernel: one :class:`InstanceHub` per event loop and connection.

Every status widget of a kernel watches through the same hub (the client's poller, see
:mod:`nb_devenv.client._poller`), so watching 50 instances costs one list request per poll, not
50. The hub's client is created on the kernel's loop and used only there. This module is the
one registry of those hubs: the widgets get theirs from :func:`hub_for`; the magics poke them
after an action, give them new poll intervals on ``%config DevEnv.poll_interval`` and stop
them on unload. It imports no UI, so the magics use it without loading ipywidgets.
"""

from __future__ import annotations

import asyncio
import weakref

from nb_devenv.client._poller import InstanceHub, Subscription

from .settings import ClientSettings

__all__ = ["InstanceHub", "Subscription", "hub_for", "all_hubs", "poke", "set_poll_intervals", "shutdown_hubs"]

# loop id -> (weak ref to the loop, {connection key: hub}); a closed loop's hubs are dropped lazily
_HUBS: dict[int, tuple[weakref.ref[asyncio.AbstractEventLoop], dict[tuple[object, ...], InstanceHub]]] = {}
# the tasks closing hubs' clients on unload (the loop keeps only weak references to tasks)
_CLOSING: set[asyncio.Task[None]] = set()


def _loop_hubs(loop: asyncio.AbstractEventLoop) -> dict[tuple[object, ...], InstanceHub]:
    for key, (ref, _) in list(_HUBS.items()):
        dead = ref()
        if dead is None or dead.is_closed():
            del _HUBS[key]
    entry = _HUBS.get(id(loop))
    if entry is None or entry[0]() is not loop:
        entry = (weakref.ref(loop), {})
        _HUBS[id(loop)] = entry
    return entry[1]


def hub_for(settings: ClientSettings | None = None, api: str | None = None) -> InstanceHub:
    """The running loop's hub for the connection of ``settings`` (default settings if
    ``None``) and ``api`` (default: the settings'), made with its poll intervals the first time.

    Raises ``RuntimeError`` when no event loop is running (terminal IPython): widgets then show
    a snapshot and say they are not live.
    """
    loop = asyncio.get_running_loop()
    settings = settings or ClientSettings()
    hubs = _loop_hubs(loop)
    key = settings.connection_key(api)
    hub = hubs.get(key)
    if hub is None:
        # imported here: the magics import this module, and %load_ext must not load httpx
        from nb_devenv.client import AsyncDevEnvClient

        hub = InstanceHub(AsyncDevEnvClient(**settings.client_options(api)), fast=settings.poll_fast,
                          slow=settings.poll_slow)
        hubs[key] = hub
    return hub


def all_hubs() -> list[InstanceHub]:
    return [hub for _, hubs in _HUBS.values() for hub in hubs.values()]


def set_poll_intervals(fast: float, slow: float) -> None:
    """New poll intervals for every hub of the kernel, from now on (``%config DevEnv.poll_interval``)."""
    for hub in all_hubs():
        hub.fast, hub.slow = fast, slow
        hub.poke()


def poke(instance_id: str | None = None) -> None:
    """Poll now (and fast for a while) in every hub that watches ``instance_id`` (any, if None):
    called after a magic changed an instance, so its widgets follow at once."""
    for hub in all_hubs():
        if instance_id is None or instance_id in hub.watched_ids:
            hub.poke()


def shutdown_hubs() -> None:
    """Stop every hub and forget it; the running loop's hubs close their HTTP connections in a
    short task that ends on its own (extension unload)."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for ref, hubs in list(_HUBS.values()):
        loop = ref()
        for hub in hubs.values():
            hub.stop()
            if running is not None and loop is running:
                task = running.create_task(hub.client.aclose(), name="nb_devenv-hub-close")
                _CLOSING.add(task)
                task.add_done_callback(_CLOSING.discard)
    _HUBS.clear()
