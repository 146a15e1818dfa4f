"""Fixtures of the reward tests: the OpenAI-compatible stand-in server for LLM judges."""

from __future__ import annotations

from tests._servers.openai_stub import openai_stub

__all__ = ["openai_stub"]
