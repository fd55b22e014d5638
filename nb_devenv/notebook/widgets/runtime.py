"""What the widgets of one kernel share: their settings, the polling hub, their tasks.

* **One hub per kernel loop and connection**, from :func:`nb_devenv.notebook.watch.hub_for`
  (re-exported here for the widgets): every status widget of a kernel subscribes to the same
  :class:`~nb_devenv.notebook.watch.KernelHub`, which polls and ticks on the kernel's watch
  thread (so the widgets stay live while a cell blocks).
* **Settings** come as an object: the magics pass theirs (:class:`ClientSettings`, kept in step
  with ``%config DevEnv``) to each widget they make; a widget made without settings uses the
  defaults.
* **Tasks.** Every task a widget starts on the kernel's loop (an action, a create, a token fetch) goes through
  :func:`spawn`, which keeps a strong reference (the loop holds only weak ones) so
  :func:`shutdown` can cancel them all when the extension is unloaded.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, Coroutine

from ..settings import ClientSettings
from ..watch import hub_for, poke, shutdown_hubs

__all__ = ["ClientSettings", "hub_for", "poke", "spawn", "register", "shutdown", "live_widgets"]


_TASKS: set[asyncio.Task[Any]] = set()
_LIVE: "weakref.WeakSet[Any]" = weakref.WeakSet()


def spawn(coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
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
    from .snapshot import forget_all  # loaded with the widgets

    forget_all()
    shutdown_hubs()
    for task in list(_TASKS):
        task.cancel()
