"""Fixtures of the compatibility tests: documented examples run as plain scripts, against a
``reward-kit serve --registry`` server standing in for the Fireworks evaluator API."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reward_kit.server.testing import ServerProcess
from tests._servers.openai_stub import openai_stub

__all__ = ["openai_stub"]

ROOT = Path(__file__).resolve().parents[2]
KEY = "compat-key-0123456789"
ACCOUNT = "docs-team"

RunScript = Callable[..., str]


@pytest.fixture(scope="session")
def fireworks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a local evaluator registry that speaks the Fireworks evaluator API."""
    registry = tmp_path_factory.mktemp("registry")
    args = ["--registry", str(registry), "--api-key-env", "K", "--workers", "1"]
    with ServerProcess(args, env={"K": KEY}) as server:
        yield server.url


@pytest.fixture
def run_script(tmp_path: Path) -> RunScript:
    """Run ``code`` as ``python script.py`` in ``tmp_path`` (no ``__main__`` guard) and return
    its output; it must exit 0. ``api_base`` points the Fireworks settings at a stand-in."""

    def run(code: str, *, api_base: str | None = None, name: str = "script.py") -> str:
        script = tmp_path / name
        script.write_text(textwrap.dedent(code))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
        for variable in ("FIREWORKS_API_KEY", "FIREWORKS_ACCOUNT_ID", "FIREWORKS_API_BASE"):
            env.pop(variable, None)
        if api_base is not None:
            env.update(
                FIREWORKS_API_KEY=KEY, FIREWORKS_ACCOUNT_ID=ACCOUNT, FIREWORKS_API_BASE=api_base
            )
        done = subprocess.run(
            [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True,
            text=True, timeout=240,
        )  # fmt: skip
        assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        return done.stdout

    return run
