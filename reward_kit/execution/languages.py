"""Languages the executors can run, each a small class.

To add a language, subclass :class:`Language` and register it::

    from reward_kit.execution.languages import Language, register_language

    class Ruby(Language):
        name = "ruby"
        file_name = "main.rb"
        executable = "ruby"

        def argv(self, executable: str, memory_mb: int) -> list[str]:
            return [executable, self.file_name]

    register_language(Ruby())

The executable is looked up on the host's PATH when an executor starts a job; its directory is
mounted read-only into the sandbox if it is not already under ``/usr``. Python is special: it
runs inside the pre-started fork-server (no interpreter start-up per job) unless you register a
replacement that returns an ``argv``.
"""

from __future__ import annotations

from typing import ClassVar


class Language:
    """How to run a source file of one language inside the sandbox."""

    name: ClassVar[str]
    file_name: ClassVar[str]
    executable: ClassVar[str | None] = None
    extra_address_space_mb: ClassVar[int] = 0
    """Added to the per-process address-space limit (runtimes like V8 reserve a lot)."""

    def argv(self, executable: str, memory_mb: int) -> list[str] | None:
        """The command to run ``file_name`` from the job directory; None runs it in the server."""
        raise TypeError(f"{type(self).__name__} must define argv()")


class Python(Language):
    """Python, run by forking the sandbox's pre-started interpreter (``-I -S`` semantics)."""

    name = "python"
    file_name = "main.py"

    def argv(self, executable: str, memory_mb: int) -> list[str] | None:
        return None


class JavaScript(Language):
    """JavaScript on Node.js, a fresh ``node`` per job with the V8 heap capped."""

    name = "javascript"
    file_name = "main.js"
    executable = "node"
    extra_address_space_mb = 2048

    def argv(self, executable: str, memory_mb: int) -> list[str] | None:
        return [executable, f"--max-old-space-size={memory_mb}", self.file_name]


_LANGUAGES: dict[str, Language] = {}
_ALIASES = {"py": "python", "python3": "python", "js": "javascript", "node": "javascript"}


def register_language(language: Language) -> None:
    """Make ``language`` available to executors under ``language.name``."""
    _LANGUAGES[language.name] = language


def get_language(name: str) -> Language:
    """The registered language called ``name`` (aliases: py, python3, js, node)."""
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in _LANGUAGES:
        known = ", ".join(sorted(_LANGUAGES))
        raise ValueError(f"unsupported language {name!r}; registered languages: {known}")
    return _LANGUAGES[key]


register_language(Python())
register_language(JavaScript())
