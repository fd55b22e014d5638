"""``%load_ext nb_devenv`` vs ``import ipywidgets`` alone, side by side in fresh interpreters.

Each run first creates an IPython shell (not timed), then times one of the two. Loading the
extension registers the magic and its configuration; the widgets, the client and httpx load
when the first subcommand needs them, so a third line shows that first-use cost too.
Target: load_ext <= 1.3x import ipywidgets.
"""

from __future__ import annotations

import subprocess
import sys

from _alternate import alternating_medians, print_ratios

ROUNDS = 15
SETUP = "import time\nfrom IPython.core.interactiveshell import InteractiveShell\nsh = InteractiveShell.instance()\n"
TIMED = {
    "%load_ext nb_devenv": "sh.run_line_magic('load_ext', 'nb_devenv')",
    "import ipywidgets": "import ipywidgets",
    "%load_ext + first widget use": "sh.run_line_magic('load_ext', 'nb_devenv'); import nb_devenv.notebook.widgets",
}


def _time(statement: str) -> float:
    code = SETUP + f"t = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)\n"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    medians = alternating_medians({name: (lambda s=statement: _time(s)) for name, statement in TIMED.items()},
                                  ROUNDS)
    print_ratios(medians, baseline="import ipywidgets")
    print(f"(target: %load_ext <= 1.3x; {ROUNDS} alternating runs in fresh interpreters)")


if __name__ == "__main__":
    main()
