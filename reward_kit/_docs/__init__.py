"""The user documentation (the Markdown pages of ``docs/``), wherever reward-kit is installed.

``docs/`` at the repository root is the pages' only source. A wheel carries a copy of them in
``reward_kit/_docs/pages/``, made at build time by ``setup.py``; a source checkout (the editable
install used in development) reads ``docs/`` itself. Pages are named by their path under
``docs/`` without ``.md``: ``configuration``, ``rewards/math``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reward_kit.errors import RewardKitError

__all__ = ["Page", "docs_root", "find_page", "list_pages", "search_pages"]

_PACKAGED = Path(__file__).resolve().parent / "pages"
_CHECKOUT = Path(__file__).resolve().parents[2]


def docs_root() -> Path:
    """The folder holding the pages: the wheel's copy, else the source checkout's ``docs/``.

    Raises:
        RewardKitError: neither exists (an installation built without its pages).
    """
    if _PACKAGED.is_dir():
        return _PACKAGED
    checkout_docs = _CHECKOUT / "docs"
    if (_CHECKOUT / "pyproject.toml").is_file() and (checkout_docs / "index.md").is_file():
        return checkout_docs
    raise RewardKitError(
        f"the documentation pages are not installed (looked in {_PACKAGED} and "
        f"{checkout_docs}): reinstall reward-kit from a wheel or a source checkout"
    )


@dataclasses.dataclass(frozen=True)
class Page:
    """One documentation page."""

    name: str
    """Path under ``docs/`` without ``.md``, with ``/`` between folders: ``rewards/math``."""
    path: Path
    """The Markdown file."""

    def text(self) -> str:
        """The page's Markdown source."""
        return self.path.read_text(encoding="utf-8")

    @property
    def title(self) -> str:
        """The text of the page's first ``# `` heading (backticks dropped), else its name."""
        for line in self.text().splitlines():
            if line.startswith("# "):
                return line[2:].replace("`", "").strip()
        return self.name


def list_pages(root: Path | None = None) -> list[Page]:
    """Every page under ``root`` (default: :func:`docs_root`), top-level pages first."""
    folder = docs_root() if root is None else root
    pages = [Page(path.relative_to(folder).with_suffix("").as_posix(), path)
             for path in folder.rglob("*.md")]  # fmt: skip
    return sorted(pages, key=lambda page: (page.name.count("/"), page.name))


def _normalise(name: str) -> str:
    """``docs/rewards/math.md``, ``rewards\\math`` and ``Rewards/Math``: ``rewards/math``."""
    text = name.strip().replace("\\", "/").lower().removeprefix("./").removeprefix("docs/")
    return text.removesuffix(".md")


def find_page(name: str, pages: list[Page]) -> Page | None:
    """The page called ``name``, or the only page whose last path part is ``name`` (``math``
    for ``rewards/math``); None when there is no such page or several."""
    wanted = _normalise(name)
    for page in pages:
        if page.name.lower() == wanted:
            return page
    by_stem = [page for page in pages if page.name.rsplit("/", 1)[-1].lower() == wanted]
    return by_stem[0] if len(by_stem) == 1 else None


def search_pages(word: str, pages: list[Page]) -> list[tuple[Page, int]]:
    """The pages that mention ``word`` (case-insensitive), each with its number of such lines."""
    needle = word.lower()
    found = []
    for page in pages:
        count = sum(needle in line.lower() for line in page.text().splitlines())
        if count:
            found.append((page, count))
    return found
