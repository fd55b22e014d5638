"""The create form's layout and a saved notebook's snapshots, in JupyterLab in Debian's chromium.

* The form: labels and inputs on one grid (each input starts at the same x; the Storage label
  on the line of its buttons), the JSON preview closed so Create is in view at 1400x1000, flavor
  labels that fit their dropdown, hours typed past the maximum kept and explained in hours.
* A widget's snapshot is an output of its own, after the live view's: hidden while the live
  widget is rendered (the widget's stylesheet hides it: no box, ``display: none``).
* After a save: JupyterLab keeps that snapshot output current (the kernel sends
  ``update_display_data`` for its display id, also from a cell that ended long ago); the saved
  file says STOPPED after a stop, holds the re-attach line and no token; the saved file reopened
  as the user's own (trusted) notebook with a new kernel shows "model not found" where the
  widget was and, under it, the snapshot; someone else's (untrusted) copy shows the snapshot.

Screenshots go to ``test-artifacts/browser/``. The servers and the browser are those of
test_browser.py.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from test_browser import _serve, browser, open_notebook, run_cells_through, shoot, show_the_form  # noqa: F401

pytestmark = pytest.mark.browser

#: the fonts the option labels are drawn in may differ by a pixel or two from the measurement
SLACK_PX = 4


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    yield from _serve("jupyterlab", tmp_path_factory.mktemp("jupyterlab-form"))


@pytest.fixture
def page(browser):  # noqa: F811 - the module's browser fixture
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def saved_outputs(server, name: str, snippet: str) -> list[dict]:
    """The outputs of the cell containing ``snippet`` in the file JupyterLab saved."""
    nb = json.loads((server.root / name).read_text())
    (cell,) = [c for c in nb["cells"] if c["cell_type"] == "code" and snippet in "".join(c["source"])]
    return cell["outputs"]


def save_and_read_snapshot(page, server, name: str, snippet: str, until: str) -> str:
    """Save with Ctrl+S until the saved snapshot of the cell's widget contains ``until``."""
    deadline = time.monotonic() + 30
    html = ""
    while time.monotonic() < deadline:
        page.keyboard.press("Control+s")
        page.wait_for_timeout(500)
        html = "".join("".join(o.get("data", {}).get("text/html", ""))  # a list of lines in a file
                       for o in saved_outputs(server, name, snippet))
        if until in html:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))  # as text
    raise AssertionError(f"the saved snapshot never said {until!r}: {html[-600:]}")


def test_jupyterlab_form_grid_and_saved_snapshots(page, jupyterlab):
    from playwright.sync_api import expect

    name = "02-form.ipynb"
    output, form, snapshot_child = show_the_form(page, jupyterlab)
    # the snapshot's output, right after the view's, is hidden while the live widget is rendered
    assert_hidden(snapshot_child)

    # the preview is closed, and Create is in view without scrolling past it
    expect(form.locator(".nb-devenv-preview")).to_be_hidden()
    create = form.locator("button.nb-devenv-create-button")
    form.scroll_into_view_if_needed()
    assert box(create)["y"] + box(create)["height"] <= page.viewport_size["height"]

    # one grid: every label in one column, every input starting at the same x
    labels = {key: form.locator(f".nb-devenv-field-{key} .nb-devenv-form-label")
              for key in ("name", "profile", "flavor", "storage", "auto-stop")}
    assert len({round(box(label)["x"]) for label in labels.values()}) == 1
    inputs = [form.locator(".nb-devenv-field-name input"), form.locator(".nb-devenv-field-flavor select"),
              form.locator(".nb-devenv-field-storage .widget-toggle-buttons")]
    assert max(box(i)["x"] for i in inputs) - min(box(i)["x"] for i in inputs) <= 2
    storage_buttons = form.locator(".nb-devenv-field-storage button").first
    # the Storage label on the line of its buttons (their middles within a few pixels)
    label_mid = box(labels["storage"])["y"] + box(labels["storage"])["height"] / 2
    button_mid = box(storage_buttons)["y"] + box(storage_buttons)["height"] / 2
    assert abs(label_mid - button_mid) <= 6, (label_mid, button_mid)

    # every flavor label fits its dropdown (nothing cut to "(nee"), and no glyph needs an emoji font
    flavor = form.locator(".nb-devenv-field-flavor select")
    too_wide = flavor.evaluate("""(select) => {
        const style = getComputedStyle(select);
        const context = document.createElement('canvas').getContext('2d');
        context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return [...select.options].map(o => [o.text, context.measureText(o.text).width - room])
                                  .filter(([, over]) => over > 0);
    }""")
    assert [text for text, over in too_wide if over > SLACK_PX] == [], too_wide
    texts = flavor.locator("option").all_inner_texts() + [form.inner_text()]
    assert all(ord(ch) < 0x1F000 for text in texts for ch in text)

    # a GPU profile offers GPU flavors only
    profile = form.locator(".nb-devenv-field-profile select")
    profile.select_option(label="Python3-gpu — Python 3 notebook (GPU)")
    expect(flavor.locator("option").first).to_contain_text(".gpu.")
    assert all(".gpu." in text for text in flavor.locator("option").all_inner_texts())
    profile.select_option(label="Python3 — Python 3 notebook (CPU)")
    expect(flavor.locator("option").first).to_contain_text(".cpu.")

    # hours past the maximum stay as typed and are explained in hours
    hours = form.locator(".nb-devenv-field-auto-stop input").nth(1)  # after the checkbox
    hours.fill("30")
    hours.press("Tab")
    message = form.locator(".nb-devenv-field-auto-stop .nb-devenv-field-message")
    expect(message).to_contain_text("Auto-stop must be between 1 h and 24 h, not 30 h")
    expect(hours).to_have_value("30")
    expect(create).to_be_disabled()
    shoot(output, "jupyterlab-form-grid.png")
    hours.fill("2")
    hours.press("Tab")
    expect(message).to_have_text("")

    # create, then save: the saved output holds the snapshot of what the widget shows
    form.locator(".nb-devenv-field-name input").fill("snapshot-demo")
    expect(create).to_be_enabled()
    create.click()
    status = output.locator(".nb-devenv-status")
    expect(status).to_have_class(re.compile(r"\bnb-devenv-state-running\b"), timeout=60_000)
    html = save_and_read_snapshot(page, jupyterlab, name, "%devenv create -o form", "RUNNING")
    instance_id = re.search(r"run %devenv get (\S+) to re-attach", html).group(1)
    assert "snapshot-demo" in html and "auto-stop at" in html

    # a stop long after the cell ended: JupyterLab still brings the output's snapshot up to date
    status.locator("button.nb-devenv-stop-button").click()
    expect(status).to_have_class(re.compile(r"\bnb-devenv-state-stopped\b"), timeout=60_000)
    html = save_and_read_snapshot(page, jupyterlab, name, "%devenv create -o form", "STOPPED")
    assert f"run %devenv get {instance_id} to re-attach" in html
    expect(status).to_be_visible()  # the live view is still there after the snapshot was updated
    expect(output).not_to_contain_text("Error displaying widget")
    assert_hidden(snapshot_child)  # the updated snapshot stays hidden under the live status widget
    saved = (jupyterlab.root / name).read_text()
    assert "token=" not in saved
    shoot(output, "jupyterlab-status-after-save.png")

    # the saved file reopened as the user's own notebook (same content, so its signature holds:
    # trusted) with a new kernel that has no model: JupyterLab's widget renderer says "model not
    # found", and the snapshot shows under it
    (jupyterlab.root / "reopened-form.ipynb").write_text(saved)
    open_notebook(page, jupyterlab, "reopened-form.ipynb")
    cell = page.locator(".jp-CodeCell").filter(has_text="%devenv create -o form")
    expect(cell).to_contain_text("model not found")
    snapshot = cell.locator(".jp-OutputArea-child").filter(has=page.locator(".nb-devenv-snapshot"))
    expect(snapshot).to_be_visible()
    expect(snapshot).to_contain_text(f"run %devenv get {instance_id} to re-attach")
    expect(snapshot).to_contain_text("STOPPED")
    error = cell.locator(".jp-OutputArea-child", has_text="model not found")
    assert box(error)["y"] < box(snapshot)["y"]  # the hint is under the error
    shoot(cell.locator(".jp-OutputArea"), "jupyterlab-reopened-snapshot.png")

    # someone else's copy (other content: not signed by this server, so untrusted): no widget
    # renderer, the view's state-free text, then the snapshot
    shared = json.loads(saved)
    shared["metadata"]["shared_copy"] = True
    (jupyterlab.root / "shared-form.ipynb").write_text(json.dumps(shared))
    open_notebook(page, jupyterlab, "shared-form.ipynb")
    cell = page.locator(".jp-CodeCell").filter(has_text="%devenv create -o form")
    snapshot = cell.locator(".jp-OutputArea-child").filter(has=page.locator(".nb-devenv-snapshot"))
    expect(snapshot).to_be_visible()
    expect(snapshot).to_contain_text(f"run %devenv get {instance_id} to re-attach")
    expect(cell).to_contain_text("its last state is in the next output")
    expect(page.get_by_text("model not found")).to_have_count(0)


def assert_hidden(locator) -> None:
    """``locator`` is in the page but takes no room: CSS ``display: none``, no box."""
    from playwright.sync_api import expect

    expect(locator).to_be_hidden()
    assert locator.evaluate("e => getComputedStyle(e).display") == "none"
    assert locator.bounding_box() is None
