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


def _serve(app: str, root: Path):
    sandbox = Sandbox(root)
    server = JupyterServer(app, sandbox)
    try:
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


def check_form_create_countdown_stop(page, server: JupyterServer, label: str) -> None:
    from playwright.sync_api import expect

    open_notebook(page, server, "02-form.ipynb")
    run_cells_through(page, "%devenv create -o form")
    output = page.locator(".jp-OutputArea-output").filter(has=page.locator(".nb-devenv-form"))
    form = output.locator(".nb-devenv-form")
    expect(form).to_be_visible()
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
    expect(status).to_have_class(re.compile(r"\bnb-devenv-state-deleted\b"), timeout=30_000)


def test_notebook7_form_validation_create_countdown_and_stop(page, notebook7):
    check_form_create_countdown_stop(page, notebook7, "notebook7")
