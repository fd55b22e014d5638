"""Every default of the client side, named once: the client, the notebook's hub and
``%config DevEnv`` traits, and the CLI all start from these values.

* ``POLL_FAST`` — seconds between polls while an instance is in transition. One second: it
  shows a change within a second, and a kernel or a CLI watching an instance on ModelArts makes
  at most one request a second (the instance API is rate-limited per account).
* ``POLL_SLOW`` — seconds between polls while everything watched is stable.
* ``TICK`` — seconds between countdown updates, made without any request.
* ``TICK_BUDGET`` — at most this many countdown updates per ``TICK`` for all the watchers of
  one poller. Each update of a notebook widget is one message on the kernel's IOPub (about
  0.15 ms of kernel CPU with its share of the tick): up to 60 widgets tick every second;
  beyond, each ticks every ⌈n/60⌉ seconds, in turn, so 200 live widgets (every 4 s) stay well
  under 2 % of a core (``bench/watch_many.py``).
* ``WAIT_TIMEOUT`` — how long ``wait_until``, ``--wait`` and the notebook's ``wait()`` wait for a
  status. Ten minutes: a ModelArts instance with a large image can take several minutes to come
  up, and a wait that gives up early reports a failure that is not one.
* ``REQUEST_TIMEOUT`` — seconds for each HTTP request.
* ``DEFAULT_API`` — the API a client speaks unless told otherwise (``api=``, ``--api``,
  ``%config DevEnv.api``, ``$NB_DEVENV_API``): the DevEnviron API, which every client spoke
  before the Notebook API came, so existing code and notebooks keep their meaning.
"""

from __future__ import annotations

__all__ = ["POLL_FAST", "POLL_SLOW", "TICK", "TICK_BUDGET", "WAIT_TIMEOUT", "REQUEST_TIMEOUT", "DEFAULT_API"]

POLL_FAST = 1.0
POLL_SLOW = 10.0
TICK = 1.0
TICK_BUDGET = 60
WAIT_TIMEOUT = 600.0
REQUEST_TIMEOUT = 30.0
DEFAULT_API = "devenviron"
