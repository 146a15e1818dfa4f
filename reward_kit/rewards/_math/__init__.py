"""Private machinery of the math rewards: answer extraction, parsing and equivalence.

The public rewards (`reward_kit.rewards.math` and friends) call into this package through the
worker entry points in `_math.worker`, so that everything that may run long (sympy) happens in a
killable worker process.
"""
