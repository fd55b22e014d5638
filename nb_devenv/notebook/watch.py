"""The hubs of a kernel: one per event loop and connection, polling on the watch thread.

Every status widget of a kernel watches through the same hub (the client's poller, see
:mod:`nb_devenv.client._poller`), so watching 50 instances costs one list request per poll, not
50. This module is the one registry of those hubs: the widgets get theirs from :func:`hub_for`;
the magics poke them after an action, hand them what a ``--wait`` saw, give them new poll
intervals on ``%config DevEnv.poll_interval`` and stop them on unload. It imports no UI, so the
magics use it without loading ipywidgets.

Live while a cell blocks
------------------------
A :class:`KernelHub` is what the kernel's code sees; the polling and the ticks run in an
:class:`~nb_devenv.client._poller.InstanceHub` on the kernel's one
:class:`~nb_devenv.notebook.watch_thread.WatchThread`, with an HTTP client of that thread's loop.
So a cell that sleeps, computes or waits does not stop the widgets. The kernel side keeps a
client of its own (``KernelHub.client``) for what runs on the kernel's loop: the buttons'
actions, Open's token, Refresh, the form's Create.

* **Ordering.** Every request to the watch thread (subscribe, unsubscribe, poke, publish) goes
  through its loop's FIFO, in call order; the callbacks of a subscription run on that one thread,
  one at a time, so updates arrive in the order the polls saw them.
* **No interleaving.** Callbacks run holding :data:`ui_lock`; widget code on the kernel thread
  (a click, an action's result, close) holds it too, so a poll never renders half-way through a
  click, and ``hold_sync`` batches are never mixed.
* **The right cell.** Each callback runs in a copy of the context of the cell that subscribed
  (ipykernel keeps the parent message in a ContextVar), as a task on the kernel's loop would.
* **Stopping.** When no hub has a subscriber left, the thread closes the hubs' clients, closes
  its loop and ends; the next subscription starts a new one. :func:`shutdown_hubs` does the same
  on unload, and an ``atexit`` hook at kernel shutdown.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import threading
import weakref
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from nb_devenv.client._models import Instance
from nb_devenv.client._poller import InstanceHub, Subscription

from .settings import ClientSettings
from .watch_thread import THREAD_NAME, WatchThread

if TYPE_CHECKING:
    from nb_devenv.client._client import AsyncDevEnvClient

__all__ = ["Hub", "InstanceHub", "KernelHub", "Subscription", "hub_for", "all_hubs", "poke", "publish",
           "set_poll_intervals", "shutdown_hubs", "ui_lock", "watch_thread", "THREAD_NAME"]

#: held while a hub's callbacks run on the watch thread; kernel-thread code that changes what
#: those callbacks change (widget state) holds it too
ui_lock = threading.RLock()

# guards _HUBS, _THREAD and every KernelHub's subscriptions (never held while a callback runs)
_LOCK = threading.RLock()
# loop id -> (weak ref to the loop, {connection key: hub}); a closed loop's hubs are dropped lazily
_HUBS: dict[int, tuple[weakref.ref[asyncio.AbstractEventLoop], dict[tuple[object, ...], KernelHub]]] = {}
# the tasks closing hubs' clients on unload (the loop keeps only weak references to tasks)
_CLOSING: set[asyncio.Task[None]] = set()
_THREAD: WatchThread | None = None


def watch_thread() -> WatchThread | None:
    """The running watch thread, if any (tests check that it ends)."""
    return _THREAD


def _relay(context: contextvars.Context, callback: Callable[..., None]) -> Callable[..., None]:
    """``callback`` as the watch thread calls it: under :data:`ui_lock`, in (a copy of) the
    subscriber's context. A copy per call: a callback may cause another of the same context."""

    def run(*args: Any) -> None:
        with ui_lock:
            context.copy().run(callback, *args)

    return run


class KernelHub:
    """A kernel's hub for one connection: subscriptions made on the kernel thread, polling and
    ticks on the watch thread (see the module docstring). It offers what the widgets use of an
    :class:`~nb_devenv.client._poller.InstanceHub`."""

    def __init__(self, settings: ClientSettings, api: str | None) -> None:
        # imported here: the magics import this module, and %load_ext must not load httpx
        from nb_devenv.client import AsyncDevEnvClient

        self._options = settings.client_options(api)
        #: the kernel loop's client: the widgets' actions, Open's token, Refresh, Create
        self.client: AsyncDevEnvClient = AsyncDevEnvClient(**self._options)
        self._fast, self._slow = settings.poll_fast, settings.poll_slow
        self._inner: InstanceHub | None = None  # lives on _THREAD's loop
        self._subscriptions: dict[Subscription, Subscription] = {}  # the caller's -> the inner hub's
        self._retired = {"list": 0, "get": 0}  # requests of inner hubs already closed

    # -- what the widgets and the magics use --------------------------------------------------------

    @property
    def fast(self) -> float:
        return self._fast

    @fast.setter
    def fast(self, value: float) -> None:
        self._fast = value
        self._forward(setattr, "fast", value)

    @property
    def slow(self) -> float:
        return self._slow

    @slow.setter
    def slow(self, value: float) -> None:
        self._slow = value
        self._forward(setattr, "slow", value)

    @property
    def requests(self) -> dict[str, int]:
        """Requests made by the poll loop, by kind (the benchmarks read these)."""
        inner = self._inner
        now = dict(inner.requests) if inner is not None else {"list": 0, "get": 0}
        return {kind: self._retired[kind] + now.get(kind, 0) for kind in self._retired}

    @property
    def watched_ids(self) -> set[str]:
        with _LOCK:
            return {s.instance_id for s in self._subscriptions}

    @property
    def running(self) -> bool:
        """Polling for someone (on the watch thread)."""
        with _LOCK:
            return self._inner is not None and bool(self._subscriptions)

    def subscribe(self, subscription: Subscription) -> Subscription:
        """Deliver ``subscription``'s callbacks from the watch thread (started if needed)."""
        context = contextvars.copy_context()
        inner = Subscription(subscription.instance_id, on_update=_relay(context, subscription.on_update),
                             on_gone=_relay(context, self._gone_relay(subscription)),
                             on_error=_relay(context, subscription.on_error),
                             on_tick=_relay(context, subscription.on_tick))
        with _LOCK:
            hub, thread = self._ensure_inner()
            subscription.hub = self
            self._subscriptions[subscription] = inner
            thread.call(hub.subscribe, inner)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with _LOCK:
            inner = self._subscriptions.pop(subscription, None)
            subscription.hub = None
            if inner is not None and self._inner is not None and _THREAD is not None:
                _THREAD.call(self._inner.unsubscribe, inner)
        _stop_thread_if_idle()

    def poke(self) -> None:
        """Poll now and keep polling fast for a while (after a user action)."""
        self._forward(lambda hub: hub.poke())

    def publish(self, instance: Instance) -> None:
        """Hand a snapshot seen elsewhere (a ``--wait``) to this instance's subscribers."""
        if instance.id in self.watched_ids:
            self._forward(lambda hub: hub.publish(instance))

    async def poll_once(self) -> None:
        """One poll now, on the watch thread (awaited from the caller's loop)."""
        with _LOCK:
            hub, thread = self._ensure_inner()
            future = thread.submit(hub.poll_once())
        try:
            await asyncio.wrap_future(future)
        finally:
            _stop_thread_if_idle()

    def stop(self) -> None:
        """Forget every subscription (their callbacks are not called any more)."""
        with _LOCK:
            for subscription in list(self._subscriptions):
                subscription.hub = None
            self._subscriptions.clear()
            if self._inner is not None and _THREAD is not None:
                inner = self._inner
                _THREAD.call(inner.stop)
        _stop_thread_if_idle()

    async def aclose(self) -> None:
        """Stop, then close the kernel loop's client (the inner hub closes with the thread)."""
        self.stop()
        await self.client.aclose()

    # -- inside -------------------------------------------------------------------------------------

    def _gone_relay(self, subscription: Subscription) -> Callable[[], None]:
        def gone() -> None:
            inner = self._subscriptions.get(subscription)
            subscription.gone = inner.gone if inner is not None else None
            with _LOCK:
                self._subscriptions.pop(subscription, None)  # the inner hub dropped its own
                subscription.hub = None
            subscription.on_gone()
            _stop_thread_if_idle()

        return gone

    def _forward(self, call: Callable[..., Any], *args: Any) -> None:
        """``call(inner_hub, *args)`` on the watch thread, if this hub polls now."""
        with _LOCK:
            if self._inner is not None and _THREAD is not None:
                _THREAD.call(call, self._inner, *args)

    def _ensure_inner(self) -> tuple[InstanceHub, WatchThread]:
        """The inner hub and its thread, made if needed (called holding _LOCK)."""
        global _THREAD
        if _THREAD is None:
            _THREAD = WatchThread()
        if self._inner is None:
            from nb_devenv.client import AsyncDevEnvClient

            self._inner = InstanceHub(AsyncDevEnvClient(**self._options), fast=self._fast, slow=self._slow)
        return self._inner, _THREAD

    def _retire(self) -> Callable[[], Awaitable[None]] | None:
        """Detach the inner hub (its thread is stopping); its closer (called holding _LOCK)."""
        inner, self._inner = self._inner, None
        if inner is None:
            return None
        for kind in self._retired:
            self._retired[kind] += inner.requests.get(kind, 0)
        return inner.aclose


#: what a widget may be given to watch through: the kernel's (polls on the watch thread), or an
#: InstanceHub of the caller's loop (tests, embedding)
Hub = InstanceHub | KernelHub


def _stop_thread_if_idle() -> None:
    """End the watch thread when no hub has a subscriber left."""
    global _THREAD
    with _LOCK:
        thread = _THREAD
        if thread is None or any(hub._subscriptions for hub in all_hubs()):
            return
        _THREAD = None
        closers = [c for c in (hub._retire() for hub in all_hubs()) if c is not None]
    thread.shutdown(closers)


def _loop_hubs(loop: asyncio.AbstractEventLoop) -> dict[tuple[object, ...], KernelHub]:
    for key, (ref, _) in list(_HUBS.items()):
        dead = ref()
        if dead is None or dead.is_closed():
            del _HUBS[key]
    entry = _HUBS.get(id(loop))
    if entry is None or entry[0]() is not loop:
        entry = (weakref.ref(loop), {})
        _HUBS[id(loop)] = entry
    return entry[1]


def hub_for(settings: ClientSettings | None = None, api: str | None = None) -> KernelHub:
    """The running loop's hub for the connection of ``settings`` (default settings if
    ``None``) and ``api`` (default: the settings'), made with its poll intervals the first time.

    Raises ``RuntimeError`` when no event loop is running (terminal IPython): widgets then show
    a snapshot and say they are not live.
    """
    loop = asyncio.get_running_loop()
    settings = settings or ClientSettings()
    with _LOCK:
        hubs = _loop_hubs(loop)
        key = settings.connection_key(api)
        hub = hubs.get(key)
        if hub is None:
            hub = hubs[key] = KernelHub(settings, api)
        return hub


def all_hubs() -> list[KernelHub]:
    with _LOCK:
        return [hub for _, hubs in _HUBS.values() for hub in hubs.values()]


def set_poll_intervals(fast: float, slow: float) -> None:
    """New poll intervals for every hub of the kernel, from now on (``%config DevEnv.poll_interval``)."""
    for hub in all_hubs():
        hub.fast, hub.slow = fast, slow
        hub.poke()


def poke(instance_id: str | None = None) -> None:
    """Poll now (and fast for a while) in every hub that watches ``instance_id`` (any, if None):
    called after a magic changed an instance, so its widgets follow at once. Any thread."""
    for hub in all_hubs():
        if instance_id is None or instance_id in hub.watched_ids:
            hub.poke()


def publish(instance: Instance) -> None:
    """Hand a snapshot a ``--wait`` saw to the widgets watching its instance (any thread), so
    they show each state it passes through."""
    for hub in all_hubs():
        hub.publish(instance)


def shutdown_hubs(*, wait: bool = False) -> None:
    """Stop every hub and forget it, and end the watch thread (``wait``: until it has ended);
    the running loop's hubs close their HTTP clients in a short task that ends on its own
    (extension unload)."""
    global _THREAD
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    with _LOCK:
        entries = list(_HUBS.values())
        _HUBS.clear()
        for ref, hubs in entries:
            for hub in hubs.values():
                for subscription in hub._subscriptions:
                    subscription.hub = None
                hub._subscriptions.clear()
        thread, _THREAD = _THREAD, None
        closers = [c for c in (hub._retire() for _, hubs in entries for hub in hubs.values()) if c is not None]
    if thread is not None:
        thread.shutdown(closers, wait=wait)
    for ref, hubs in entries:
        if running is not None and ref() is running:
            for hub in hubs.values():
                task = running.create_task(hub.client.aclose(), name="nb_devenv-hub-close")
                _CLOSING.add(task)
                task.add_done_callback(_CLOSING.discard)


def _at_exit() -> None:
    """Kernel shutdown: end the watch thread cleanly (its clients closed, no task pending)."""
    shutdown_hubs(wait=True)


atexit.register(_at_exit)
