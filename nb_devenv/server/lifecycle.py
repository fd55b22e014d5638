"""The instance state machine: background start/stop work, the auto-stop timer, boot-time reconcile.

API calls only flip an instance into a transitional status (CREATING, STARTING, RESTARTING,
STOPPING) and hand the slow part to an asyncio task, so the event loop never waits for a Jupyter
server and many instances can start at once. SQLite is the single source of truth: every step
is written there first, so a server that dies at any moment finds, at its next boot, enough to
re-adopt live instances, finish or redo interrupted transitions, and terminate orphans.

Time: deadlines use the *lifecycle clock*, the wall clock plus an offset persisted in SQLite
that ``POST /_emulator/clock`` moves forward, so tests and tutorials reach an hour-long
auto-stop without waiting. Authentication never uses this clock.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Awaitable, Callable, Coroutine

from nb_devenv.contract import FLAVORS, PROFILES
from nb_devenv.core.clock import SystemClock

from .crash_points import crash_point
from .provisioners.base import CRASHED, Provisioner, ProvisionError
from .store import InstanceRecord, Store

__all__ = ["Lifecycle", "load_clock", "CLOCK_LIMIT_MS", "CLOCK_LIMIT_TEXT"]

log = logging.getLogger("nb_devenv.server")

_CLOCK_OFFSET_KEY = "clock_offset_ms"

#: where a failed bring-up leaves the instance, by the status it was brought up from
_FAILURE_STATUS = {"CREATING": "CREATE_FAILED", "STARTING": "START_FAILED", "RESTARTING": "START_FAILED"}


#: the lifecycle clock never passes this moment, so that every date the server derives from it
#: (``Date`` headers, deadlines up to days ahead, years in log lines) stays representable
CLOCK_LIMIT_MS = 253_370_764_800_000  # 9999-01-01T00:00:00Z
CLOCK_LIMIT_TEXT = "9999-01-01T00:00:00Z"


def load_clock(store: Store) -> SystemClock:
    """The lifecycle clock: wall time plus the persisted offset.

    An offset that cannot be right (not an integer, negative, or past :data:`CLOCK_LIMIT_MS`, as
    an older version could store) is dropped, so that no stored value can keep the server from
    answering.
    """
    raw = store.get_meta(_CLOCK_OFFSET_KEY) or "0"
    try:
        offset = int(raw)
    except ValueError:
        offset = -1
    if not 0 <= offset <= CLOCK_LIMIT_MS - SystemClock().now_ms():
        log.warning("ignoring the stored lifecycle clock offset %r (out of range); the clock is reset "
                    "to the wall clock", raw[:40])
        offset = 0
        store.set_meta(_CLOCK_OFFSET_KEY, "0")
    return SystemClock(offset)


class Lifecycle:
    """Drives instances between statuses with real processes behind them.

    Parameters
    ----------
    store
        The state database.
    provisioner
        Runs the Jupyter servers.
    clock
        The lifecycle clock (see :func:`load_clock`).
    tick
        Seconds between two checks for auto-stop deadlines and dead processes.
    """

    def __init__(self, store: Store, provisioner: Provisioner, clock: SystemClock, tick: float = 0.5):
        self.store = store
        self.provisioner = provisioner
        self.clock = clock
        self.tick = tick
        # strong references: a task that nobody holds can be garbage-collected mid-flight
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._scheduler: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()  # bound to a loop only when first awaited

    # --- small helpers -------------------------------------------------------------------------

    def busy(self, instance_id: str) -> bool:
        """Whether a start/stop is in progress for the instance."""
        return instance_id in self._tasks

    def _set(self, instance_id: str, status: str | None = None, **changes: Any) -> InstanceRecord | None:
        if status is not None:
            changes["status"] = status
        return self.store.update_instance(instance_id, updated_ms=self.clock.now_ms(), **changes)

    def _set_held(self, record: InstanceRecord, status: str, **changes: Any) -> InstanceRecord:
        """``_set`` for an instance a request holds: it cannot vanish meanwhile (a delete first
        marks it DELETED, on this same loop)."""
        updated = self._set(record.id, status, **changes)
        if updated is None:
            raise LookupError(f"instance {record.id} vanished while a request held it")
        return updated

    def _spawn(self, instance_id: str, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        task = asyncio.get_running_loop().create_task(work(), name=f"nb-devenv {instance_id}")
        self._tasks[instance_id] = task

        def finished(done: asyncio.Task[None]) -> None:
            if self._tasks.get(instance_id) is done:
                del self._tasks[instance_id]
            if not done.cancelled() and done.exception() is not None:
                log.error("background work for %s failed", instance_id, exc_info=done.exception())

        task.add_done_callback(finished)

    def wake(self) -> None:
        """Run the next scheduler check now (after the clock moved or a deadline changed)."""
        self._wake.set()

    def clock_room_seconds(self) -> float:
        """How far the lifecycle clock may still be moved forward."""
        return max(0.0, (CLOCK_LIMIT_MS - self.clock.now_ms()) / 1000 - 1)

    def advance_clock(self, seconds: float) -> None:
        """Move the lifecycle clock forward (persisted) and check deadlines at once."""
        self.clock.offset_ms += int(round(seconds * 1000))
        self.store.set_meta(_CLOCK_OFFSET_KEY, str(self.clock.offset_ms))
        self.wake()

    def deadline_for(self, record: InstanceRecord) -> int | None:
        """``stop_timestamp`` for a start happening now, from the instance's auto-stop setting."""
        return None if record.run_ms is None else self.clock.now_ms() + record.run_ms

    # --- transitions requested by the API (fast; the slow part runs in a task) -----------------------

    def begin_create(self, record: InstanceRecord) -> None:
        """``record`` is stored as CREATING; storage, then process, then RUNNING."""
        self._spawn(record.id, lambda: self._bring_up(record.id))

    def begin_start(self, record: InstanceRecord) -> InstanceRecord:
        updated = self._set_held(record, "STARTING", failed_reasons=None)
        self._spawn(record.id, lambda: self._bring_up(record.id))
        return updated

    def begin_stop(self, record: InstanceRecord) -> InstanceRecord:
        updated = self._set_held(record, "STOPPING")
        crash_point("stop.marked")
        self._spawn(record.id, lambda: self._bring_down(record.id))
        return updated

    def begin_restart(self, record: InstanceRecord) -> InstanceRecord:
        updated = self._set_held(record, "RESTARTING", failed_reasons=None)
        self._spawn(record.id, lambda: self._restart(record.id))
        return updated

    async def delete(self, record: InstanceRecord) -> None:
        """Mark, remove the files, then the row: a crash at any point leaves a DELETED row
        (gone for the API) whose files the next boot removes, never files without a row."""
        self._set(record.id, "DELETED")
        crash_point("delete.marked")
        try:
            await self.provisioner.destroy(record)
        except OSError as error:
            log.warning("instance %s: what it leaves could not all be removed (%s); the next start of the "
                        "server tries again", record.id, error.strerror or error)
            return
        crash_point("delete.files_removed")
        self.store.delete_instance(record.id)

    # --- the slow parts -------------------------------------------------------------------------

    async def _bring_up(self, instance_id: str) -> None:
        record = self.store.instance(instance_id)
        if record is None:
            return
        failure_status = _FAILURE_STATUS.get(record.status, "START_FAILED")
        problem = self.provisioner.unavailable_reason(PROFILES[record.profile_id], FLAVORS[record.flavor])
        try:
            if problem is not None:
                raise problem
            started = await self.provisioner.start(record, on_spawned=lambda handle: self._spawned(instance_id, handle))
        except ProvisionError as error:
            log.warning("instance %s: %s -> %s: %s", instance_id, record.status, failure_status, error.message)
            self._set(instance_id, failure_status, handle=None, url=None, stop_timestamp=None,
                      failed_reasons=error.as_api())
            return
        except asyncio.CancelledError:
            raise  # server shutdown: the next boot's reconcile redoes this start
        except Exception:  # noqa: BLE001 - any failure must land in failed_reasons
            # the details (a traceback, server paths) go to the server's log, not to the answer
            log.exception("instance %s: unexpected error while starting", instance_id)
            self._set(instance_id, failure_status, handle=None, url=None, stop_timestamp=None,
                      failed_reasons={"code": CRASHED,
                                      "message": "The local server failed to start this instance because of "
                                                 "an internal error; the server's log (server.log in its data "
                                                 "directory) has the details.",
                                      "detail": {}})
            return
        crash_point("bring_up.ready")
        # re-read: the auto-stop setting may have been updated while the server was starting
        record = self.store.instance(instance_id)
        if record is None:
            return
        token = {} if started.token is None else {"jupyter_token": started.token}
        self._set(instance_id, "RUNNING", handle=started.handle, url=started.url,
                  stop_timestamp=self.deadline_for(record), failed_reasons=None, **token)
        log.info("instance %s is RUNNING at %s (%s)", instance_id, started.url, started.handle)

    def _spawned(self, instance_id: str, handle: str) -> None:
        # recorded at once, so that a server dying now still finds (and stops) it; a new
        # instance is STARTING from the moment its server exists
        current = self.store.instance(instance_id)
        if current is not None and current.status == "CREATING":
            self._set(instance_id, "STARTING", handle=handle)
        else:
            self.store.update_instance(instance_id, handle=handle)
        crash_point("bring_up.spawned")

    async def _bring_down(self, instance_id: str) -> None:
        record = self.store.instance(instance_id)
        if record is None:
            return
        try:
            await self.provisioner.stop(record)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001
            log.exception("instance %s: error while stopping", instance_id)
            if self.provisioner.is_alive(record):
                return  # still STOPPING: the scheduler tries again
        crash_point("stop.terminated")
        self._set(instance_id, "STOPPED", handle=None, url=None, stop_timestamp=None)
        log.info("instance %s is STOPPED", instance_id)

    async def _restart(self, instance_id: str) -> None:
        record = self.store.instance(instance_id)
        if record is None:
            return
        await self.provisioner.stop(record)
        self.store.update_instance(instance_id, handle=None, url=None)
        await self._bring_up(instance_id)

    def _mark_died(self, record: InstanceRecord, message: str) -> None:
        log.warning("instance %s: %s", record.id, message)
        self._set(record.id, "STOPPED", handle=None, url=None, stop_timestamp=None,
                  failed_reasons={"code": CRASHED, "message": message,
                                  "detail": self.provisioner.failure_detail(record)})

    # --- the scheduler: auto-stop deadlines and processes that died ---------------------------------

    def start_scheduler(self) -> None:
        self._scheduler = asyncio.get_running_loop().create_task(self._schedule(), name="nb-devenv scheduler")

    async def _schedule(self) -> None:
        while True:
            try:
                await self.provisioner.refresh(self.store.instances_with_status(("RUNNING",)))
                self.check_once()
            except Exception:  # noqa: BLE001 - the timer must survive a bad tick
                log.exception("scheduler check failed")
            try:
                await asyncio.wait_for(self._wake.wait(), self.tick)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    def check_once(self) -> None:
        now = self.clock.now_ms()
        for record in self.store.instances_with_status(("RUNNING", "STOPPING")):
            if self.busy(record.id):
                continue
            if record.status == "STOPPING":  # an earlier stop failed: try again
                self._spawn(record.id, functools.partial(self._bring_down, record.id))
            elif record.stop_timestamp is not None and record.stop_timestamp <= now:
                log.info("instance %s reached its auto-stop deadline; stopping it", record.id)
                self.begin_stop(record)
            elif not self.provisioner.is_alive(record):
                self._mark_died(record, self.provisioner.ended_reason(record))

    # --- boot and shutdown --------------------------------------------------------------------

    async def reconcile(self) -> None:
        """Make the stored statuses true again after a restart (or a crash) of the server."""
        keep: set[str] = set()
        settle: list[Awaitable[None]] = []
        redo: list[str] = []
        records = self.store.all_instances()
        for record in [r for r in records if r.status == "DELETED"]:
            log.info("instance %s: finishing a delete that was cut short", record.id)
            await self.delete(record)
        records = [r for r in records if r.status != "DELETED"]
        running = [r for r in records if r.status == "RUNNING"]
        # asked all at once: one hung instance must not delay the boot by its timeout each
        answering = dict(zip((r.id for r in running),
                             await asyncio.gather(*(self.provisioner.answers(r) for r in running))))
        for record in records:
            if record.status == "RUNNING":
                if answering[record.id] and record.handle is not None:
                    keep.add(record.id)
                    log.info("instance %s re-adopted (%s at %s)", record.id, record.handle, record.url)
                else:
                    settle.append(self._settle_dead(record))
            elif record.status == "STOPPING":
                settle.append(self._settle_stopping(record))
            elif record.status in _FAILURE_STATUS:
                settle.append(self.provisioner.stop(record))
                redo.append(record.id)
            elif record.handle is not None:
                self.store.update_instance(record.id, handle=None, url=None)
        await asyncio.gather(*settle)
        orphans = await self.provisioner.terminate_orphans(keep)
        if orphans:
            log.info("terminated %d orphan instance server(s): %s", len(orphans), orphans)
        leftovers = self.provisioner.remove_orphan_files(r.id for r in records)
        if leftovers:
            log.info("removed files of %d instance(s) that no longer exist: %s", len(leftovers), leftovers)
        for instance_id in redo:
            self.store.update_instance(instance_id, handle=None, url=None)
            log.info("instance %s: redoing an interrupted start", instance_id)
            self._spawn(instance_id, functools.partial(self._bring_up, instance_id))

    async def _settle_dead(self, record: InstanceRecord) -> None:
        await self.provisioner.stop(record)  # alive but not answering: make sure it is gone
        self._mark_died(record, "The Jupyter server of this instance was no longer running (or no longer "
                                "answering) when the local server restarted; the instance is now STOPPED. "
                                "Start it again with the 'start' action.")

    async def _settle_stopping(self, record: InstanceRecord) -> None:
        await self.provisioner.stop(record)
        self._set(record.id, "STOPPED", handle=None, url=None, stop_timestamp=None)

    async def stop_all(self) -> list[InstanceRecord]:
        """Stop every instance of every project that runs or is on its way up, and wait until
        each is STOPPED; returns them as they were before the stop.

        For ``POST /_emulator/shutdown``: a server that merely exits leaves its instances
        running (by design), one asked to shut down does not. A start in flight is let finish
        first (a Jupyter server killed halfway leaves no clean state), then stopped like the rest.
        """
        stopped: dict[str, InstanceRecord] = {}
        while True:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            running = [r for r in self.store.instances_with_status(("RUNNING",)) if not self.busy(r.id)]
            if not running and not self._tasks:
                return list(stopped.values())
            for record in running:
                stopped.setdefault(record.id, record)
                self.begin_stop(record)

    async def shutdown(self) -> None:
        """Stop the scheduler and in-flight work; instances themselves keep running."""
        pending = [t for t in [self._scheduler, *self._tasks.values()] if t is not None]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
