"""Helpers shared by test modules in different folders (test modules never import each other)."""
