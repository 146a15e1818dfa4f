"""reward-kit: write, test, run and deploy reward functions for LLM reinforcement learning.

The names here are the public surface most code needs. Importing the package loads only
pydantic and the standard library; heavier parts load when first used.
"""

from reward_kit.models import EvaluateResult, Message, MetricResult, StepOutput
from reward_kit.reward_function import RewardFunction
from reward_kit.typed_interface import reward_function

__all__ = [
    "EvaluateResult",
    "Message",
    "MetricResult",
    "RewardFunction",
    "StepOutput",
    "reward_function",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """Deprecated names (``RewardOutput``, ``MetricRewardOutput``) resolve through models."""
    if name in ("RewardOutput", "MetricRewardOutput"):
        from reward_kit import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
