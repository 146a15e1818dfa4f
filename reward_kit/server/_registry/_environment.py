"""A virtual environment per evaluator for the requirements it declares.

Requirements are installed with the server's pip into the evaluator's own venv (``pip --python``),
never into the server's environment. The evaluator's workers put that venv's site-packages
first on ``sys.path``; reward-kit itself always comes from the server, so a requirement on
``reward-kit`` is dropped rather than installed over it.

Only names with version specifiers are accepted, from the indexes the operator configured for
pip: pip options, URLs (``pkg @ https://...``, ``file://``) and paths could make the server
fetch from anywhere or read its own files. pip runs with an environment of only ``PATH``,
locale, proxy and ``PIP_*`` variables, so the server's other secrets never reach a build.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

_PROVIDED = re.compile(r"^reward[-_.]?kit(\[[^\]]*\])?\s*([<>=!~;@ ]|$)", re.IGNORECASE)
_INSTALL_TIMEOUT = 900.0
_VERSION = r"\s*(~=|==|!=|<=|>=|<|>|===)\s*[A-Za-z0-9.*+!_-]+\s*"
_SPECIFIER = re.compile(
    r"(?P<name>[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[A-Za-z0-9._,\s-]*\])?"
    rf"({_VERSION}(,{_VERSION})*)?\s*(;[^@/\\]*)?"
)
_ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz")
_PIP_ENVIRONMENT = frozenset(
    {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"}
)
_PIP_PREFIXES = ("PIP_", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
                 "no_proxy", "SSL_CERT_", "REQUESTS_CA_BUNDLE")  # fmt: skip


class RequirementsError(RuntimeError):
    """Installing an evaluator's requirements failed; the message has pip's last lines."""


def parse_requirements(*sources: str) -> list[str]:
    """Requirement lines from requirements texts: comments, blanks and reward-kit dropped.

    Raises:
        ValueError: a line is a pip option (``-r``, ``-e``, ``--index-url``...), a URL or a
            path, which could reach files or indexes the server did not choose.
    """
    requirements: list[str] = []
    for source in sources:
        for number, raw in enumerate(source.splitlines(), start=1):
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("-"):
                raise ValueError(
                    f"requirements line {number} ({line!r}) is a pip option; only requirement "
                    "specifiers such as 'numpy>=1.26' are accepted"
                )
            _check_specifier(number, line)
            if not _PROVIDED.match(line) and line not in requirements:
                requirements.append(line)
    return requirements


def _check_specifier(number: int, line: str) -> None:
    match = _SPECIFIER.fullmatch(line)
    if match is None or match["name"].lower().endswith(_ARCHIVE_SUFFIXES):
        raise ValueError(
            f"requirements line {number} ({line!r}) is not a package name with optional version "
            "specifiers; URLs ('pkg @ https://...', 'file://...') and paths are refused, "
            "packages come from the indexes this server's pip is configured with"
        )


def _pip_environment() -> dict[str, str]:
    """The part of the server's environment pip needs: its configuration and proxies."""
    return {
        name: value
        for name, value in os.environ.items()
        if name in _PIP_ENVIRONMENT or name.startswith(_PIP_PREFIXES)
    }


def site_packages(venv_dir: Path) -> Path:
    """The site-packages folder of a venv made with this interpreter."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if sys.platform == "win32":
        return venv_dir / "Lib" / "site-packages"
    return venv_dir / "lib" / version / "site-packages"


def build_environment(venv_dir: Path, requirements: list[str]) -> Path:
    """Create ``venv_dir`` and install ``requirements`` into it; returns its site-packages.

    Raises:
        RequirementsError: pip failed (the message ends with its output) or took too long.
    """
    venv.EnvBuilder(with_pip=False, clear=True).create(venv_dir)
    python = venv_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    command = [
        sys.executable, "-m", "pip", "--python", str(python), "install",
        "--disable-pip-version-check", "--no-input", "--quiet", *requirements,
    ]  # fmt: skip
    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=_INSTALL_TIMEOUT,
            check=False,
            env=_pip_environment(),
        )
    except subprocess.TimeoutExpired:
        raise RequirementsError(
            f"installing {requirements} took longer than {_INSTALL_TIMEOUT:g} s"
        ) from None
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip().splitlines()[-15:]
        raise RequirementsError(f"pip could not install {requirements}:\n" + "\n".join(output))
    return site_packages(venv_dir)
