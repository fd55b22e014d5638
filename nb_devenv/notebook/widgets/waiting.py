"""``await wait(widget, until="RUNNING")``: deterministic tutorial cells.

A widget's background updates are tagged with the cell that started its watcher (ipykernel keeps
the parent message in a ContextVar), and nbclient only records messages of the cell it is
executing, so an executed notebook would store the widget as it was when its cell ended. After
the instance has reached the wanted status, :func:`wait` re-sends the whole widget tree's state
from the *current* cell, so nbclient (and papermill) store the final state.
"""

from __future__ import annotations

import asyncio
from typing import Iterable

from nb_devenv.client._exceptions import WaitTimeoutError
from nb_devenv.client._models import Instance

from ..watch import ui_lock
from .form_base import FormShell
from .status import InstanceStatusWidget

__all__ = ["wait", "resend_state"]


def resend_state(widget: InstanceStatusWidget | FormShell) -> None:
    """Send every model of the widget's tree again from the current cell (token link cleared);
    under the widgets' lock, so a poll on the watch thread cannot change it half-way."""
    targets = [widget]
    if isinstance(widget, FormShell):
        targets = [widget] + ([widget.status_widget] if widget.status_widget is not None else [])
    with ui_lock:
        for target in targets:
            if isinstance(target, InstanceStatusWidget):
                target.hide_link()  # never hand nbclient a state that holds the access token
                for w in target.all_widgets():
                    w.send_state()
            else:
                target.send_state()
        widget.refresh_snapshot(cell_end=True)  # the output's static copy, from this cell too


async def wait(widget: InstanceStatusWidget | FormShell, until: str | Iterable[str] = "RUNNING",
               timeout: float | None = None) -> Instance | None:
    """Wait until the widget's instance has status ``until`` (one or several); return it.

    Parameters
    ----------
    widget
        A status widget, or a create form of either API (waits for its Create first).
    until
        Status(es) to wait for; ``"DELETED"`` waits for the instance to be deleted.
    timeout
        Seconds (default: the widget's settings, ``%config DevEnv.wait_timeout`` if the magics made it).

    Raises
    ------
    InstanceFailedError
        The instance failed (CREATE_FAILED / START_FAILED) instead.
    NotFoundError
        The instance was deleted (unless ``until`` includes ``"DELETED"``).
    WaitTimeoutError
        ``timeout`` passed first.
    """
    wanted = {until} if isinstance(until, str) else set(until)
    timeout = widget.settings.wait_timeout if timeout is None else timeout
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    form = widget if isinstance(widget, FormShell) else None
    if form is not None:
        try:
            status_widget = await asyncio.wait_for(form.wait_created(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"the form was not submitted within {timeout:g} s") from None
    else:
        status_widget = widget
    # judge by a fresh snapshot, not one that predates the action being waited for, and keep
    # looking fast rather than at the next slow poll
    await status_widget.catch_up()
    future = status_widget.reached(wanted)
    try:
        return await asyncio.wait_for(future, max(0.0, deadline - loop.time()))
    except asyncio.TimeoutError:
        snapshot = status_widget.instance
        if snapshot is None:
            raise TimeoutError(f"no news of {status_widget.instance_id} within {timeout:g} s") from None
        raise WaitTimeoutError(snapshot, sorted(wanted), timeout) from None
    finally:
        # also after a failure or a timeout: the stored notebook should show what happened
        if not status_widget.closed:
            resend_state(form or status_widget)
