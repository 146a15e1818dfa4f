"""Reading Lean proofs: the proof text of a response, its structure, and running Lean on it."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from typing import ClassVar

from reward_kit.execution.languages import Language, register_language

_FENCE = re.compile(r"```[ \t]*(lean4?|)[^\n]*\n(.*?)```", re.DOTALL | re.IGNORECASE)
_DECLARATION = re.compile(
    r"^\s*(?:@\[[^\]]*\]\s*)?(?:private\s+|protected\s+)?(theorem|lemma|example)\b", re.MULTILINE
)
_INCOMPLETE = re.compile(r"\b(sorry|admit|admitted)\b")
_HAVE = re.compile(r"^\s*(?:·\s*)?(?:have|suffices|obtain)\b", re.MULTILINE)
_TACTICS = (
    "intro", "intros", "induction", "cases", "rcases", "simp", "rw", "exact", "apply", "refine",
    "linarith", "nlinarith", "norm_num", "ring", "omega", "calc", "constructor", "use",
    "exists", "unfold", "field_simp", "positivity", "decide", "aesop", "tauto", "contradiction",
)  # fmt: skip
_TACTIC = re.compile(r"\b(" + "|".join(_TACTICS) + r")\b")
LEAN_TIMEOUT = 120.0


@dataclass(frozen=True)
class ProofShape:
    """What can be seen of a Lean proof without running Lean."""

    code: str
    declarations: int
    has_body: bool
    incomplete: list[str]
    tactics: list[str]
    subgoals: int
    depth: int

    @property
    def complete(self) -> bool:
        """A declaration with a proof body and no ``sorry``/``admit``."""
        return self.declarations > 0 and self.has_body and not self.incomplete


def proof_code(text: str) -> str:
    """The Lean code of a response: its last ```lean block, else the whole text."""
    blocks = [body for _, body in _FENCE.findall(text)]
    return (blocks[-1] if blocks else text).strip()


def _depth(code: str) -> int:
    """Nesting levels of the proof: indentation steps below the declaration, and bullets."""
    widths = sorted({len(line) - len(line.lstrip()) for line in code.splitlines() if line.strip()})
    return max(0, len(widths) - 1)


def proof_shape(text: str) -> ProofShape:
    """The structure of the Lean proof in ``text`` (comments ignored)."""
    code = proof_code(text)
    bare = re.sub(r"--[^\n]*|/-.*?-/", "", code, flags=re.DOTALL)
    return ProofShape(
        code=code,
        declarations=len(_DECLARATION.findall(bare)),
        has_body=":=" in bare or re.search(r"\bby\b|\bbegin\b", bare) is not None,
        incomplete=sorted(set(_INCOMPLETE.findall(bare))),
        tactics=sorted(set(_TACTIC.findall(bare))),
        subgoals=len(_HAVE.findall(bare)),
        depth=_depth(bare),
    )


class Lean(Language):
    """Lean 4: ``lean main.lean`` checks the file (elaborating it is the proof check)."""

    name: ClassVar[str] = "lean"
    file_name: ClassVar[str] = "main.lean"
    executable: ClassVar[str | None] = "lean"
    extra_address_space_mb: ClassVar[int] = 4096

    def argv(self, executable: str, memory_mb: int) -> list[str] | None:
        return [executable, self.file_name]


def lean_available() -> bool:
    """Whether a ``lean`` executable is on the PATH."""
    return shutil.which("lean") is not None


register_language(Lean())
