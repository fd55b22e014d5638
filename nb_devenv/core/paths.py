"""Where the local server keeps its data by default: one rule, used by client and server."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_data_dir"]


def default_data_dir() -> Path:
    """``$NB_DEVENV_DATA_DIR``, else ``$XDG_DATA_HOME/nb_devenv``, else ``~/.local/share/nb_devenv``."""
    explicit = os.environ.get("NB_DEVENV_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "nb_devenv"
