"""Hydra configs shipped with reward-kit (``pkg://reward_kit.conf``): run defaults, datasets."""
