"""What ``deploy`` packages: all the code, never secrets, caches or ignored files."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from reward_kit.deploy import PackagingError, build_package

MAIN = (
    "from reward_kit import EvaluateResult, reward_function\n\n\n"
    "@reward_function(requirements=['numpy>=1.26', 'sympy'])\n"
    "def evaluate(messages, **kwargs):\n"
    "    return EvaluateResult(score=1.0)\n"
)


@pytest.fixture
def metric(tmp_path: Path) -> Path:
    folder = tmp_path / "repo" / "metric"
    (folder / "lib").mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    (tmp_path / "repo" / ".gitignore").write_text("*.log\n")
    (folder / "main.py").write_text(MAIN)
    (folder / "lib" / "util.py").write_text("X = 1\n")
    (folder / "data.json").write_text("{}\n")
    (folder / "requirements.txt").write_text("# pinned\nsympy\nregex==2024.5.15  # comment\n")
    (folder / ".gitignore").write_text("outputs/\n!keep.log\n")
    (folder / "keep.log").write_text("kept by negation\n")
    (folder / "run.log").write_text("ignored by the repository's .gitignore\n")
    (folder / "outputs").mkdir()
    (folder / "outputs" / "big.bin").write_bytes(b"\0" * 10)
    for secret in (".env", ".env.local", "server.pem", "id_rsa", "credentials.json", "auth.ini"):
        (folder / secret).write_text("secret\n")
    (folder / ".env.example").write_text("OPENAI_API_KEY=\n")
    for cache in ("__pycache__", ".pytest_cache", "node_modules", ".hg"):
        (folder / cache).mkdir()
        (folder / cache / "x").write_text("cache\n")
    (folder / "myvenv").mkdir()
    (folder / "myvenv" / "pyvenv.cfg").write_text("home = /usr\n")
    (folder / "lib" / "util.cpython-311.pyc").write_bytes(b"\0")
    os.symlink("/etc/passwd", folder / "passwd")
    return folder


def test_all_code_is_packaged_and_nothing_secret(metric: Path) -> None:
    package = build_package({"m": metric})
    assert sorted(package.files) == [
        "m/.env.example",
        "m/.gitignore",
        "m/data.json",
        "m/keep.log",
        "m/lib/util.py",
        "m/main.py",
        "m/requirements.txt",
    ]
    reasons = dict(line.split(": ", 1) for line in package.excluded)
    for secret in (".env", ".env.local", "server.pem", "id_rsa", "credentials.json", "auth.ini"):
        assert reasons[f"m/{secret}"] == "secret"
    assert reasons["m/run.log"] == ".gitignore"
    assert reasons["m/outputs/"] == ".gitignore"
    assert reasons["m/passwd"] == "symbolic link"
    assert reasons["m/myvenv/"] == reasons["m/__pycache__/"] == "never uploaded"
    assert package.requirements == ["numpy>=1.26", "sympy", "regex==2024.5.15"]
    assert package.entries == {"m": "m/main.py:evaluate"}


def test_the_archive_is_reproducible_and_rooted_at_the_id(metric: Path) -> None:
    package = build_package({"m": metric})
    archive = package.archive_bytes("my-eval")
    assert archive == build_package({"m": metric}).archive_bytes("my-eval")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        names = sorted(tar.getnames())
        manifest = tar.extractfile("my-eval/reward_kit_manifest.json").read().decode()
    assert names == sorted(f"my-eval/{name}" for name in package.listing())
    assert '"m": "m/main.py:evaluate"' in manifest


@pytest.mark.parametrize(
    ("main", "error"),
    [
        ("def evaluate(:\n", r"syntax error \(line 1\)"),
        ("def other(**kwargs):\n    pass\n", r"defines no function evaluate\(\)"),
        ("@reward_function(requirements=REQS)\ndef evaluate(**kw):\n    pass\n", "literal list"),
    ],
)
def test_code_that_cannot_be_deployed_is_reported(tmp_path: Path, main: str, error: str) -> None:
    (tmp_path / "main.py").write_text(main)
    with pytest.raises(PackagingError, match=error):
        build_package({"m": tmp_path})


def test_missing_folder_or_main_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match="is not a folder"):
        build_package({"m": tmp_path / "nope"})
    with pytest.raises(PackagingError, match="has no main.py"):
        build_package({"m": tmp_path})
    with pytest.raises(PackagingError, match="plain name"):
        build_package({"a/b": tmp_path})


def test_dry_run_lists_exactly_what_would_be_uploaded(metric: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "reward_kit", "deploy", "--id", "my-eval", "--dry-run",
         "--metrics-folders", f"m={metric}"],
        env={**os.environ, "FIREWORKS_API_KEY": "fw-secret-key", "FIREWORKS_ACCOUNT_ID": "acme",
             "FIREWORKS_API_BASE": "http://127.0.0.1:9"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    listed = [line.strip() for line in completed.stdout.splitlines() if line.startswith("  m/")]
    assert listed[:3] == ["m/.env.example", "m/.gitignore", "m/data.json"]
    assert "would upload 9 files" in completed.stdout
    assert "m/.env: secret" in completed.stdout
    assert "fw-secret-key" not in completed.stdout + completed.stderr


def test_dry_run_needs_no_credentials(metric: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIREWORKS_")}
    completed = subprocess.run(
        [sys.executable, "-m", "reward_kit", "deploy", "--id", "my-eval", "--dry-run",
         "--metrics-folders", f"m={metric}"],
        env={**env, "HOME": str(tmp_path)}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "would upload 9 files" in completed.stdout
    assert "the real deploy will need credentials: no API key" in completed.stdout
