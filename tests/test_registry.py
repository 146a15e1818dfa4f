"""Tests of reward_kit/_registry.py: rewards found through the ``reward_kit.rewards`` entry points.

A plug-in package is built in a temporary folder, outside the repository, with its own
``.dist-info`` (``entry_points.txt``), and put on the path: ``reward-kit run`` and ``serve`` then
find its reward by short name, as they find the built-ins.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from reward_kit import _registry
from reward_kit.server.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = '''\
from reward_kit import EvaluateResult, reward_function


@reward_function
def shouty_reward(messages, ground_truth=None, volume=1, **kwargs):
    """1 when the answer is in capitals, times ``volume``."""
    text = messages[-1]["content"]
    return EvaluateResult(score=float(text.isupper()) * volume, reason=f"heard {text!r}")
'''


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    """A folder holding the package ``shouty_plugin`` and its installed metadata."""
    root = tmp_path / "site"
    (root / "shouty_plugin").mkdir(parents=True)
    (root / "shouty_plugin" / "__init__.py").write_text(PLUGIN)
    info = root / "shouty_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: shouty-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[reward_kit.rewards]\nshouty = shouty_plugin\n")
    return root


def _env(plugin_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_path), str(ROOT)])}


def test_every_builtin_reward_module_is_an_entry_point() -> None:
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(pyproject["project"]["entry-points"][_registry.ENTRY_POINT_GROUP].values())
    modules = {
        f"reward_kit.rewards.{path.stem}"
        for path in (ROOT / "reward_kit" / "rewards").glob("*.py")
        if not path.stem.startswith("_")
    }
    assert listed == modules, (
        'list each public module of reward_kit/rewards under [project.entry-points."'
        f'{_registry.ENTRY_POINT_GROUP}"] in pyproject.toml, then run pip install -e .'
    )


def test_reward_kit_run_finds_a_plugin_reward_by_short_name(
    plugin_path: Path, tmp_path: Path
) -> None:
    rows = [
        {"id": str(i), "messages": [{"role": "user", "content": "q"}, answer]}
        for i, answer in enumerate(
            [{"role": "assistant", "content": "YES"}, {"role": "assistant", "content": "no"}]
        )
    ]
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "run.yaml").write_text(
        "defaults:\n  - reward_kit_defaults\n  - _self_\n"
        f"dataset:\n  path_or_name: {data}\ngeneration:\n  enabled: false\n"
        "reward:\n  function_path: shouty_reward\n  params:\n    volume: 2\n"
    )
    command = [sys.executable, "-m", "reward_kit", "run", "--config-path", "conf"]
    command += ["--config-name", "run", f"hydra.run.dir={tmp_path / 'out'}"]
    completed = subprocess.run(
        command, cwd=tmp_path, env=_env(plugin_path), capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["score"]["mean"] == 1.0
    assert summary["rewards"] == [
        {"name": "shouty_reward", "reference": "shouty_reward", "params": {"volume": 2},
         "weight": 1.0}
    ]  # fmt: skip


def test_reward_kit_serve_finds_a_plugin_reward_by_short_name(plugin_path: Path) -> None:
    args = ["--function-ref", "shouty_reward", "--workers", "1"]
    env = {"PYTHONPATH": _env(plugin_path)["PYTHONPATH"]}
    with ServerProcess(args, env=env) as server:
        body = {
            "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "HI"}]
        }
        answer = httpx.post(f"{server.url}/evaluate", json=body, timeout=60).json()
    assert (answer["score"], answer["reason"]) == (1.0, "heard 'HI'")


class _SlowEntryPoint:
    """An entry point whose module takes a while to import and registers ``slow_reward``."""

    value = "slow_plugin"

    def load(self) -> Any:
        time.sleep(0.3)
        _registry.register("slow_reward", "slow_plugin:slow_reward", len, explicit=False)
        return None


def test_lookups_during_discovery_wait_for_every_entry_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_registry, "_discovered", False)
    monkeypatch.setattr(_registry, "entry_points", lambda group: [_SlowEntryPoint()])
    monkeypatch.setattr(_registry, "_entries", {})
    found: list[Any] = []
    threads = [
        threading.Thread(target=lambda: found.append(_registry.lookup("slow_reward")))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert found == [len] * 4


def test_a_broken_plugin_is_named_when_a_lookup_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        value = "broken_plugin"

        def load(self) -> Any:
            raise RuntimeError("plug-in bug")

    monkeypatch.setattr(_registry, "_discovered", False)
    monkeypatch.setattr(_registry, "entry_points", lambda group: [Broken()])
    monkeypatch.setattr(_registry, "_unimportable", {})
    with pytest.raises(LookupError, match=r"broken_plugin could not be imported \(RuntimeError"):
        _registry.lookup("nowhere_reward")
