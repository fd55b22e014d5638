"""Named points where the fault tests kill the server with SIGKILL, as a crash would.

A crash between two writes is the case crash safety is about, and it cannot be hit reliably
from outside by timing a ``kill -9``. With ``NB_DEVENV_CRASH_AT=<point>`` (or ``<point>:<n>``
for its n-th passage) in the server's environment, the server kills itself there. Unset — always,
outside the tests — :func:`crash_point` is one comparison.
"""

from __future__ import annotations

import os
import signal

__all__ = ["POINTS", "crash_point"]

#: every point, in the order an instance's life passes them
POINTS = (
    "create.stored",          # the CREATING row is written; nothing else exists yet
    "bring_up.spawned",       # the Jupyter server exists and its handle is recorded; not ready yet
    "bring_up.ready",         # the Jupyter server answers; RUNNING is not recorded yet
    "stop.marked",            # STOPPING is recorded; the process still runs
    "stop.terminated",        # the process is gone; STOPPED is not recorded yet
    "delete.marked",          # the row is DELETED; the files are still there
    "delete.files_removed",   # the files are gone; the DELETED row is still there
)

_name, _, _nth = (os.environ.get("NB_DEVENV_CRASH_AT") or "").partition(":")
_remaining = {_name: int(_nth or 1)} if _name else {}


def crash_point(name: str) -> None:
    """Kill this process with SIGKILL if the environment asked for a crash at ``name``."""
    if name in _remaining:
        _remaining[name] -= 1
        if _remaining[name] == 0:
            os.kill(os.getpid(), signal.SIGKILL)
