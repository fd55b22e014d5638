"""Shared fixtures: the real local server as a subprocess, and a signed HTTP helper.

The server under test is the real one (``python -m nb_devenv.server``) on a free loopback
port with a temporary data directory. Instances are real Jupyter servers that outlive the
server by design, so teardown kills every instance process found in the data directory.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import httpx
import pytest

from nb_devenv.core import signing

LAUNCHER = "nb_devenv.server.jupyter_launcher"
SERVER_START_TIMEOUT = 30.0


#: figures that fuzz and property tests report (requests sent, 5xx seen...), shown in the
#: terminal summary at the end of the run
FIGURES: list[dict] = []


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FIGURES:
        return
    terminalreporter.section("fuzz figures")
    for figures in FIGURES:
        head = {k: v for k, v in figures.items() if k != "operations"}
        terminalreporter.write_line(json.dumps(head))
        for label, counts in figures.get("operations", {}).items():
            terminalreporter.write_line(f"    {label}: {json.dumps(counts)}")


@pytest.fixture(autouse=True)
def _no_default_data_dir(tmp_path_factory, monkeypatch):
    """No test may start a local server in the user's home: the default data directory (used
    when nothing else is configured) points into the test's temporary area."""
    monkeypatch.setenv("NB_DEVENV_DATA_DIR", str(tmp_path_factory.mktemp("default-data")))


@pytest.fixture
def no_default_server(monkeypatch):
    """Point the default endpoint at a closed port: a test that forgets to name its server
    fails fast instead of reaching (or starting) one."""
    monkeypatch.setenv("NB_DEVENV_ENDPOINT", "http://127.0.0.1:9")


@pytest.fixture
def closed_widgets():
    """Close every widget a test made (they register globally)."""
    yield
    import ipywidgets

    ipywidgets.Widget.close_all()


# --- signed requests -------------------------------------------------------------------------

class SignedClient:
    """A tiny AK/SK-signing HTTP helper (the real client lives in ``nb_devenv.client._client``).

    Signs like the official SDK: ``Host``, ``X-Sdk-Date``, ``X-Project-Id`` and
    ``Content-Type`` are signed; the query is sent in canonical order.
    """

    def __init__(self, endpoint: str, ak: str, sk: str, project_id: str, timeout: float = 30.0):
        self.endpoint = endpoint.rstrip("/")
        self.ak, self.sk, self.project_id = ak, sk, project_id
        self.http = httpx.Client(timeout=timeout)

    @classmethod
    def from_credentials(cls, credentials: dict, endpoint: str | None = None) -> "SignedClient":
        return cls(endpoint or credentials["endpoint"], credentials["ak"], credentials["sk"],
                   credentials["project_id"])

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, *, params: dict | Iterable | None = None, json_body: Any = None,
                raw_body: bytes | None = None, headers: dict | None = None, sdk_date: str | None = None,
                sign: bool = True) -> httpx.Response:
        pairs = list(params.items() if isinstance(params, dict) else (params or []))
        pairs = [(str(k), str(v)) for k, v in pairs]
        body = raw_body if raw_body is not None else (
            json.dumps(json_body).encode() if json_body is not None else b"")
        signed = {
            "Host": urlsplit(self.endpoint).netloc,
            "X-Sdk-Date": sdk_date or signing.sdk_date(),
            "X-Project-Id": self.project_id,
            "Content-Type": "application/json",
        }
        if sign:
            signed["Authorization"] = signing.sign(method, path, pairs, signed, body, self.ak, self.sk)
        query = signing.canonical_query(pairs)
        url = self.endpoint + path + (f"?{query}" if query else "")
        return self.http.request(method, url, content=body, headers={**signed, **(headers or {})})

    # shortcuts for the instance API
    @property
    def base(self) -> str:
        return f"/v1/{self.project_id}/demanager/instances"

    def create(self, body: dict) -> httpx.Response:
        return self.request("POST", self.base, json_body=body)

    def get(self, instance_id: str) -> httpx.Response:
        return self.request("GET", f"{self.base}/{instance_id}")

    def list(self, **params: Any) -> httpx.Response:
        return self.request("GET", self.base, params={"de_type": "Notebook", **params})

    def update(self, instance_id: str, body: dict) -> httpx.Response:
        return self.request("PUT", f"{self.base}/{instance_id}", json_body=body)

    def delete(self, instance_id: str) -> httpx.Response:
        return self.request("DELETE", f"{self.base}/{instance_id}")

    def action(self, instance_id: str, action: str) -> httpx.Response:
        return self.request("POST", f"{self.base}/{instance_id}/action", json_body={"action": action})

    def token(self, instance_id: str) -> httpx.Response:
        return self.request("GET", f"{self.base}/{instance_id}/token")

    def advance_clock(self, seconds: float) -> httpx.Response:
        return self.request("POST", "/_emulator/clock", json_body={"advance_seconds": seconds})

    def wait_status(self, instance_id: str, wanted: str | Iterable[str], timeout: float = 45.0) -> dict:
        """Poll details until the status is one of ``wanted``; returns the instance."""
        wanted = {wanted} if isinstance(wanted, str) else set(wanted)
        deadline = time.monotonic() + timeout
        seen = None
        while time.monotonic() < deadline:
            response = self.get(instance_id)
            assert response.status_code == 200, response.text
            seen = response.json()
            if seen["status"] in wanted:
                return seen
            time.sleep(0.05)
        raise AssertionError(f"{instance_id} did not reach {wanted} in {timeout}s; last: {seen}")


# --- processes -------------------------------------------------------------------------------

def _is_instance_process(pid: int) -> bool:
    try:
        return LAUNCHER in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


def with_process(row: dict) -> dict:
    """A stored instance row with the ``pid`` and ``port`` that its local provisioner's handle holds."""
    from nb_devenv.server.provisioners.local import parse_local_handle

    row["pid"], row["port"] = parse_local_handle(row.get("handle"))
    return row


def pid_alive(pid: int) -> bool:
    """Live (not a zombie) process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def instance_pids(data_dir: Path) -> set[int]:
    """Every instance server process this data dir knows of (runtime files and the DB)."""
    pids = set()
    for runtime_file in data_dir.glob("instances/*/runtime/jpserver-*.json"):
        try:
            pids.add(int(runtime_file.stem.split("-", 1)[1]))
        except ValueError:
            pass
    db = data_dir / "state.sqlite3"
    if db.exists():
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
                pids.update(row[0] for row in conn.execute("SELECT pid FROM instances WHERE pid IS NOT NULL"))
        except sqlite3.Error:
            pass
    return {pid for pid in pids if _is_instance_process(pid)}


def terminate(pids, grace: float = 5.0, *, group: bool = False) -> None:
    """SIGTERM (to each process group with ``group``), then SIGKILL whatever is still alive
    after ``grace`` seconds."""
    send = os.killpg if group else os.kill
    pids = [p for p in pids if pid_alive(p)]
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        for pid in pids:
            if pid_alive(pid):
                try:
                    send(pid, sig)
                except OSError:
                    pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
            time.sleep(0.05)


def kill_instances(data_dir: Path, grace: float = 3.0) -> None:
    terminate(instance_pids(data_dir), grace, group=True)


class ServerProcess:
    """A running ``python -m nb_devenv.server`` on a free port.

    Attributes
    ----------
    endpoint : str
        ``http://127.0.0.1:PORT`` (changes across :meth:`restart`).
    data_dir : pathlib.Path
    credentials : dict
        ``credentials.json`` as written by the server.
    stderr_path : pathlib.Path
        The server's stderr (all starts appended).
    """

    def __init__(self, data_dir: Path, extra_args: Iterable[str] = (), env: dict | None = None):
        self.data_dir = Path(data_dir)
        self.extra_args = list(extra_args)
        #: extra environment of the next start (e.g. NB_DEVENV_CRASH_AT for the fault tests)
        self.env = dict(env or {})
        self.stderr_path = self.data_dir.parent / f"{self.data_dir.name}-server-stderr.log"
        self.process: subprocess.Popen | None = None
        self.endpoint = ""
        self.credentials: dict = {}
        self._clients: list[SignedClient] = []

    def start(self) -> "ServerProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "server.json").unlink(missing_ok=True)
        with open(self.stderr_path, "ab") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "nb_devenv.server", "--port", "0", "--data-dir", str(self.data_dir),
                 *self.extra_args],
                stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr, env={**os.environ, **self.env},
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.stderr_text()}")
            info = self._server_json()
            if info and info.get("pid") == self.process.pid:
                try:
                    if httpx.get(info["endpoint"] + "/_emulator/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready in {SERVER_START_TIMEOUT}s:\n{self.stderr_text()}")
            time.sleep(0.05)
        self.endpoint = info["endpoint"]
        self.credentials = json.loads((self.data_dir / "credentials.json").read_text())
        return self

    def _server_json(self) -> dict | None:
        try:
            return json.loads((self.data_dir / "server.json").read_text())
        except (OSError, ValueError):
            return None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        """Stop the server only (instances keep running, by design); returns its exit code."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(5)

    def restart(self) -> "ServerProcess":
        self.stop()
        return self.start()

    def client(self, credentials: dict | None = None) -> SignedClient:
        """A signed client for the default project (or for ``credentials``), on the current endpoint."""
        client = SignedClient.from_credentials(credentials or self.credentials, endpoint=self.endpoint)
        self._clients.append(client)
        return client

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.stop()
        kill_instances(self.data_dir)


@pytest.fixture
def server_factory(tmp_path) -> Callable[..., ServerProcess]:
    """``server_factory(*extra_args, data_dir=None, env=None)`` → a started :class:`ServerProcess`;
    all of them are stopped, and their instances killed, at teardown."""
    started: list[ServerProcess] = []

    def make(*extra_args: str, data_dir: Path | None = None, env: dict | None = None) -> ServerProcess:
        server = ServerProcess(data_dir or tmp_path / f"data{len(started)}", extra_args, env)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.close()


@pytest.fixture
def local_server(server_factory) -> ServerProcess:
    """A fresh server (function scope)."""
    return server_factory()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory) -> ServerProcess:
    """One server for a whole test module (instances accumulate: use distinct names)."""
    server = ServerProcess(tmp_path_factory.mktemp("shared") / "data").start()
    yield server
    server.close()
