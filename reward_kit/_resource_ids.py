"""Rules for the ids of evaluators, accounts and secrets, shared by deploy and the server."""

from __future__ import annotations

import re

EVALUATOR_ID = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
"""Fireworks' rule: 1-63 lower-case letters, digits or '-', not starting or ending with '-'."""
ACCOUNT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
"""A secret's name is the environment variable the evaluator reads it from."""
