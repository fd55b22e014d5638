"""(d) ``python -c "import nb_devenv"`` vs ``python -c "import httpx"``, side by side.

``import nb_devenv`` loads its public names on first use (the server and each instance import
the package without needing the client), so it is also timed with the client actually
loaded: ``from nb_devenv import AsyncDevEnvClient`` is what a script using the API pays.
All commands run alternately in fresh interpreters; medians and ratios are printed.
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


STATEMENTS = {
    "import nb_devenv": "import nb_devenv",
    "from nb_devenv import AsyncDevEnvClient": "from nb_devenv import AsyncDevEnvClient",
    "import httpx": "import httpx",
    "python -c pass": "pass",
}


def main() -> None:
    times: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    for statement in STATEMENTS.values():  # warm the file cache
        _time(statement)
    for _ in range(ROUNDS):
        for name, statement in STATEMENTS.items():
            times[name].append(_time(statement))
    median = {name: statistics.median(values) for name, values in times.items()}
    base = median["import httpx"]
    for name, value in median.items():
        print(f"{name:42s} median {value * 1000:6.0f} ms   ratio to import httpx {value / base:.2f}x")
    print(f"({ROUNDS} alternating runs; interpreter start-up alone is the 'pass' line)")


if __name__ == "__main__":
    main()
