"""Start ``jupyter_server`` for one instance, ~1 s faster than ``jupyter server``, and end it
~1 s faster too.

Start: importing ``jupyter_server.serverapp`` pulls in ``rfc3987_syntax`` (via jupyter_events →
jsonschema's format checkers), which compiles about 35 Lark parsers at import time, ~1.2 s of a
~1.7 s start (jupyter_server#1559). No Jupyter schema uses the ``iri`` format it serves, so
blocking the import (jsonschema then skips that checker) changes nothing but the start-up time.

Stop: on SIGTERM the server shuts its kernels and extensions down and removes its runtime file
(``ServerApp._cleanup``); what is left after that is the interpreter tearing down some thousand
modules, ~0.1 s of CPU per server, over a second when ten instances reach one auto-stop
deadline together on two cores. Nothing is left to save then, so the process ends at once after
flushing its log. Everything else is ``jupyter server``.
"""

import logging
import os
import sys


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # what sys.exit("message") would print
    return 1


def main() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None blocks the import
    from jupyter_server.serverapp import main as serverapp_main

    try:
        code = _exit_code(serverapp_main())
    except SystemExit as stop:
        code = _exit_code(stop.code)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
