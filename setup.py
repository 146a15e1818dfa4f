"""Build hook: the wheel carries the Markdown pages of ``docs/`` as ``reward_kit/_docs/pages/``.

The project is configured in ``pyproject.toml``; this file only adds the copy step, so that
``docs/`` at the repository root stays the pages' single source (``reward-kit docs`` reads them).
An editable install copies nothing: ``reward_kit._docs`` reads the checkout's ``docs/`` then.
``MANIFEST.in`` puts the pages in the sdist, so a wheel built from it has them too.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DOCS = Path(__file__).resolve().parent / "docs"
PAGES = Path("reward_kit", "_docs", "pages")


class BuildPyWithDocs(build_py):
    """``build_py`` that also copies ``docs/**/*.md`` into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        pages = self._pages()
        if not pages:
            raise SystemExit(f"no Markdown pages in {DOCS}: the wheel would ship without its docs")
        for page in pages:
            target = Path(self.build_lib, PAGES, page.relative_to(DOCS))
            self.mkpath(str(target.parent))
            self.copy_file(str(page), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        pages = [str(Path(self.build_lib, PAGES, page.relative_to(DOCS))) for page in self._pages()]
        return [*super().get_outputs(include_bytecode), *pages]

    @staticmethod
    def _pages() -> list[Path]:
        return sorted(DOCS.rglob("*.md"))


setup(cmdclass={"build_py": BuildPyWithDocs})
