"""``%load_ext nb_devenv`` vs ``import ipywidgets`` alone, side by side in fresh interpreters.

Each run first creates an IPython shell (not timed), then times one of the two. Loading the
extension registers the magic and its configuration; the widgets, the client and httpx load
when the first subcommand needs them, so a third line shows that first-use cost too.
Target: load_ext <= 1.3x import ipywidgets.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

ROUNDS = 15
SETUP = "import time\nfrom IPython.core.interactiveshell import InteractiveShell\nsh = InteractiveShell.instance()\n"
TIMED = {
    "%load_ext nb_devenv": "sh.run_line_magic('load_ext', 'nb_devenv')",
    "import ipywidgets": "import ipywidgets",
    "%load_ext + first widget use": "sh.run_line_magic('load_ext', 'nb_devenv'); import nb_devenv.widgets",
}


def _time(statement: str) -> float:
    code = SETUP + f"t = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)\n"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    times: dict[str, list[float]] = {name: [] for name in TIMED}
    for statement in TIMED.values():
        _time(statement)  # warm the file cache
    for _ in range(ROUNDS):
        for name, statement in TIMED.items():
            times[name].append(_time(statement))
    median = {name: statistics.median(v) for name, v in times.items()}
    base = median["import ipywidgets"]
    for name, value in median.items():
        print(f"{name:32s} median {value * 1000:6.1f} ms   ratio to import ipywidgets {value / base:.2f}x")
    print(f"(target: %load_ext <= 1.3x; {ROUNDS} alternating runs in fresh interpreters)")


if __name__ == "__main__":
    main()
