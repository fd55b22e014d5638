"""The widgets in a real browser: JupyterLab 4 and Notebook 7 driven by Playwright in Debian's chromium.

Each front end is a real Jupyter server on loopback (a free port, token auth, a temporary root
holding copies of the tutorials, private config/data/runtime directories, the announcements
toast disabled). Its kernels inherit ``NB_DEVENV_DATA_DIR`` from the sandbox, so the tutorial's
first ``%devenv`` starts the embedded local server there, as for a user.

What is checked, in the DOM only (screenshots are kept in ``test-artifacts/browser/`` for a
human to look at; nothing is pixel-compared):

* 02-form: the form renders; typing an invalid name marks the field and shows the ModelArts
  message, and Create is disabled; a valid name enables it; clicking Create turns the form into
  the status widget, which reaches RUNNING, shows a countdown that changes, and Stop stops it.
* 01-quickstart, run with *Run All Cells* in JupyterLab: the status widget renders and ends as
  "deleted", the only error is the tagged demo, the last cell lists no instance.
* The status widget at a glance, in JupyterLab at 1400 px (a notebook written by the test; the
  local server's clock is moved forward as in 04-auto-stop): a transition's indicator turns; under
  10 minutes left the badge, border and digits are amber, under 1 minute red; the countdown row
  stays on one line at 1400 px and nothing overflows at 600 px; Delete asks in place (Cancel
  keeps the instance, Confirm delete deletes it, then the buttons go). Every visible text of the
  widget has a contrast of at least 4.5:1 (WCAG, from ``getComputedStyle``: its colour over its
  effective background) in JupyterLab Light and Dark, at each of those states. After the
  auto-stop, the message line says "stopped by auto-stop at HH:MM".
* Live while a cell blocks, in JupyterLab: while a cell sleeps (its prompt ``[*]``), the
  countdown keeps ticking and a stop made by another process shows up as STOPPED.

The browser is ``/usr/bin/chromium`` (never a downloaded one); without it the tests fail with
a message saying so (CI installs it), they are not skipped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from notebook_support import ARTIFACTS_DIR, Sandbox, terminate, tutorials

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ARTIFACTS_DIR / "browser"
START_TIMEOUT = 60.0
# the kernel of the current notebook panel has started and is idle (``expose_app_in_browser``)
KERNEL_IDLE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const session = panel && panel.sessionContext && panel.sessionContext.session;
  return !!(session && session.kernel && session.kernel.status === 'idle');
}"""


# --- the Jupyter server ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """``python -m jupyterlab`` or ``python -m notebook`` on loopback, in a sandbox."""

    def __init__(self, app: str, sandbox: Sandbox):
        self.app = app
        self.sandbox = sandbox
        self.root = sandbox.root / "notebooks"
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = sandbox.root / f"{app}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "JupyterServer":
        self.root.mkdir(parents=True, exist_ok=True)
        for path in tutorials():
            shutil.copy(path, self.root / path.name)
        # the news toast would cover the page; it is a JupyterLab plugin in both front ends
        labconfig = Path(self.sandbox.env()["JUPYTER_CONFIG_DIR"]) / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        (labconfig / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        command = [
            sys.executable, "-m", self.app, "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
        ]
        if self.app == "jupyterlab":
            command += ["--LabApp.expose_app_in_browser=True",
                        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                        "--LabApp.extension_manager=readonly"]
        else:
            command += ["--JupyterNotebookApp.expose_app_in_browser=True"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, env=self.sandbox.env(), cwd=self.root,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app} exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.base}/api/status", headers=self.headers, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.app} did not answer within {START_TIMEOUT:g} s:\n{self.log()}")
            time.sleep(0.1)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def url(self, path: str) -> str:
        return f"{self.base}{path}?token={self.token}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def close(self) -> None:
        """Shut down the server and its kernels (``/api/shutdown``), the hard way if needed."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            httpx.post(f"{self.base}/api/shutdown", headers=self.headers, timeout=5)
        except httpx.HTTPError:
            pass
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            terminate([self.process.pid])
            self.process.wait(5)


# --- fixtures ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests need Debian's chromium at {CHROMIUM} "
                    "(apt-get install chromium; .ci/run installs it). Run the rest with -m 'not browser'.")
    from playwright.sync_api import sync_playwright

    args = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-dev-shm-usage"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # chromium refuses to run as root with its sandbox
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        yield chromium
        chromium.close()


def _start_cold_local_server(sandbox: Sandbox) -> None:
    """The sandbox's local server, started ahead as ``nb-devenv serve --warm-pool 0`` would (the
    kernels then find and use it): the visual checks watch a create's transition, which a create
    that adopts a warm server skips."""
    with open(sandbox.root / "local-server.log", "ab") as log:
        subprocess.Popen([sys.executable, "-m", "nb_devenv.server", "--port", "0", "--data-dir",
                          str(sandbox.data_dir), "--warm-pool", "0"], env=sandbox.env(), stdin=subprocess.DEVNULL,
                         stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while sandbox.server_pid() is None:
        assert time.monotonic() < deadline, "the sandbox's local server did not start"
        time.sleep(0.05)


def _serve(app: str, root: Path):
    sandbox = Sandbox(root)
    server = JupyterServer(app, sandbox)
    try:
        sandbox.data_dir.mkdir(parents=True, exist_ok=True)
        _start_cold_local_server(sandbox)
        yield server.start()
    finally:
        server.close()
        leftovers = sandbox.close()
        assert not leftovers, f"processes left running after {app}: {leftovers}"


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    yield from _serve("jupyterlab", tmp_path_factory.mktemp("jupyterlab"))


@pytest.fixture
def notebook7(tmp_path):
    yield from _serve("notebook", tmp_path / "notebook7")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


# --- driving a notebook ----------------------------------------------------------------------------------

def open_notebook(page, server: JupyterServer, name: str) -> None:
    # a workspace of its own: JupyterLab would otherwise reopen the tabs of the previous test
    path = (f"/lab/workspaces/{Path(name).stem}/tree/{name}" if server.app == "jupyterlab"
            else f"/notebooks/{name}")
    page.goto(server.url(path))
    page.wait_for_function(KERNEL_IDLE, timeout=START_TIMEOUT * 1000)


def run_cells_through(page, source_snippet: str) -> None:
    """Run the notebook from the top down to (and including) the first cell containing
    ``source_snippet``, with Shift+Enter as a user would."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    count = cells.count()
    target = next((i for i in range(count) if source_snippet in cells.nth(i).inner_text()), None)
    assert target is not None, f"no cell with {source_snippet!r}"
    cells.nth(0).click()
    for _ in range(target + 1):
        page.keyboard.press("Shift+Enter")


def shoot(locator, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(SCREENSHOTS / name))


def show_the_form(page, server: JupyterServer):
    """Run 02-form.ipynb up to the form; return its output, the form and the snapshot output (one)."""
    from playwright.sync_api import expect

    open_notebook(page, server, "02-form.ipynb")
    run_cells_through(page, "%devenv create -o form")
    output = page.locator(".jp-OutputArea-output").filter(has=page.locator(".nb-devenv-form"))
    form = output.locator(".nb-devenv-form")
    expect(form).to_be_visible()
    cell = page.locator(".jp-CodeCell").filter(has=form)
    snapshot = cell.locator(".jp-OutputArea-child").filter(has=page.locator(".nb-devenv-snapshot"))
    expect(snapshot).to_have_count(1)
    return output, form, snapshot


def check_form_create_countdown_stop(page, server: JupyterServer, label: str) -> None:
    from playwright.sync_api import expect

    output, form, snapshot = show_the_form(page, server)
    # the snapshot's own output (after the view's) is hidden by the widget's stylesheet
    expect(snapshot).to_be_hidden()
    create = form.locator("button.nb-devenv-create-button")
    expect(create).to_have_text(re.compile(r"\bCreate\b"))
    expect(create).to_be_disabled()  # a new form has no name yet
    expect(form.locator(".nb-devenv-field-invalid")).to_have_count(0)  # ...but it does not open in red

    name = form.locator(".nb-devenv-field-name input")
    name.fill("not valid!")
    expect(form.locator(".nb-devenv-field-name .nb-devenv-field-invalid")).to_be_visible()
    message = form.locator(".nb-devenv-field-name .nb-devenv-field-message")
    expect(message).to_contain_text("ModelArts.6334")
    expect(message).to_contain_text("letters, digits")
    expect(form.locator(".nb-devenv-preview")).to_contain_text('"name": "not valid!"')
    expect(create).to_be_disabled()
    shoot(output, f"{label}-form-invalid.png")
    assert_readable(form, f"{label} Light, form with an error", {})

    name.fill(f"{label}-form")
    expect(form.locator(".nb-devenv-field-invalid")).to_have_count(0)
    expect(message).to_have_text("")
    expect(create).to_be_enabled()
    create.click()

    status = output.locator(".nb-devenv-status")
    expect(status).to_be_visible()
    expect(form.locator(".nb-devenv-field-name")).to_have_count(0)  # the form turned into the status
    expect(status).to_have_class(re.compile(r"\bnb-devenv-state-running\b"), timeout=60_000)
    expect(status.locator(".nb-devenv-status-value")).to_have_text("RUNNING")
    expect(status.locator(".nb-devenv-title")).to_contain_text(f"{label}-form")
    countdown = status.locator(".nb-devenv-countdown-value")
    expect(countdown).to_be_visible()
    expect(countdown).to_have_text(re.compile(r"^01:59:\d\d$"))  # the form's default: 2 h
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=5_000)  # it ticks
    expect(status.locator(".nb-devenv-countdown-bar")).to_be_visible()
    shoot(output, f"{label}-status-running.png")
    assert_readable(status, f"{label} Light, running", {})
    page.screenshot(path=str(SCREENSHOTS / f"{label}-page.png"))  # the widget in its front end

    stop = status.locator("button.nb-devenv-stop-button")
    expect(stop).to_be_enabled()
    stop.click()
    expect(status).to_have_class(re.compile(r"\bnb-devenv-state-stopped\b"), timeout=60_000)
    expect(status.locator(".nb-devenv-status-value")).to_have_text("STOPPED")
    expect(countdown).to_have_count(0)  # no countdown for a stopped instance
    shoot(output, f"{label}-status-stopped.png")

    # leave nothing behind: Delete is enabled once stopped
    delete = status.locator("button.nb-devenv-delete-button")
    expect(delete).to_be_enabled()
    delete.click()
    status.locator("button.nb-devenv-confirm-delete-button").click()  # Delete asks first
    expect(status).to_have_class(re.compile(r"\bnb-devenv-state-deleted\b"), timeout=30_000)


# --- the tests -------------------------------------------------------------------------------------------

def test_jupyterlab_form_validation_create_countdown_and_stop(page, jupyterlab):
    check_form_create_countdown_stop(page, jupyterlab, "jupyterlab")


def test_jupyterlab_runs_the_quickstart(page, jupyterlab):
    from playwright.sync_api import expect

    open_notebook(page, jupyterlab, "01-quickstart.ipynb")
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()

    last = page.locator(".jp-Notebook .jp-CodeCell").last
    expect(last.locator(".jp-OutputArea-output")).to_have_text("no instances", timeout=90_000)
    status = page.locator(".jp-OutputArea-output .nb-devenv-status")
    expect(status).to_have_count(1)
    expect(status).to_have_class(re.compile(r"\bnb-devenv-state-deleted\b"))
    expect(page.get_by_text("answers with HTTP 200")).to_be_visible()
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error'], "
                          ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expect(errors).to_have_count(1)  # the deliberate one: delete while running
    expect(errors).to_contain_text("ModelArts.6304")
    shoot(status, "jupyterlab-quickstart-deleted.png")


def test_jupyterlab_extend_button_moves_a_notebook_api_countdown(page, jupyterlab):
    """The Notebook API's status widget in JupyterLab: its lease row, and a click on "+1 h"
    renews the real instance's lease (the countdown jumps by an hour)."""
    from playwright.sync_api import expect

    open_notebook(page, jupyterlab, "06-notebook-api.ipynb")
    run_cells_through(page, "%devenv create --name notebook-api-demo")
    status = page.locator(".jp-OutputArea-output .nb-devenv-status")
    expect(status).to_have_class(re.compile(r"\bnb-devenv-state-running\b"), timeout=60_000)
    countdown = status.locator(".nb-devenv-countdown-value")
    expect(countdown).to_have_text(re.compile(r"^00:59:\d\d$"))  # --lease 1h
    lease = status.locator(".nb-devenv-lease")
    expect(lease).to_be_visible()
    extend = lease.locator(".nb-devenv-extend button.nb-devenv-extend-button", has_text="+1 h")
    expect(extend).to_be_enabled()
    extend.click()
    expect(countdown).to_have_text(re.compile(r"^01:59:\d\d$"), timeout=15_000)
    expect(status.locator(".nb-devenv-message")).to_contain_text("extended by 1 h")
    shoot(status, "jupyterlab-notebook-api-extended.png")

    status.locator("button.nb-devenv-stop-button").click()  # leave nothing behind
    expect(status).to_have_class(re.compile(r"\bnb-devenv-state-stopped\b"), timeout=60_000)
    expect(lease).to_be_hidden()
    status.locator("button.nb-devenv-delete-button").click()
    status.locator("button.nb-devenv-confirm-delete-button").click()
    expect(status).to_have_class(re.compile(r"\bnb-devenv-state-deleted\b"), timeout=30_000)


def test_notebook7_form_validation_create_countdown_and_stop(page, notebook7):
    check_form_create_countdown_stop(page, notebook7, "notebook7")


# --- the status widget at a glance, in both themes -------------------------------------------------------

# The contrast of every visible text of ``root`` (WCAG 2: relative luminances of its colour and of
# its effective background, both composited over what is behind them), disabled controls excepted
# (WCAG exempts inactive components). Chromium gives colours as rgb()/rgba() or, for color-mix(),
# as color(srgb r g b / a).
CONTRASTS = """(root) => {
  const parse = (text) => {
    let m = text.match(/^rgba?\\(([^)]*)\\)$/);
    if (m) {
      const v = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
      return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
    }
    m = text.match(/^color\\(srgb ([^)]*)\\)$/);
    if (m) {
      const v = m[1].split(/[\\s\\/]+/).filter(Boolean).map(Number);
      return [v[0] * 255, v[1] * 255, v[2] * 255, v.length > 3 ? v[3] : 1];
    }
    throw new Error('unparsed colour ' + text);
  };
  const over = (top, below) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + below[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let base = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const found = [];
  for (const el of [root, ...root.querySelectorAll('*')]) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!text || el.closest('[disabled], style') || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible' || Number(style.opacity) === 0) continue;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    found.push({text: text.slice(0, 60), cls: el.className || el.tagName, ratio: (hi + 0.05) / (lo + 0.05),
                color: style.color, background: 'rgb(' + bg.slice(0, 3).map(Math.round).join(',') + ')'});
  }
  return found;
}"""
# the hue (degrees) of an element's text colour and of its left border
HUES = """(el) => {
  const hue = (text) => {
    let v = text.match(/[\\d.]+/g).map(Number).slice(0, 3);
    if (text.startsWith('color(')) v = v.map(x => x * 255);
    const [r, g, b] = v.map(x => x / 255);
    const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
    if (d < 0.05) return null;  // grey
    let h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    h *= 60;
    return h < 0 ? h + 360 : h;
  };
  const s = getComputedStyle(el);
  return {color: hue(s.color), border: hue(s.borderLeftColor)};
}"""
# the visual lines of an element's text (rectangles of its contents grouped by their top)
LINES = """(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
  const tolerance = parseFloat(getComputedStyle(el).fontSize) * 0.6;
  let lines = 0, last = -1e9;
  for (const top of tops) { if (top - last > tolerance) { lines += 1; last = top; } }
  return lines;
}"""
THEME_IS = """(light) => document.body.dataset.jpThemeLight === String(light)
  && getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim() === (light ? 'white' : '#111')"""

VISUAL_NOTEBOOK = [
    "%load_ext nb_devenv\nfrom nb_devenv import AsyncDevEnvClient\nfrom nb_devenv.notebook import wait",
    "%devenv create --name visual-demo --profile Python3 --flavor modelarts.vm.cpu.2u --auto-stop 1h -o w",
    "%devenv create -o form",
    "instance = await wait(w, until='RUNNING', timeout=120)\nclient = AsyncDevEnvClient()\n"
    "await client.clock_advance(55 * 60)  # local server only: 5 minutes left\nawait w.refresh()\nprint('amber')",
    "await client.clock_advance(4 * 60 + 10)  # 50 s left\nawait w.refresh()\nprint('red')",
    "await client.clock_advance(120)  # past the deadline: auto-stop\nawait wait(w, until='STOPPED', timeout=60)\n"
    "print('stopped')",
]


def write_notebook(path: Path, sources: list[str]) -> None:
    import nbformat

    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources],
                                            metadata={"kernelspec": kernelspec}), path)


def run_cell(page, source_snippet: str) -> None:
    """Run the one cell containing ``source_snippet`` (Shift+Enter in its editor)."""
    cell = page.locator(".jp-Notebook .jp-CodeCell").filter(has_text=source_snippet).first
    cell.locator(".jp-Cell-inputArea").click()
    page.keyboard.press("Shift+Enter")


def set_theme(page, light: bool) -> None:
    theme = "JupyterLab Light" if light else "JupyterLab Dark"
    page.evaluate(f"window.jupyterapp.commands.execute('apputils:change-theme', {{theme: {theme!r}}})")
    page.wait_for_function(THEME_IS, arg=light, timeout=30_000)
    page.wait_for_selector("#jupyterlab-splash", state="detached")  # it dims the page while the theme loads


def assert_readable(status, state: str, lowest: dict[str, float]) -> None:
    """Every visible text of the widget at 4.5:1 or more; ``lowest[state]`` is the lowest seen."""
    measured = status.evaluate(CONTRASTS)
    assert len(measured) >= 5, f"{state}: only {len(measured)} texts measured"
    poor = [m for m in measured if m["ratio"] < 4.5]
    assert not poor, f"{state}: contrast below 4.5:1: {json.dumps(poor, indent=1)}"
    worst = min(measured, key=lambda m: m["ratio"])
    lowest[f"{state} ({len(measured)} texts; lowest: {worst['text'][:30]!r})"] = round(worst["ratio"], 2)


def assert_hue(locator, low: float, high: float, what: str) -> None:
    hues = locator.evaluate(HUES)
    assert hues["color"] is not None and low <= hues["color"] <= high, f"{what}: text hue {hues}"


def test_jupyterlab_status_at_a_glance_in_both_themes_and_a_delete_that_asks(browser, jupyterlab):
    from playwright.sync_api import expect

    write_notebook(jupyterlab.root / "visual.ipynb", VISUAL_NOTEBOOK)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    shots: list[Path] = []

    def shot(locator, name: str) -> None:
        shoot(locator, name)
        shots.append(SCREENSHOTS / name)

    lowest: dict[str, float] = {}
    try:
        open_notebook(page, jupyterlab, "visual.ipynb")
        page.wait_for_function(THEME_IS, arg=True)
        run_cell(page, "%load_ext nb_devenv")
        run_cell(page, "--auto-stop 1h -o w")
        status = page.locator(".jp-OutputArea-output .nb-devenv-status")
        # a transition: the indicator turns (a CSS animation) beside the time it has lasted
        spinner = status.locator(".nb-devenv-badge .nb-devenv-spinner")
        expect(spinner).to_be_visible()
        assert spinner.evaluate("e => getComputedStyle(e).animationName") == "nb-devenv-spin"
        expect(status.locator(".nb-devenv-badge .nb-devenv-elapsed")).to_have_text(re.compile(r"^\d+[hms]"))
        expect(status).to_have_class(re.compile(r"\bnb-devenv-state-running\b"), timeout=60_000)
        expect(spinner).to_have_count(0)

        # the create form beside it, with an error shown (its colours come from the same palette)
        run_cell(page, "%devenv create -o form")
        form = page.locator(".jp-OutputArea-output .nb-devenv-form")
        form.locator(".nb-devenv-field-name input").fill("not valid!")
        expect(form.locator(".nb-devenv-field-name .nb-devenv-field-message")).to_contain_text("ModelArts.6334")

        # under 10 minutes: amber (the hue of --jp-warn-color1, 30-36°) on one line at 1400 px
        run_cell(page, "clock_advance(55 * 60)")
        expect(status).to_have_class(re.compile(r"\bnb-devenv-tone-warn\b"), timeout=30_000)
        warning = status.locator(".nb-devenv-warning")
        expect(warning).to_contain_text("less than 10 minutes left")
        digits = status.locator(".nb-devenv-countdown-value")
        for part, what in ((status, "border"), (status.locator(".nb-devenv-badge"), "badge"), (digits, "digits")):
            hues = part.evaluate(HUES)
            hue = hues["border"] if what == "border" else hues["color"]
            assert hue is not None and 20 <= hue <= 50, f"{what} is not amber: {hues}"
        countdown = status.locator(".nb-devenv-countdown")
        expect(countdown).to_contain_text("(local time)")
        assert countdown.evaluate(LINES) == 1, "the countdown wraps at 1400 px"
        assert warning.evaluate(LINES) == 1, "the warning wraps at 1400 px"
        row = {name: status.locator(sel).bounding_box() for name, sel in (
            ("countdown", ".nb-devenv-countdown"), ("bar", ".nb-devenv-countdown-bar"), ("warning", ".nb-devenv-warning"))}
        assert row["bar"]["y"] < row["countdown"]["y"] + row["countdown"]["height"], "the bar is not beside the countdown"
        assert row["warning"]["y"] >= row["countdown"]["y"] + row["countdown"]["height"] - 1, \
            "the warning is not on a line of its own under the countdown"
        # the Open link and its hint (the link goes by itself when the instance stops)
        status.locator("button.nb-devenv-open-button").click()
        expect(status.locator(".nb-devenv-open-anchor")).to_be_visible()
        assert_readable(status, "Light, amber", lowest)
        assert_readable(form, "Light, form", lowest)
        shot(status, "visual-light-amber-1400.png")

        # 600 px: the rows stack, nothing runs out of the widget, no line breaks inside a text
        page.set_viewport_size({"width": 600, "height": 1000})
        page.wait_for_function("(e) => e.getBoundingClientRect().width < 600", arg=status.element_handle())
        shot(status, "visual-light-amber-600.png")
        outside = status.evaluate("""(root) => [...root.querySelectorAll('.nb-devenv-countdown, .nb-devenv-badge, button')]
            .filter(e => e.getClientRects().length
                    && e.getBoundingClientRect().right > root.getBoundingClientRect().right + 1)
            .map(e => e.className + ' ' + e.textContent.slice(0, 40) + ' ' + e.getBoundingClientRect().right
                      + ' > ' + root.getBoundingClientRect().right)""")
        assert not outside, f"parts run out of the widget at 600 px: {outside}"
        chunks = countdown.locator(".nb-devenv-nowrap")
        assert chunks.count() == 2 and all(chunks.nth(i).evaluate(LINES) == 1 for i in range(2)), \
            "the countdown breaks inside a chunk at 600 px"
        page.set_viewport_size({"width": 1400, "height": 1000})

        set_theme(page, light=False)
        assert_readable(status, "Dark, amber", lowest)
        assert_readable(form, "Dark, form", lowest)
        shot(status, "visual-dark-amber.png")

        # under 1 minute: red (the hue of --jp-error-color1, 0-10°)
        run_cell(page, "clock_advance(4 * 60 + 10)")
        expect(status).to_have_class(re.compile(r"\bnb-devenv-tone-critical\b"), timeout=30_000)
        expect(warning).to_contain_text("less than 1 minute left")
        for part, what in ((status, "border"), (status.locator(".nb-devenv-badge"), "badge"), (digits, "digits")):
            hues = part.evaluate(HUES)
            hue = hues["border"] if what == "border" else hues["color"]
            assert hue is not None and (hue <= 12 or hue >= 348), f"{what} is not red: {hues}"
        assert_readable(status, "Dark, red", lowest)
        shot(status, "visual-dark-red.png")

        run_cell(page, "clock_advance(120)")
        expect(status).to_have_class(re.compile(r"\bnb-devenv-state-stopped\b"), timeout=60_000)
        # "refreshed at …" was about RUNNING; the widget saw the deadline pass, so it says why
        expect(status.locator(".nb-devenv-message")).to_have_text(re.compile(r"^stopped by auto-stop at \d\d:\d\d$"))
        stop = status.locator("button.nb-devenv-stop-button")
        expect(stop).to_be_disabled()
        expect(stop).to_have_attribute("title", "Stop: the instance is already stopped")

        # Delete asks in place; Cancel keeps the instance
        status.locator("button.nb-devenv-delete-button").click()
        confirm = status.locator(".nb-devenv-confirm")
        expect(confirm).to_be_visible()
        expect(confirm).to_contain_text("Delete visual-demo?")
        expect(confirm).to_contain_text("EVS 5 GB")
        expect(status.locator("button.nb-devenv-delete-button")).to_be_hidden()
        assert_readable(status, "Dark, delete question", lowest)
        shot(status, "visual-dark-confirm.png")
        set_theme(page, light=True)
        assert_readable(status, "Light, delete question", lowest)
        shot(status, "visual-light-confirm.png")
        confirm.locator("button.nb-devenv-cancel-button").click()
        expect(confirm).to_be_hidden()
        status.locator("button.nb-devenv-refresh-button").click()  # the server still has it
        expect(status.locator(".nb-devenv-message")).to_contain_text("refreshed at")
        expect(status).to_have_class(re.compile(r"\bnb-devenv-state-stopped\b"))

        # Confirm delete deletes it: one line says so, the buttons and the old message go
        status.locator("button.nb-devenv-delete-button").click()
        confirm.locator("button.nb-devenv-confirm-delete-button").click()
        expect(status).to_have_class(re.compile(r"\bnb-devenv-state-deleted\b"), timeout=30_000)
        expect(status.locator(".nb-devenv-status-value")).to_have_text("DELETED")
        expect(status.locator(".nb-devenv-steps")).to_contain_text("the instance was deleted")
        expect(status.locator(".nb-devenv-actions")).to_be_hidden()
        expect(status.locator(".nb-devenv-message")).to_be_hidden()
        assert_readable(status, "Light, deleted", lowest)
        set_theme(page, light=False)
        assert_readable(status, "Dark, deleted", lowest)
        shot(status, "visual-dark-deleted.png")
    finally:
        try:
            set_theme(page, light=True)  # the theme is a user setting: the next test starts in Light
        finally:
            context.close()
            print("\nlowest contrast by state:", *(f"{k}: {v}" for k, v in lowest.items()),
                  "screenshots:", *map(str, shots), sep="\n  ")


# --- live while a cell blocks --------------------------------------------------------------------------

BLOCKING_NOTEBOOK = [
    "%load_ext nb_devenv\n%config DevEnv.poll_interval_stable = 2\nfrom nb_devenv.notebook import wait",
    "%devenv create --name blocked-demo --profile Python3 --flavor modelarts.vm.cpu.2u --auto-stop 1h -o w",
    "await wait(w, until='RUNNING', timeout=120)\nprint('running')",
    "import subprocess, sys, time\ntime.sleep(8)\n"
    "subprocess.run([sys.executable, '-m', 'nb_devenv', 'stop', w.instance_id], check=True)  # elsewhere\n"
    "time.sleep(120)  # the cell blocks; the widget goes on",
]


def test_jupyterlab_widget_stays_live_while_a_cell_sleeps(browser, jupyterlab):
    from playwright.sync_api import expect

    write_notebook(jupyterlab.root / "blocking.ipynb", BLOCKING_NOTEBOOK)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        open_notebook(page, jupyterlab, "blocking.ipynb")
        run_cell(page, "%load_ext nb_devenv")
        run_cell(page, "-o w")
        status = page.locator(".jp-OutputArea-output .nb-devenv-status")
        run_cell(page, "until='RUNNING'")
        expect(status).to_have_class(re.compile(r"\bnb-devenv-state-running\b"), timeout=120_000)
        countdown = status.locator(".nb-devenv-countdown-value")
        expect(countdown).to_be_visible()

        run_cell(page, "time.sleep(120)")
        prompt = page.locator(".jp-Notebook .jp-CodeCell").filter(has_text="time.sleep(120)").first \
            .locator(".jp-InputPrompt")
        expect(prompt).to_have_text("[*]:")
        ticking = countdown.inner_text()
        expect(countdown).not_to_have_text(ticking, timeout=5_000)  # the countdown ticks during the sleep
        # the instance is stopped by another process: the widget shows it while the cell still sleeps
        expect(status).to_have_class(re.compile(r"\bnb-devenv-state-stopped\b"), timeout=60_000)
        expect(prompt).to_have_text("[*]:")
        shoot(status, "live-while-a-cell-sleeps.png")
    finally:
        try:
            page.evaluate("window.jupyterapp.commands.execute('notebook:interrupt-kernel')")
        finally:
            context.close()
