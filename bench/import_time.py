"""(d) ``python -c "import nb_devenv"`` vs ``python -c "import httpx"``, side by side.

The client layer must stay cheap to import: the magics, widgets and server load lazily.
Runs both commands alternately in fresh interpreters and prints the median wall times and
their ratio.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

ROUNDS = 15


def _time(statement: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - start


def main() -> None:
    ours, base = [], []
    _time("import nb_devenv")  # warm the file cache for both
    _time("import httpx")
    for _ in range(ROUNDS):
        ours.append(_time("import nb_devenv"))
        base.append(_time("import httpx"))
    mo, mb = statistics.median(ours), statistics.median(base)
    print(f"import nb_devenv: median {mo * 1000:.0f} ms   import httpx: median {mb * 1000:.0f} ms   "
          f"ratio {mo / mb:.2f}x  ({ROUNDS} alternating runs)")


if __name__ == "__main__":
    main()
