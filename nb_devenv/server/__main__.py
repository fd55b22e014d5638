"""``python -m nb_devenv.server [options]`` is ``nb-devenv serve [options]``."""

import sys

from . import main

sys.exit(main())
