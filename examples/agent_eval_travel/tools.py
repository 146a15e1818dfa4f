"""The default toolset: both registries' tools are reached through --registries instead."""

from .flights import R  # noqa: F401
