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
        by a timeout are dropped."""
        for entry in list(self._pending):
            wanted, future = entry
            if not future.done():
                if deleted:
                    if "DELETED" in wanted:
                        future.set_result(instance)
                    else:
                        future.set_exception(_gone_error(self.instance_id))
                elif closed:
                    future.set_exception(DevEnvError(f"the status widget of {self.instance_id} was closed"))
                elif instance is not None and instance.status in wanted:
                    future.set_result(instance)
                elif instance is not None and instance.is_failed:
                    future.set_exception(InstanceFailedError(instance))
            if future.done():
                self._pending.remove(entry)
