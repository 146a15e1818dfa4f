"""Plug reward-kit rewards into training frameworks (``reward_kit.integrations.trl``)."""
