"""Start ``jupyter_server`` for one instance, ~1 s faster than ``jupyter server``.

The only reason this module exists: importing ``jupyter_server.serverapp`` pulls in
``rfc3987_syntax`` (via jupyter_events → jsonschema's format checkers), which compiles about 35
Lark parsers at import time, ~1.2 s of a ~1.7 s start (jupyter_server#1559). No
Jupyter schema uses the ``iri`` format it serves, so blocking the import (jsonschema then skips
that checker) changes nothing but the start-up time. Everything else is ``jupyter server``.
"""

import sys


def main() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None blocks the import
    from jupyter_server.serverapp import main as serverapp_main

    sys.exit(serverapp_main())


if __name__ == "__main__":
    main()
