"""The package's layers, as docs/architecture.md draws them, checked by the tools made for it.

``lint-imports`` reads the contracts in pyproject.toml (``[tool.importlinter]``): which layer
may import which, and which third-party packages each layer may not touch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_linter_contract_is_kept():
    lint_imports = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    done = subprocess.run([lint_imports, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout, done.stdout


def test_load_ext_loads_neither_the_client_nor_the_widgets(tmp_path):
    """``%load_ext nb_devenv`` imports the magics only; httpx and ipywidgets (and the watcher)
    come with the first widget or request, the Notebook API's dialect with its first use
    (bench/load_ext.py measures what that saves)."""
    probe = ("import sys; from IPython.core.interactiveshell import InteractiveShell; "
             "InteractiveShell.instance().run_line_magic('load_ext', 'nb_devenv'); "
             "print(sorted(m for m in ('httpx', 'ipywidgets', 'nb_devenv.client._client', "
             "'nb_devenv.notebook.watch', 'nb_devenv.contract.notebooks') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "IPYTHONDIR": str(tmp_path / "ipython")})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_package_is_clean_under_mypy_strict():
    """``mypy`` with pyproject.toml's configuration (strict, the whole package): the public API
    is typed, and type checkers see the real classes behind the lazy top-level names."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def test_type_checkers_see_the_real_public_classes(tmp_path):
    """Through ``nb_devenv``'s lazy top level, mypy sees the classes, not ``Any``: a wrong use
    is an error (with ``Any`` it would pass), and the client's ``auth=`` wants a DevEnvAuth."""
    user_code = tmp_path / "user_code.py"
    user_code.write_text(
        "import httpx\n"
        "from nb_devenv import AsyncDevEnvClient, Instance, NotFoundError\n"
        "wrong: int = AsyncDevEnvClient\n"
        "also_wrong: str = NotFoundError('x').status_code\n"
        "AsyncDevEnvClient(auth=httpx.BasicAuth('u', 'p'))\n"
        "def ok(instance: Instance) -> str:\n"
        "    return instance.status\n")
    # MYPYPATH: mypy cannot follow setuptools' editable-install import hook; a regular install
    # puts the package (with its py.typed) where mypy finds it by itself, and keeps its own
    # errors silent, as --follow-imports=silent does here
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent",
                           str(user_code)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "MYPYPATH": str(ROOT)})
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert sorted({line.split(":")[1] for line in errors}) == ["3", "4", "5"], done.stdout
