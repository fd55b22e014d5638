"""What the widgets of one kernel share: connection settings, the polling hub, their tasks.

* **One hub per kernel loop and connection.** Every status widget of a kernel subscribes to the
  same :class:`~nb_devenv.notebook.watch.InstanceHub`, so watching 50 instances costs one list request per
  poll, not 50. The hub's client is created on the kernel's loop and used only there.
* **Settings.** ``%config DevEnv.*`` (the magics) writes :data:`defaults`; widgets created from
  Python code read it too, so both paths talk to the same endpoint with the same poll rates.
* **Tasks.** Every task a widget starts (an action, a create, a token fetch) goes through
  :func:`spawn`, which keeps a strong reference (the loop holds only weak ones) so
  :func:`shutdown` can cancel them all when the extension is unloaded.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, Coroutine

from ..settings import ClientSettings, Defaults, defaults, reset_defaults  # noqa: F401 (re-exported)
from nb_devenv.client._client import AsyncDevEnvClient
from ..watch import InstanceHub

__all__ = ["ClientSettings", "Defaults", "defaults", "hub_for", "poke", "spawn", "register", "shutdown",
           "set_poll_intervals", "live_widgets", "reset_defaults"]


# loop id -> (weak ref to the loop, {settings: hub}); a closed loop's hubs are dropped lazily
_HUBS: dict[int, tuple[weakref.ref, dict[ClientSettings, InstanceHub]]] = {}
_TASKS: set[asyncio.Task] = set()
_LIVE: "weakref.WeakSet[Any]" = weakref.WeakSet()


def _loop_hubs(loop: asyncio.AbstractEventLoop) -> dict[ClientSettings, InstanceHub]:
    for key, (ref, _) in list(_HUBS.items()):
        dead = ref()
        if dead is None or dead.is_closed():
            del _HUBS[key]
    entry = _HUBS.get(id(loop))
    if entry is None or entry[0]() is not loop:
        entry = (weakref.ref(loop), {})
        _HUBS[id(loop)] = entry
    return entry[1]


def hub_for(settings: ClientSettings | None = None) -> InstanceHub:
    """The shared hub of the running loop for ``settings`` (default: :data:`defaults`).

    Raises ``RuntimeError`` when no event loop is running (terminal IPython): widgets then show
    a snapshot and say they are not live.
    """
    loop = asyncio.get_running_loop()
    settings = settings or defaults.settings
    hubs = _loop_hubs(loop)
    hub = hubs.get(settings)
    if hub is None:
        client = AsyncDevEnvClient(**settings.client_options())
        hub = InstanceHub(client, fast=defaults.poll_fast, slow=defaults.poll_slow)
        hubs[settings] = hub
    return hub


def all_hubs() -> list[InstanceHub]:
    return [hub for _, hubs in _HUBS.values() for hub in hubs.values()]


def set_poll_intervals(fast: float, slow: float) -> None:
    """New poll intervals for every hub, now and later (``%config DevEnv.poll_interval``)."""
    defaults.poll_fast, defaults.poll_slow = fast, slow
    for hub in all_hubs():
        hub.fast, hub.slow = fast, slow
        hub.poke()


def poke(instance_id: str | None = None) -> None:
    """Poll now (and fast for a while) in every hub that watches ``instance_id`` (any, if None):
    called after a magic changed an instance, so its widgets follow at once."""
    for hub in all_hubs():
        if instance_id is None or instance_id in hub.watched_ids:
            hub.poke()


def spawn(coro: Coroutine, name: str) -> asyncio.Task:
    """A task on the running loop, strongly referenced until it ends (``RuntimeError`` and the
    coroutine closed when no loop runs)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coro.close()
        raise
    task = loop.create_task(coro, name=name)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return task


def register(widget: Any) -> None:
    """Remember a live widget so :func:`shutdown` can close it."""
    _LIVE.add(widget)


def live_widgets() -> list[Any]:
    return list(_LIVE)


def shutdown() -> None:
    """Close every live widget, stop every hub, cancel every task (extension unload)."""
    for widget in list(_LIVE):
        try:
            widget.close()
        except Exception:  # noqa: BLE001 - unloading must go on
            pass
    _LIVE.clear()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for ref, hubs in list(_HUBS.values()):
        loop = ref()
        for hub in hubs.values():
            hub.stop()
            if loop is running and running is not None:
                # close the hub's HTTP connections; a short task that ends on its own
                spawn(hub.client.aclose(), name="nb_devenv-hub-close")
    _HUBS.clear()
    for task in list(_TASKS):
        if task.get_name() != "nb_devenv-hub-close":
            task.cancel()
