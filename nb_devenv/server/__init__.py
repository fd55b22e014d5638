"""The embedded local server that speaks the ModelArts development-environment APIs (the
Notebook API and the old DevEnviron API), with real instances.

Each instance is a real Jupyter server process on 127.0.0.1; state lives in SQLite under the
data directory and survives restarts. The server imports only ``nb_devenv.contract``,
``nb_devenv.core.signing``, ``nb_devenv.core.redaction``, ``nb_devenv.core.clock`` and ``__version__`` from this
package.

Names are imported on first use (PEP 562): every instance is started as
``python -m nb_devenv.server.jupyter_launcher``, which imports this package first, and an
instance should not pay for loading the server it does not run.
"""

from __future__ import annotations

from nb_devenv.core.lazy import lazy_exports

__all__ = ["add_serve_arguments", "add_project", "main", "run_from_args", "serve", "ServerConfig",
           "DataDir", "default_data_dir", "write_private_json"]

_HOMES = {
    "add_serve_arguments": "app", "main": "app", "run_from_args": "app", "serve": "app",
    "ServerConfig": "app",
    "add_project": "authenticator",
    "DataDir": "data_dir", "default_data_dir": "data_dir", "write_private_json": "data_dir",
}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())
