"""Built-in reward functions, one module per family.

Import the family you need (``from reward_kit.rewards.math import math_reward``); nothing is
imported here, so loading one family never pays for another's heavy dependencies.
"""
