"""Fixtures of the plugin's tests: a local OpenAI-compatible server for generation."""

from tests._servers.openai_stub import openai_stub

__all__ = ["openai_stub"]
