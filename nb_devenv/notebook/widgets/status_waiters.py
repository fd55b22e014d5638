"""The futures behind :meth:`InstanceStatusWidget.reached <.status.InstanceStatusWidget.reached>`,
which :func:`~nb_devenv.notebook.widgets.wait` awaits: each is settled by the first snapshot
(or deletion, or close) that decides it, so a wait never polls on its own.
"""

from __future__ import annotations

import asyncio
from typing import Iterable

from nb_devenv.client._exceptions import DevEnvError, InstanceFailedError, NotFoundError
from nb_devenv.client._models import Instance
from nb_devenv.contract import by_code

__all__ = ["Waiters"]


def _gone_error(instance_id: str) -> NotFoundError:
    return NotFoundError(status_code=404, error_code="ModelArts.6309",
                         error_msg=f"{by_code('ModelArts.6309').template} ({instance_id} was deleted)")


class Waiters:
    """Futures waiting for one instance to reach one of some statuses."""

    def __init__(self, instance_id: str) -> None:
        self.instance_id = instance_id
        self._pending: list[tuple[frozenset[str], asyncio.Future[Instance | None]]] = []

    def add(self, statuses: Iterable[str]) -> asyncio.Future[Instance | None]:
        """A new future (on the running loop); :meth:`settle` decides it."""
        future: asyncio.Future[Instance | None] = asyncio.get_running_loop().create_future()
        self._pending.append((frozenset(statuses), future))
        return future

    def settle(self, instance: Instance | None, *, deleted: bool, closed: bool) -> None:
        """Resolve what the latest snapshot decides: the status reached (``"DELETED"`` included),
        a failure, a deletion that was not waited for, or the widget closed. Futures cancelled
        by a timeout are dropped. Any thread (the caller holds the widgets' lock): a future is
        resolved on its own loop."""
        for entry in list(self._pending):
            wanted, future = entry
            result: Instance | None = None
            error: BaseException | None = None
            decided = True
            if future.done():
                pass
            elif deleted:
                if "DELETED" in wanted:
                    result = instance
                else:
                    error = _gone_error(self.instance_id)
            elif closed:
                error = DevEnvError(f"the status widget of {self.instance_id} was closed")
            elif instance is not None and instance.status in wanted:
                result = instance
            elif instance is not None and instance.is_failed:
                error = InstanceFailedError(instance)
            else:
                decided = False
            if decided:
                self._pending.remove(entry)
                if not future.done():
                    _resolve(future, result, error)


def _resolve(future: asyncio.Future[Instance | None], result: Instance | None, error: BaseException | None) -> None:
    """Set ``future`` on its loop: at once from that loop, else through its thread-safe queue."""

    def apply() -> None:
        if future.done():  # cancelled meanwhile (a timeout)
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    loop = future.get_loop()
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        apply()
    elif not loop.is_closed():
        loop.call_soon_threadsafe(apply)
