"""A virtual environment per evaluator for the requirements it declares.

Requirements are installed with the server's pip into the evaluator's own venv (``pip --python``),
never into the server's environment. The evaluator's workers put that venv's site-packages
first on ``sys.path``; reward-kit itself always comes from the server, so a requirement on
``reward-kit`` is dropped rather than installed over it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import venv
from pathlib import Path

_PROVIDED = re.compile(r"^reward[-_.]?kit(\[[^\]]*\])?\s*([<>=!~;@ ]|$)", re.IGNORECASE)
_INSTALL_TIMEOUT = 900.0


class RequirementsError(RuntimeError):
    """Installing an evaluator's requirements failed; the message has pip's last lines."""


def parse_requirements(*sources: str) -> list[str]:
    """Requirement lines from requirements texts: comments, blanks and reward-kit dropped.

    Raises:
        ValueError: a line is a pip option (``-r``, ``-e``, ``--index-url``...), which could
            reach files or indexes the server did not choose.
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
            if not _PROVIDED.match(line) and line not in requirements:
                requirements.append(line)
    return requirements


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
            command, capture_output=True, text=True, timeout=_INSTALL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise RequirementsError(
            f"installing {requirements} took longer than {_INSTALL_TIMEOUT:g} s"
        ) from None
    if completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip().splitlines()[-15:]
        raise RequirementsError(f"pip could not install {requirements}:\n" + "\n".join(output))
    return site_packages(venv_dir)
