"""Running ``reward-kit serve --registry`` and its command line, for the registry's tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from reward_kit.server.testing import ServerProcess

KEY = "registry-key-0123456789"
ACCOUNT = "acme"


def cli(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reward_kit", *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def registry(
    root: Path, env: dict[str, str], port: int | None = None, *extra: str
) -> ServerProcess:
    args = ["--registry", str(root), "--api-key-env", "REG_KEY", "--workers", "2", *extra]
    return ServerProcess(args, env={**env, "REG_KEY": KEY}, port=port)


def conversation(answer: str) -> list[dict[str, str]]:
    return [
        {"role": "user", "content": "capital of France?"},
        {"role": "assistant", "content": answer},
    ]
