"""What ``deploy`` uploads: an evaluator's code, requirements and entry points.

Every file of each metrics folder is included, except what ``.gitignore`` excludes and what
must never leave the machine whatever the ignore files say: secrets (``.env``, keys,
credentials), version control, caches and virtual environments. Symbolic links are skipped,
so nothing outside the folder is ever packaged. The code is read, never imported: the
``@reward_function(requirements=[...])`` of ``main.py`` is found by parsing it.
"""

from __future__ import annotations

import ast
import fnmatch
import gzip
import io
import json
import os
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reward_kit.errors import RewardKitError

MANIFEST = "reward_kit_manifest.json"
ENTRY_FILE, ENTRY_FUNCTION = "main.py", "evaluate"

_SECRET_PATTERNS = (
    ".env", ".env.*", "*.env", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore",
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", ".netrc", ".pypirc", ".npmrc",
    ".git-credentials", "auth.ini", "credentials", "credentials.json", "*credentials*.json",
    "service-account*.json", "secrets.*", "*.secret", "*.secrets",
)  # fmt: skip
_SAFE_TEMPLATES = (".env.example", ".env.sample", ".env.template")
_NEVER_DIRS = (
    ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", "node_modules",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "*.egg-info",
    ".idea", ".vscode", ".aws", ".ssh", ".gnupg", ".fireworks",
)  # fmt: skip
_NEVER_FILES = ("*.pyc", "*.pyo", ".DS_Store", "*.swp")


class PackagingError(RewardKitError, ValueError):
    """A folder cannot be deployed as it is; the message says what to change."""


@dataclass
class Package:
    """The code of one evaluator, ready to archive or to send inline.

    Attributes:
        files: Name in the archive (``metric/main.py``) -> file on disk.
        entries: Reward name -> ``metric/main.py:evaluate``.
        requirements: pip requirements of all the folders, without duplicates.
        excluded: Files left out and why (``metric/.env: secret``).
    """

    files: dict[str, Path] = field(default_factory=dict)
    entries: dict[str, str] = field(default_factory=dict)
    requirements: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    def requirements_text(self) -> str:
        """The requirements as a requirements.txt."""
        return "".join(f"{line}\n" for line in self.requirements)

    def manifest(self) -> str:
        """The manifest telling a registry where the reward functions are."""
        return json.dumps({"entries": self.entries}, indent=2, sort_keys=True) + "\n"

    def archive_bytes(self, root: str) -> bytes:
        """A reproducible ``.tar.gz`` of everything under ``root/``, manifest included."""
        buffer = io.BytesIO()
        with (
            gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed,
            tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            generated = {MANIFEST: self.manifest(), "requirements.txt": self.requirements_text()}
            for name, text in generated.items():
                _add_bytes(tar, f"{root}/{name}", text.encode())
            for name in sorted(self.files):
                _add_bytes(tar, f"{root}/{name}", self.files[name].read_bytes())
        return buffer.getvalue()

    def file_contents(self, metric: str) -> dict[str, str]:
        """One metric's files as text, for the inline (legacy) create form."""
        contents: dict[str, str] = {}
        for name, path in self.files.items():
            if name.startswith(f"{metric}/"):
                try:
                    contents[name[len(metric) + 1 :]] = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    raise PackagingError(
                        f"{path} is not text; the inline form carries text files only, "
                        "deploy with the upload flow instead"
                    ) from None
        return contents

    def listing(self) -> list[str]:
        """Every path that would be uploaded, generated files included."""
        return sorted([*self.files, MANIFEST, "requirements.txt"])


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0
    tar.addfile(info, io.BytesIO(data))


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def _gitignore_specs(folder: Path) -> list[tuple[Path, object]]:
    """The .gitignore files that apply to ``folder``: its ancestors' up to the repository root."""
    import pathspec

    specs: list[tuple[Path, object]] = []
    for directory in [folder, *folder.parents]:
        ignore = directory / ".gitignore"
        if ignore.is_file():
            lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
            specs.append((directory, pathspec.GitIgnoreSpec.from_lines(lines)))
        if (directory / ".git").exists():
            break
    return specs


def _ignored(path: Path, is_dir: bool, specs: list[tuple[Path, object]]) -> bool:
    """Whether the ignore files exclude ``path``; the deepest file with a verdict decides."""
    for base, spec in specs:
        relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        verdict = spec.check_file(relative).include  # type: ignore[attr-defined]
        if verdict is not None:
            return bool(verdict)
    return False


def collect_files(folder: Path, prefix: str, package: Package) -> None:
    """Add the files of ``folder`` under ``prefix/`` to ``package``."""
    specs = _gitignore_specs(folder)
    for directory, subdirs, files in os.walk(folder):
        here = Path(directory)
        rules = _gitignore_specs_inside(here, folder) + specs  # deepest first
        for name in sorted(subdirs):
            path = here / name
            why = (
                "symbolic link" if path.is_symlink()
                else "never uploaded" if _matches(name, _NEVER_DIRS)
                or (path / "pyvenv.cfg").exists()
                else ".gitignore" if _ignored(path, True, rules)
                else None
            )  # fmt: skip
            if why:
                subdirs.remove(name)
                package.excluded.append(f"{prefix}/{path.relative_to(folder).as_posix()}/: {why}")
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(folder).as_posix()
            why = (
                "symbolic link" if path.is_symlink()
                else "secret" if _matches(name, _SECRET_PATTERNS) and name not in _SAFE_TEMPLATES
                else "never uploaded" if _matches(name, _NEVER_FILES)
                else ".gitignore" if _ignored(path, False, rules)
                else None
            )  # fmt: skip
            if why:
                package.excluded.append(f"{prefix}/{relative}: {why}")
            else:
                package.files[f"{prefix}/{relative}"] = path


def _gitignore_specs_inside(directory: Path, folder: Path) -> list[tuple[Path, object]]:
    """Nested .gitignore files between ``folder`` (exclusive) and ``directory`` (inclusive)."""
    import pathspec

    specs: list[tuple[Path, object]] = []
    for current in [directory, *directory.parents]:
        if current == folder or folder not in current.parents:
            break
        ignore = current / ".gitignore"
        if ignore.is_file():
            lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
            specs.append((current, pathspec.GitIgnoreSpec.from_lines(lines)))
    return specs


def declared_requirements(source: str, function: str, where: str) -> list[str]:
    """``requirements=[...]`` of ``@reward_function`` on ``function``, read without importing.

    Raises:
        PackagingError: the file does not parse, or defines no such function.
    """
    try:
        tree = ast.parse(source, filename=where)
    except SyntaxError as exc:
        raise PackagingError(f"{where} has a syntax error (line {exc.lineno}): {exc.msg}") from None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == function:
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call):
                    for keyword in decorator.keywords:
                        if keyword.arg == "requirements":
                            try:
                                return [str(r) for r in ast.literal_eval(keyword.value)]
                            except ValueError:
                                raise PackagingError(
                                    f"{where}: requirements= of {function}() must be a literal "
                                    "list of strings"
                                ) from None
            return []
    raise PackagingError(f"{where} defines no function {function}()")


def build_package(folders: Mapping[str, str | Path], entry: str | None = None) -> Package:
    """Package metrics folders (name -> folder holding ``main.py`` with ``evaluate``).

    Args:
        folders: Metric name -> folder.
        entry: ``file.py:function`` inside the folder, when not ``main.py:evaluate`` (only
            with a single folder).
    """
    if not folders:
        raise PackagingError("nothing to deploy: give at least one metrics folder")
    if entry and len(folders) > 1:
        raise PackagingError("a function reference can only be used with one metrics folder")
    file, _, function = (entry or f"{ENTRY_FILE}:{ENTRY_FUNCTION}").partition(":")
    package = Package()
    for name, location in folders.items():
        if not name or "/" in name or name.startswith("."):
            raise PackagingError(f"metric name {name!r} must be a plain name (no '/')")
        folder = Path(location).expanduser().resolve()
        if not folder.is_dir():
            raise PackagingError(f"metrics folder {name}={location}: {folder} is not a folder")
        main = folder / file
        if not main.is_file():
            raise PackagingError(f"metrics folder {name}={location} has no {file}")
        collect_files(folder, name, package)
        if f"{name}/{file}" not in package.files:
            raise PackagingError(f"{main} is excluded from the upload (check .gitignore)")
        source = main.read_text(encoding="utf-8")
        for requirement in declared_requirements(source, function or ENTRY_FUNCTION, str(main)):
            if requirement not in package.requirements:
                package.requirements.append(requirement)
        requirements_file = folder / "requirements.txt"
        if requirements_file.is_file():
            for line in requirements_file.read_text(encoding="utf-8").splitlines():
                line = line.split(" #", 1)[0].strip()
                if line and not line.startswith("#") and line not in package.requirements:
                    package.requirements.append(line)
        package.entries[name] = f"{PurePosixPath(name, file)}:{function or ENTRY_FUNCTION}"
    return package
