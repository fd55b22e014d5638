"""The Open link on its own: the token is fetched on a click only, shown for ``ttl`` seconds,
and never left in widget state. The token comes from a plain async function here; the status
widget's real one (``client.token``) is tested against the server in test_widgets_live.py.
"""

from __future__ import annotations

import asyncio
import json

import ipywidgets
import pytest

from nb_devenv import Instance
from nb_devenv.notebook.widgets.open_link import LINK_TTL, OpenLink

pytestmark = pytest.mark.usefixtures("closed_widgets")

TOKEN = "tok-3f9a2c"


class Fetcher:
    """Counts its calls; returns the token (or raises ``error``)."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls = 0
        self.error = error

    async def __call__(self) -> str:
        self.calls += 1
        await asyncio.sleep(0)
        if self.error is not None:
            raise self.error
        return TOKEN


def instance(status: str = "RUNNING") -> Instance:
    annotations = {"url": "http://127.0.0.1:9/lab"} if status == "RUNNING" else {}
    return Instance.from_api({"id": "DE-1", "name": "demo<1>", "status": status,
                              "spec": {"annotations": annotations}})


def saved_state(link: OpenLink) -> str:
    return json.dumps([link.get_state(), link.link.get_state(), ipywidgets.Widget.get_manager_state()])


async def until(predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def running_link(fetch: Fetcher, **kwargs) -> OpenLink:
    link = OpenLink(fetch, **kwargs)
    link.follow(instance())
    link.offer(True)
    return link


async def test_the_token_is_fetched_only_on_a_click():
    fetch = Fetcher()
    link = running_link(fetch)
    await asyncio.sleep(0.01)
    assert fetch.calls == 0 and not link.shown and link.link.value == ""
    assert TOKEN not in saved_state(link)
    assert "nb-devenv-open-button" in link.button._dom_classes and link.button.description == "Open"
    assert "nb-devenv-open-link" in link.link._dom_classes

    link.button.click()
    await until(lambda: link.shown)
    assert fetch.calls == 1
    shown = link.link.value
    assert "http://127.0.0.1:9/lab?token=tok-3f9a2c" in shown
    assert 'target="_blank"' in shown and 'rel="noopener noreferrer"' in shown
    assert "Open demo&lt;1&gt; in JupyterLab" in shown and f"hidden again in {LINK_TTL:g} s" in shown


async def test_the_link_goes_after_the_ttl_and_leaves_no_token_in_state():
    link = running_link(Fetcher(), ttl=0.05)
    link.button.click()
    await until(lambda: link.shown)
    assert TOKEN in link.link.get_state()["value"]
    await until(lambda: not link.shown, timeout=2)
    assert link.link.value == ""
    assert TOKEN not in saved_state(link)


async def test_the_link_goes_when_the_instance_stops_running():
    link = running_link(Fetcher())
    await link.reveal()
    assert link.shown
    link.follow(instance("STOPPING"))
    assert not link.shown and TOKEN not in saved_state(link)
    await link.reveal()  # a click that arrives late shows nothing for an instance that does not run
    assert not link.shown


async def test_closing_hides_the_link_and_stops_its_timer():
    link = running_link(Fetcher(), ttl=60)
    await link.reveal()
    link.close()
    assert not link.shown and link.link.value == "" and link.comm is None and link.link.comm is None
    await link.reveal()
    assert link.link.value == ""


async def test_a_failed_fetch_goes_to_on_error_and_shows_nothing():
    errors: list[BaseException] = []
    link = running_link(Fetcher(RuntimeError("no token")), on_error=errors.append)
    await link.reveal()
    assert [str(e) for e in errors] == ["no token"] and not link.shown
    with pytest.raises(RuntimeError, match="no token"):
        await running_link(Fetcher(RuntimeError("no token"))).reveal()  # no on_error: the click's task fails


def test_offer_hides_the_row_and_disables_the_button():
    link = OpenLink(Fetcher())
    link.offer(False)
    assert link.layout.display == "none" and link.button.disabled
    link.offer(True, enabled=False)
    assert link.layout.display is None and link.button.disabled
    link.offer(True)
    assert not link.button.disabled
