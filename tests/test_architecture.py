"""The package's layers, as docs/architecture.md draws them, checked by the tools made for it.

``lint-imports`` reads the contracts in pyproject.toml (``[tool.importlinter]``): which layer
may import which, and which third-party packages each layer may not touch.
"""

from __future__ import annotations

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
