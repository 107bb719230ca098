"""``python -m inklab`` runs the command line."""

import sys

from inklab.cli.__main__ import main

sys.exit(main())
