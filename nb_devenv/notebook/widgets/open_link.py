"""The Open button and the link to the instance's JupyterLab that a click reveals.

Why the link is not always there (security)
-------------------------------------------
Opening the instance needs its Jupyter URL *with its token*, which is a secret. Widget state
is saved into notebooks (JupyterLab "save widget state", nbclient's ``store_widget_state``) and
updates sent by background tasks may be recorded with the cell that started them, so a link
that carried the token all the time could end up in a saved or executed notebook. Therefore:

* the token is fetched (the ``fetch_token`` callable, ``client.token()`` in the status widget)
  only when the user clicks **Open**; nbclient and papermill never click, so executed tutorials
  never hold it;
* the link (class ``nb-devenv-open-link``) then carries the token for :data:`LINK_TTL` seconds
  and is cleared earlier when the instance leaves RUNNING (:meth:`OpenLink.follow`) or the
  widget closes; the status widget also clears it when the extension is unloaded, and
  :func:`nb_devenv.notebook.widgets.wait` before it re-sends the widget state;
* the token is kept nowhere else: not in an attribute, a trait, ``repr()`` or a log line.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Coroutine

import ipywidgets as widgets
from traitlets import Bool

from nb_devenv.client._models import Instance

from . import runtime
from ._html import LINK, MUTED, esc, html_part, set_hidden

__all__ = ["OpenLink", "LINK_TTL", "TokenFetcher", "link_html"]

#: seconds the Open link (which carries the access token) stays in the page
LINK_TTL = 120.0

#: fetches the instance's access token (called on each click, never before)
TokenFetcher = Callable[[], Awaitable[str]]
#: runs a click's work on the kernel's loop (the status widget's keeps the task for close())
Spawn = Callable[[Coroutine[Any, Any, None]], object]


def link_html(instance: Instance, token: str, ttl: float = LINK_TTL) -> str:
    """The anchor that opens ``instance`` logged in (it holds the token), and a note saying so."""
    href = instance.url_with_token(token) or ""
    return (
        f'<a class="nb-devenv-open-anchor" href="{esc(href)}" target="_blank" rel="noopener noreferrer" '
        f'style="color:{LINK};text-decoration:underline;font-weight:600">Open {esc(instance.name)} in JupyterLab ↗</a> '
        f'<span style="color:{MUTED}">(the link holds the access token; hidden again in {ttl:g} s)</span>')


def _spawn_open(work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    return runtime.spawn(work, name="nb_devenv-open")


class OpenLink(widgets.HBox):
    """The Open button (class ``nb-devenv-open-button``) and the link (``nb-devenv-open-link``).

    Parameters
    ----------
    fetch_token
        An async callable returning the instance's access token; awaited on each click.
    ttl
        Seconds the link stays shown.
    spawn
        Runs a click's work on the kernel's loop (default: :func:`~.runtime.spawn`).
    on_error
        Called with what ``fetch_token`` raised (the status widget shows it on its error line);
        without it the error ends the click's task.
    """

    shown = Bool(False, help="whether the token-bearing link is in the page")

    def __init__(self, fetch_token: TokenFetcher, *, ttl: float = LINK_TTL, spawn: Spawn = _spawn_open,
                 on_error: Callable[[BaseException], None] | None = None, **kwargs: Any) -> None:
        self._fetch_token = fetch_token
        self._ttl = ttl
        self._spawn = spawn
        self._on_error = on_error
        self._instance: Instance | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._tooltip = (f"Show a link to the instance's JupyterLab; it carries the access token and "
                         f"disappears after {ttl:g} s")
        self.button = widgets.Button(description="Open", icon="external-link", tooltip=self._tooltip)
        self.button.add_class("nb-devenv-open-button")
        self.link = html_part("nb-devenv-open-link")
        super().__init__(children=[self.button, self.link], **kwargs)
        self.button.on_click(lambda _button: self._spawn(self.reveal()))

    def follow(self, instance: Instance) -> None:
        """A new snapshot of the instance to open: the link goes as soon as it no longer runs."""
        self._instance = instance
        if instance.status != "RUNNING":
            self.hide()

    def offer(self, available: bool, *, enabled: bool = True) -> None:
        """Show the row or not, and enable the button (its owner knows about deletion and busy)."""
        set_hidden(self, not available)
        self.button.disabled = not available or not enabled
        self.button.tooltip = (self._tooltip if not self.button.disabled
                               else "Open: the instance is not running" if not available
                               else "Open: wait for the current action to finish")

    async def reveal(self) -> None:
        """What a click does: fetch the token, then show the link for ``ttl`` seconds, provided
        the instance still runs and the widget is still open."""
        try:
            token = await self._fetch_token()
        except Exception as error:  # noqa: BLE001 - shown by the owner: callback output is invisible
            if self._on_error is None:
                raise
            self._on_error(error)
            return
        instance = self._instance
        if self._closed or instance is None or instance.status != "RUNNING" or not instance.url:
            return
        self.link.value = link_html(instance, token, self._ttl)
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self._ttl, self.hide)
        self.shown = True

    def hide(self) -> None:
        """Take the link, and with it the token, out of the page (and out of saved state)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.link.value:
            self.link.value = ""
        self.shown = False

    def all_widgets(self) -> list[widgets.Widget]:
        return [self, self.button, self.link]

    def close(self) -> None:
        """Hide the link, then close the button, the link and the row."""
        if self._closed:
            return
        self._closed = True
        self.hide()
        self.button.close()
        self.link.close()
        super().close()
