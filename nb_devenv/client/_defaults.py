"""Every default of the client side, named once: the client, the notebook's hub and
``%config DevEnv`` traits, and the CLI all start from these values.

* ``POLL_FAST`` — seconds between polls while an instance is in transition. One second: it
  shows a change within a second, and a kernel or a CLI watching an instance on ModelArts makes
  at most one request a second (the instance API is rate-limited per account).
* ``POLL_SLOW`` — seconds between polls while everything watched is stable.
* ``TICK`` — seconds between countdown updates, made without any request.
* ``WAIT_TIMEOUT`` — how long ``wait_until``, ``--wait`` and the notebook's ``wait()`` wait for a
  status. Ten minutes: a ModelArts instance with a large image can take several minutes to come
  up, and a wait that gives up early reports a failure that is not one.
* ``REQUEST_TIMEOUT`` — seconds for each HTTP request.
* ``DEFAULT_API`` — the API a client speaks unless told otherwise (``api=``, ``--api``,
  ``%config DevEnv.api``, ``$NB_DEVENV_API``): the DevEnviron API, which every client spoke
  before the Notebook API came, so existing code and notebooks keep their meaning.
"""

from __future__ import annotations

__all__ = ["POLL_FAST", "POLL_SLOW", "TICK", "WAIT_TIMEOUT", "REQUEST_TIMEOUT", "DEFAULT_API"]

POLL_FAST = 1.0
POLL_SLOW = 10.0
TICK = 1.0
WAIT_TIMEOUT = 600.0
REQUEST_TIMEOUT = 30.0
DEFAULT_API = "devenviron"
