"""Run one coroutine to completion from synchronous code, inside a kernel or not.

A magic is synchronous, but the client is async. Inside ipykernel the cell already runs on the
kernel's event loop, which must not be re-entered (no ``nest_asyncio``, no
``run_until_complete``). So, like ipyparallel's ``AsyncFirst._in_thread``:

* no loop running in this thread (terminal IPython, a script): ``asyncio.run``;
* a loop running (ipykernel, or an async test): run the coroutine on a *private* loop in a
  worker thread and block on a :class:`concurrent.futures.Future`, so the cell gets the result
  or the exception.

The coroutine is created inside the worker thread, and :func:`run_with_client` builds a fresh
:class:`~nb_devenv.client._client.AsyncDevEnvClient` there, because an ``httpx.AsyncClient`` belongs to
the loop it was first used on and must never be shared between loops.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any, Awaitable, Callable, Mapping, TypeVar

from nb_devenv.client._client import AsyncDevEnvClient

__all__ = ["run_sync", "run_with_client"]

T = TypeVar("T")


def _in_thread(factory: Callable[[], Awaitable[T]]) -> T:
    future: concurrent.futures.Future[T] = concurrent.futures.Future()
    handle: dict[str, Any] = {}

    async def _main() -> T:
        handle["loop"] = asyncio.get_running_loop()
        handle["task"] = asyncio.current_task()
        return await factory()

    def _target() -> None:
        try:
            result = asyncio.run(_main())
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread as is
            future.set_exception(error)
        else:
            future.set_result(result)

    worker = threading.Thread(target=_target, name="nb_devenv-run_sync", daemon=True)
    worker.start()
    try:
        return future.result()
    except KeyboardInterrupt:
        # the user interrupted the cell: stop the private loop's work too, then re-raise
        loop, task = handle.get("loop"), handle.get("task")
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)
        raise


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run the coroutine made by ``factory()`` to completion and return its result.

    ``factory`` (a coroutine function taking no argument) is called on the loop that runs it,
    so whatever it creates (clients, locks, tasks) belongs to that loop.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())  # type: ignore[arg-type]
    return _in_thread(factory)


def run_with_client(client_options: Mapping[str, Any], call: Callable[[AsyncDevEnvClient], Awaitable[T]]) -> T:
    """``await call(client)`` with a fresh client built from ``client_options`` (the keyword
    arguments of :class:`~nb_devenv.client._client.AsyncDevEnvClient`), closed afterwards.

    The client connects on its first request, not before: a call refused by the client's own
    checks (broken rules) reaches no server, and starts none."""

    async def _go() -> T:
        client = AsyncDevEnvClient(**client_options)
        try:
            return await call(client)
        finally:
            await client.aclose()

    return run_sync(_go)
