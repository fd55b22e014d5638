"""The data directory of the local server: where it is by default, and the files in it that
other programs read. One home for these names, used by the server that writes the files and
by the client and CLI that read them."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_data_dir", "CREDENTIALS_FILE", "SERVER_FILE", "SERVER_LOG"]

#: the data directory's own project: ``endpoint``, ``project_id``, ``ak``, ``sk``, ... (mode 600)
CREDENTIALS_FILE = "credentials.json"
#: ``endpoint``, ``pid`` and ``started_at`` of the running server (removed when it ends)
SERVER_FILE = "server.json"
#: the output of a server started in the background by a client
SERVER_LOG = "server.log"


def default_data_dir() -> Path:
    """``$NB_DEVENV_DATA_DIR``, else ``$XDG_DATA_HOME/nb_devenv``, else ``~/.local/share/nb_devenv``."""
    explicit = os.environ.get("NB_DEVENV_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "nb_devenv"
