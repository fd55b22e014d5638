"""``python -m nb_devenv`` runs the ``nb-devenv`` command line."""

import sys

from .cli import main

sys.exit(main())
