"""A real JupyterHub on loopback for the tests and the benchmark: the shipped example
configuration (``docs/jupyterhub_config.py``) on free ports, in its own directory, with a fresh
service token for nb_devenv."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["Hub", "EXAMPLE_CONFIG", "LATE_FAILING_FLAVOR", "LATE_FAILURE_MESSAGE", "wait_until"]

EXAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "docs" / "jupyterhub_config.py"
HUB_START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return condition()


#: the flavor the test Hub's spawner fails late on, with :data:`LATE_FAILURE_MESSAGE`
LATE_FAILING_FLAVOR = "modelarts.vm.cpu.8u"
LATE_FAILURE_MESSAGE = "no node has room for 8 vCPUs now"
LATE_FAILURE = f"""
import asyncio
_Spawner = c.JupyterHub.spawner_class
class LateFailingSpawner(_Spawner):
    async def start(self):
        if (self.user_options or {{}}).get("flavor") == {LATE_FAILING_FLAVOR!r}:
            await asyncio.sleep(1)
            raise RuntimeError({LATE_FAILURE_MESSAGE!r})
        return await super().start()
c.JupyterHub.spawner_class = LateFailingSpawner
"""


class Hub:
    """A JupyterHub subprocess: its public (proxy) URL, its own API URL, the service token."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.token = secrets.token_hex(32)
        self.token_file = workdir / "hub.token"
        self.token_file.write_text(self.token + "\n")
        self.token_file.chmod(0o600)
        public, hub, proxy_api = _free_port(), _free_port(), _free_port()
        self.public_url = f"http://127.0.0.1:{public}/"
        self.api_url = f"http://127.0.0.1:{hub}/hub/api"
        bin_dir = Path(sys.executable).parent
        (workdir / "jupyterhub_config.py").write_text(
            f"load_subconfig({str(EXAMPLE_CONFIG)!r})\n"
            f"c.JupyterHub.port = {public}\n"
            f"c.JupyterHub.hub_port = {hub}\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{proxy_api}'\n"
            f"c.ConfigurableHTTPProxy.command = [{str(bin_dir / 'configurable-http-proxy')!r}]\n"
            f"c.JupyterHub.db_url = 'sqlite:///{workdir}/jupyterhub.sqlite'\n"
            f"c.JupyterHub.cookie_secret_file = '{workdir}/cookie_secret'\n"
            f"c.JupyterHub.pid_file = '{workdir}/jupyterhub.pid'\n"
            f"c.SimpleLocalProcessSpawner.home_dir_template = '{workdir}/home/{{username}}'\n"
            f"c.Spawner.cmd = [{sys.executable!r}, '-m', 'jupyterhub.singleuser']\n"
            "c.JupyterHub.log_level = 'INFO'\n"
            # a spawner that fails after the Hub answered the start (202), as a cluster without
            # room does: only the progress stream tells it, long before http_timeout
            + LATE_FAILURE)
        self.log_path = workdir / "jupyterhub.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Hub":
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(self.workdir / "jupyterhub_config.py")],
                cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                env={**os.environ, "NB_DEVENV_HUB_TOKEN_FILE": str(self.token_file)}, start_new_session=True)

        def answering() -> bool:
            assert self.process is not None and self.process.poll() is None, self.log()
            try:
                return (httpx.get(self.api_url + "/", timeout=2).status_code == 200
                        and httpx.get(self.public_url + "hub/api/", timeout=2).status_code == 200)
            except httpx.HTTPError:
                return False

        assert wait_until(answering, HUB_START_TIMEOUT, 0.2), f"the Hub did not start:\n{self.log()}"
        return self

    def serve_args(self, token_file: Path | None = None) -> list[str]:
        """``nb-devenv serve`` options for this Hub (the API straight at the Hub: the pure-Python
        proxy buffers the progress stream)."""
        return ["--provisioner", "jupyterhub", "--hub-url", self.public_url, "--hub-api-url", self.api_url,
                "--hub-token-file", str(token_file or self.token_file)]

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        return httpx.request(method, self.api_url + path, headers={"Authorization": f"token {self.token}"},
                             timeout=30, **kwargs)

    def server(self, user: str, server: str) -> dict | None:
        response = self.api("GET", f"/users/{user}/servers/{server}")
        assert response.status_code in (200, 404), response.text
        return response.json() if response.status_code == 200 else None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the Hub stops its servers and its proxy
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
