"""What the tutorial tests (nbclient) and the browser tests (JupyterLab) share.

Both run the tutorials on a real kernel in a *sandbox*: a temporary root holding the IPython
and Jupyter directories and the nb_devenv data directory, with an environment from which the
developer's own cloud settings are removed. With ``NB_DEVENV_DATA_DIR`` pointing into the
sandbox and no endpoint, the magics start the embedded local server there by themselves (as
for a user); :meth:`Sandbox.close` stops that server, kills its instances, and checks that no
process started for the sandbox is left.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from conftest import kill_instances, pid_alive, terminate

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO / "notebooks"
ARTIFACTS_DIR = REPO / "test-artifacts"

# settings of the developer's shell that must not reach a tutorial kernel (a real cloud account,
# another Jupyter's directories or token)
_DROPPED_PREFIXES = ("NB_DEVENV_", "HUAWEICLOUD_SDK_", "JPY_")
_DROPPED = {"IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_TOKEN",
            "JUPYTER_PORT", "JUPYTER_PREFER_ENV_PATH"}


def tutorials() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _environ(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def processes_mentioning(text: str) -> dict[int, str]:
    """Live processes (not zombies) whose command line or environment contains ``text``,
    except this one: everything started for a sandbox inherits its environment (kernels have
    their connection file elsewhere, so the command line alone would miss them)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        pid = int(entry.name)
        cmdline = _cmdline(pid)
        if (text in cmdline or text in _environ(pid)) and pid_alive(pid):
            found[pid] = cmdline
    return found


class Sandbox:
    """A temporary root for tutorial kernels (see the module docstring).

    Attributes
    ----------
    root : pathlib.Path
    data_dir : pathlib.Path
        ``NB_DEVENV_DATA_DIR`` of the kernels: where the local server is started on demand.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self.data_dir = self.root / "nb_devenv-data"
        self.runtime_dir = self.root / "jupyter-runtime"
        for sub in ("ipython", "jupyter-config", "jupyter-data", "jupyter-runtime"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._tokens: set[str] = set()

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a kernel (or of a Jupyter server whose kernels inherit it)."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(_DROPPED_PREFIXES) and k not in _DROPPED}
        env.update({
            "IPYTHONDIR": str(self.root / "ipython"),
            "JUPYTER_CONFIG_DIR": str(self.root / "jupyter-config"),
            "JUPYTER_DATA_DIR": str(self.root / "jupyter-data"),
            "JUPYTER_RUNTIME_DIR": str(self.runtime_dir),
            "NB_DEVENV_DATA_DIR": str(self.data_dir),
            "PYTHONUNBUFFERED": "1",
        })
        env.update(extra)
        return env

    # -- what the local server of the sandbox knows ------------------------------------------

    def credentials(self) -> dict:
        try:
            return json.loads((self.data_dir / "credentials.json").read_text())
        except (OSError, ValueError):
            return {}

    def server_pid(self) -> int | None:
        try:
            return int(json.loads((self.data_dir / "server.json").read_text())["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def collect_instance_tokens(self, data_dir: Path | None = None) -> set[str]:
        """Remember the Jupyter token of every instance the server knows now (deleted instances
        vanish from its database, so this is called after every cell); returns all seen so far."""
        db = Path(data_dir or self.data_dir) / "state.sqlite3"
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
                    self._tokens.update(row[0] for row in conn.execute("SELECT jupyter_token FROM instances"))
            except sqlite3.Error:
                pass
        return set(self._tokens)

    # -- teardown --------------------------------------------------------------------------------

    def close(self) -> dict[int, str]:
        """Stop the sandbox's local server, kill its instances and every other process that
        still refers to the sandbox; returns what had to be killed at the end (should be empty)."""
        pid = self.server_pid()
        if pid is not None and str(self.data_dir) in _cmdline(pid):  # not a recycled pid
            terminate([pid], grace=10.0)
        kill_instances(self.data_dir)
        leftovers = processes_mentioning(str(self.root))
        terminate(leftovers)
        return leftovers
