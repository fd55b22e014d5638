"""The one poller: watches any number of instances with one list request per poll.

:meth:`AsyncDevEnvClient.watch <nb_devenv.client._client.AsyncDevEnvClient.watch>` (and so
``wait_until`` and ``nb-devenv watch``/``--wait``) and the notebook's widgets all watch through
an :class:`InstanceHub`. It polls with a single list request for every watched instance (a
details request only for one the list does not show, to tell "deleted" from "elsewhere"), fast
while any of them is in transition or just after a user action, slowly when all are stable
(but just after an auto-stop deadline that falls before the next slow poll);
and it ticks once a second (no request) so countdowns move between polls (with more than
``TICK_BUDGET`` watchers, each in turn, every few seconds). It is an asyncio task
on the running loop: it never blocks it, and it stops when the last subscriber leaves.
UI-free: subscribers get callbacks.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol

from ._defaults import POLL_FAST, POLL_SLOW, TICK, TICK_BUDGET
from ._exceptions import NotFoundError
from ._models import Instance

if TYPE_CHECKING:
    from ._client import AsyncDevEnvClient

__all__ = ["Subscription", "InstanceHub", "Unsubscriber"]

log = logging.getLogger(__name__)

#: polls made fast after a subscription or a poke (a user action), whatever the statuses say
_FAST_AFTER_POKE = 10


def _ignore(*_args: Any) -> None:
    return None


class Unsubscriber(Protocol):
    """What a subscription was made with: an :class:`InstanceHub`, or a front for one that
    polls elsewhere (the notebook's hubs poll on a thread of their own)."""

    def unsubscribe(self, subscription: Subscription) -> None: ...


@dataclass(eq=False)
class Subscription:
    """One watcher's interest in one instance, and what to call when something happens.

    ``on_update(instance)`` gets each new snapshot, ``on_gone()`` is called once the instance is
    deleted (``gone`` then holds the API's answer that said so), ``on_error(exc)`` when a poll
    fails, ``on_tick()`` once a second.
    """

    instance_id: str
    on_update: Callable[[Instance], None]
    on_gone: Callable[[], None] = _ignore
    on_error: Callable[[BaseException], None] = _ignore
    on_tick: Callable[[], None] = _ignore
    hub: Unsubscriber | None = field(default=None, repr=False)
    gone: NotFoundError | None = field(default=None, repr=False)

    def close(self) -> None:
        """Stop receiving updates (idempotent)."""
        if self.hub is not None:
            self.hub.unsubscribe(self)


class InstanceHub:
    """Polls every subscribed instance with one list request per interval.

    Parameters
    ----------
    client
        The client used for polling; it must belong to the loop the hub runs on.
    fast, slow
        Seconds between polls while something is in transition / when everything is stable.
    tick
        Seconds between ``on_tick`` calls (the countdown), made without any request.
    tick_budget
        At most this many ``on_tick`` calls per ``tick``: with more subscribers, each is
        ticked every ⌈n/budget⌉ ticks, in turn (the cost of a notebook kernel's live widgets
        stays bounded).
    """

    def __init__(self, client: AsyncDevEnvClient, *, fast: float = POLL_FAST, slow: float = POLL_SLOW,
                 tick: float = TICK, tick_budget: int = TICK_BUDGET):
        self.client = client
        self.fast, self.slow, self.tick = fast, slow, tick
        self.tick_budget = max(1, tick_budget)
        self._subscriptions: list[Subscription] = []
        self._latest: dict[str, Instance] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._fast_polls_left = 0
        #: requests made by the poll loop, by kind (the benchmark reads these)
        self.requests = {"list": 0, "get": 0}

    # -- subscriptions ------------------------------------------------------------------------------

    def subscribe(self, subscription: Subscription) -> Subscription:
        """Start delivering updates for ``subscription`` (starts the poll task if needed)."""
        subscription.hub = self
        self._subscriptions.append(subscription)
        if subscription.instance_id in self._latest:
            self._deliver(subscription.on_update, self._latest[subscription.instance_id])
        self.poke()
        self._ensure_running()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)
        subscription.hub = None
        if subscription.instance_id not in self.watched_ids:
            self._latest.pop(subscription.instance_id, None)  # a later watcher starts from a fresh poll
        if not self._subscriptions:
            self.stop()

    @property
    def watched_ids(self) -> set[str]:
        return {s.instance_id for s in self._subscriptions}

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def poke(self) -> None:
        """Poll now and keep polling fast for a while (after a user action)."""
        self._fast_polls_left = _FAST_AFTER_POKE
        self._wake.set()

    def _ensure_running(self) -> None:
        if not self.running:
            loop = asyncio.get_running_loop()
            self._task = loop.create_task(self._poll_loop(), name="nb_devenv-hub-poll")
            self._ticker = loop.create_task(self._tick_loop(), name="nb_devenv-hub-tick")

    def stop(self) -> None:
        """Cancel the poll and tick tasks (subscriptions stay; a new subscribe restarts them)."""
        for task in (self._task, self._ticker):
            if task is not None and not task.done():
                task.cancel()
        self._task = self._ticker = None

    async def aclose(self) -> None:
        """Stop, wait for the tasks to finish, and close the client."""
        tasks = [t for t in (self._task, self._ticker) if t is not None]
        self.stop()
        for task in tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        await self.client.aclose()

    def publish(self, instance: Instance) -> None:
        """A snapshot of a watched instance seen elsewhere (a ``--wait`` polling on its own):
        hand it to this instance's subscribers as if a poll had seen it. Each subscriber judges
        whether it is newer than what it shows."""
        if instance.id not in self.watched_ids:
            return
        self._latest[instance.id] = instance
        for sub in self._subscribers(instance.id):
            self._deliver(sub.on_update, instance)

    # -- polling ------------------------------------------------------------------------------------

    @staticmethod
    def _deliver(callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception:  # a broken watcher must not stop the others
            log.exception("nb_devenv watcher callback failed")

    def _subscribers(self, instance_id: str) -> list[Subscription]:
        return [s for s in self._subscriptions if s.instance_id == instance_id]

    async def poll_once(self) -> None:
        """One poll: a list request for all watched instances, a details request only for a
        watched instance the list does not show (to tell "deleted" from "elsewhere")."""
        watched = self.watched_ids
        if not watched:
            return
        self.requests["list"] += 1
        try:
            page = await self.client.list()
        except Exception as error:  # noqa: BLE001 - handed to each watcher, then retried
            for sub in list(self._subscriptions):
                self._deliver(sub.on_error, error)
            return
        seen = {i.id: i for i in page.instances if i.id in watched}
        for missing in watched - set(seen):
            self.requests["get"] += 1
            try:
                seen[missing] = await self.client.get(missing)
            except NotFoundError as gone:
                self._latest.pop(missing, None)
                for sub in self._subscribers(missing):
                    sub.gone = gone
                    self._deliver(sub.on_gone)
                    self.unsubscribe(sub)
            except Exception as error:  # noqa: BLE001
                for sub in self._subscribers(missing):
                    self._deliver(sub.on_error, error)
        for instance_id, instance in seen.items():
            self._latest[instance_id] = instance
            for sub in self._subscribers(instance_id):
                self._deliver(sub.on_update, instance)

    def _interval(self) -> float:
        watched = self.watched_ids
        latest = [i for k, i in self._latest.items() if k in watched]
        busy = any(i.is_transitional for i in latest)
        if busy or self._fast_polls_left > 0 or not watched <= self._latest.keys():
            self._fast_polls_left = max(0, self._fast_polls_left - 1)
            return self.fast
        # an auto-stop deadline due before the next slow poll: look just after it, so watchers
        # see the stop when it happens, not up to ``slow`` seconds later
        due = [left for left in (i.remain_time for i in latest) if left is not None]
        if due:
            return min(self.slow, max(self.fast, min(due) + self.fast))
        return self.slow

    async def _poll_loop(self) -> None:
        while self._subscriptions:
            self._wake.clear()
            await self.poll_once()
            # jitter (only ever longer, so never more than one request per interval): notebooks
            # opened together do not poll in step
            delay = self._interval() * random.uniform(1.0, 1.15)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass

    async def _tick_loop(self) -> None:
        turn = 0
        while self._subscriptions:
            await asyncio.sleep(self.tick)
            subscriptions = list(self._subscriptions)
            every = -(-len(subscriptions) // self.tick_budget)  # ceil: 1 up to the budget
            for index, sub in enumerate(subscriptions):
                if (index + turn) % every == 0:
                    self._deliver(sub.on_tick)
            turn += 1
