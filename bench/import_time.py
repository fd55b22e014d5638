"""(d) ``python -c "import nb_devenv"`` vs ``python -c "import httpx"``, side by side.

``import nb_devenv`` loads its public names on first use (the server and each instance import
the package without needing the client), so it is also timed with the client actually
loaded: ``from nb_devenv import AsyncDevEnvClient`` is what a script using the API pays.
All commands run alternately in fresh interpreters; medians and ratios are printed.
"""

from __future__ import annotations

import subprocess
import sys
import time

from _alternate import alternating_medians, print_ratios

ROUNDS = 15


def _time(statement: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - start


STATEMENTS = {
    "import nb_devenv": "import nb_devenv",
    "from nb_devenv import AsyncDevEnvClient": "from nb_devenv import AsyncDevEnvClient",
    "import httpx": "import httpx",
    "python -c pass": "pass",
}


def main() -> None:
    medians = alternating_medians({name: (lambda s=statement: _time(s)) for name, statement in STATEMENTS.items()},
                                  ROUNDS)
    print_ratios(medians, baseline="import httpx")
    print(f"({ROUNDS} alternating runs; interpreter start-up alone is the 'pass' line)")


if __name__ == "__main__":
    main()
