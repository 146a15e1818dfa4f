"""Built-in reward functions, one module per family (``reward_kit.rewards.math``, ...)."""
