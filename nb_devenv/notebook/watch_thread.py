"""The kernel's watch thread: one daemon thread running an event loop of its own.

The kernel's event loop runs the user's cells: while one blocks (``time.sleep``, a CPU loop, a
``--wait``), nothing else on that loop runs. The hubs that poll for the widgets and tick their
countdowns therefore run here instead, so the widgets stay live whatever a cell does.
ipykernel's IOPub socket is thread-safe, so widget state set from this thread reaches the page.

The loop sleeps in its selector until a timer or a request from the kernel thread wakes it: an
idle thread costs no CPU. :meth:`WatchThread.shutdown` runs the given closers (the hubs' HTTP
clients), cancels what is left, closes the loop and lets the thread end (its owner,
:mod:`nb_devenv.notebook.watch`, calls it when nothing is watched any more and at kernel
shutdown), so no task is destroyed pending.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from typing import Any, Awaitable, Callable, Coroutine, Iterable, TypeVar

__all__ = ["WatchThread", "THREAD_NAME"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: the name of the thread (tests and ``threading.enumerate()`` find it by this)
THREAD_NAME = "nb_devenv-watch"

#: seconds :meth:`WatchThread.shutdown` waits for the thread to end when asked to wait
_JOIN_TIMEOUT = 5.0


class WatchThread:
    """A daemon thread and the event loop it runs (started at once)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._stopping

    @property
    def ident(self) -> int | None:
        return self._thread.ident

    def in_thread(self) -> bool:
        """Whether the caller runs on this thread (its loop)."""
        return threading.get_ident() == self._thread.ident

    def call(self, function: Callable[..., Any], *args: Any) -> None:
        """Run ``function(*args)`` soon on the loop, in call order (the loop's FIFO: nothing is
        reordered). Never at once, even from the thread itself: the caller may hold a lock
        that the function's callbacks would take."""
        if self.loop.is_closed():
            return
        try:
            if self.in_thread():
                self.loop.call_soon(function, *args)
            else:
                self.loop.call_soon_threadsafe(function, *args)
        except RuntimeError:  # closed meanwhile: the thread is ending, nothing to poll for
            pass

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coro`` on the loop; its future can be awaited from another loop with
        :func:`asyncio.wrap_future`."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            try:
                self._cancel_all()
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            finally:
                self.loop.close()

    def _cancel_all(self) -> None:
        tasks = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            self.loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))

    async def _finish(self, closers: Iterable[Callable[[], Awaitable[None]]]) -> None:
        for close in closers:
            try:
                await close()
            except Exception:  # noqa: BLE001 - the others must close too
                log.debug("nb_devenv watch thread: a closer failed", exc_info=True)
        self.loop.stop()  # run_forever returns; _run cancels what is left and closes the loop

    def shutdown(self, closers: Iterable[Callable[[], Awaitable[None]]] = (), *, wait: bool = False) -> None:
        """Run ``closers`` (coroutine functions) on the loop, then stop and close it; the
        thread then ends. With ``wait``, block until it has (at most a few seconds)."""
        if self._stopping:
            if wait:
                self.join()
            return
        self._stopping = True
        closers = list(closers)
        if self.in_thread():
            self.loop.create_task(self._finish(closers), name="nb_devenv-watch-finish")
        elif not self.loop.is_closed():
            try:
                self.loop.call_soon_threadsafe(
                    lambda: self.loop.create_task(self._finish(closers), name="nb_devenv-watch-finish"))
            except RuntimeError:  # closed meanwhile
                pass
        if wait:
            self.join()

    def join(self, timeout: float = _JOIN_TIMEOUT) -> None:
        if not self.in_thread():
            self._thread.join(timeout)
