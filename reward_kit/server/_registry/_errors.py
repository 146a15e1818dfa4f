"""The one error the registry answers requests with."""

from __future__ import annotations

from reward_kit.errors import RewardKitError


class ServiceError(RewardKitError):
    """A request the registry refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
