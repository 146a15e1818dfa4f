"""``python -m reward_kit`` runs the command line."""

import sys

from reward_kit.cli import main

sys.exit(main())
