"""``python -m reward_kit.cli`` runs the command line, as reward-kit's documentation types it."""

import sys

from reward_kit.cli import main

sys.exit(main())
