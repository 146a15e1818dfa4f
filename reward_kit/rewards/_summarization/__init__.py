"""Internals of the summarisation rewards: the length gate, key facts, fluency."""
