"""``reward-kit run`` as a user runs it: a subprocess, a Hydra config, a real HTTP server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests._servers.openai_stub import OpenAIStub, openai_stub
from tests._support.pipeline import read_jsonl, solve, sum_problems, write_jsonl

__all__ = ["openai_stub"]

ROOT = Path(__file__).resolve().parents[2]


def _write_config(folder: Path, body: str, name: str = "run.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return folder


def _command(config_dir: Path, *overrides: str, name: str = "run") -> list[str]:
    return [
        sys.executable,
        "-m",
        "reward_kit",
        "run",
        "--config-path",
        str(config_dir),
        "--config-name",
        name,
        *overrides,
    ]


def _run(command: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def _generating_config(data: Path, stub: OpenAIStub, cache: Path, **extra: Any) -> str:
    concurrency = extra.get("concurrency", 8)
    return f"""\
defaults:
  - reward_kit_defaults
  - _self_
dataset:
  source_type: jsonl
  path_or_name: {data}
generation:
  model_name: stub-model
  api_base: {stub.url}
  api_key_env: null
  cache:
    path: {cache}
  api_params:
    max_concurrent_requests: {concurrency}
    backoff_base: 0.01
reward:
  function_path: tests.pipeline._rewards:final_number_matches
evaluation_params:
  workers: 0
"""


def test_an_offline_run_prints_a_summary_and_the_run_directory(tmp_path):
    rows = [dict(row, response=f"It is {row['ground_truth']}") for row in sum_problems(3)]
    data = write_jsonl(tmp_path / "data.jsonl", rows)
    config_dir = _write_config(
        tmp_path / "conf",
        f"""\
defaults:
  - reward_kit_defaults
  - _self_
dataset:
  path_or_name: {data}
generation:
  enabled: false
reward:
  function_path: tests.pipeline._rewards:final_number_matches
""",
    )

    completed = _run(_command(config_dir, f"hydra.run.dir={tmp_path / 'out'}"), tmp_path)

    assert completed.returncode == 0, completed.stderr
    assert "run directory:" in completed.stdout and str(tmp_path / "out") in completed.stdout
    assert "1.0000" in completed.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["score"]["mean"] == 1.0 and summary["rows"] == 3
    assert (tmp_path / "out" / ".hydra" / "config.yaml").is_file()


@pytest.mark.parametrize("with_schema", [True, False], ids=["schema-in-defaults", "no-defaults"])
def test_a_misspelt_key_is_an_error_naming_it(tmp_path, with_schema):
    defaults = "defaults:\n  - reward_kit_defaults\n  - _self_\n" if with_schema else ""
    config_dir = _write_config(
        tmp_path / "conf",
        defaults + "dataset:\n  path_or_name: x.jsonl\ngeneration:\n  modle_name: m\n",
    )

    completed = _run(_command(config_dir, f"hydra.run.dir={tmp_path / 'out'}"), tmp_path)

    assert completed.returncode == 1
    assert "modle_name" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_misspelt_override_is_an_error_naming_it(tmp_path):
    config_dir = _write_config(
        tmp_path / "conf", "defaults:\n  - reward_kit_defaults\n  - _self_\n"
    )

    completed = _run(
        _command(config_dir, "evaluation_params.limit_sample=3", f"hydra.run.dir={tmp_path}"),
        tmp_path,
    )

    assert completed.returncode == 1
    assert "limit_sample" in completed.stderr


BAD_OVERRIDES = {
    "not a number": ("generation.n=abc", "Value 'abc' of type 'str' could not be converted to "
                     "Integer"),
    "out of range": ("generation.n=0", "generation.n must be at least 1, got 0"),
    "a list for a number": ("dataset.max_samples=[1]", "Value '[1]' of type 'list' could not be "
                            "converted to Integer"),
    "overflowing number": ("generation.n=1e999", "Value 'inf' of type 'float' could not be "
                           "converted to Integer"),
}  # fmt: skip


@pytest.mark.parametrize(("override", "message"), BAD_OVERRIDES.values(), ids=list(BAD_OVERRIDES))
def test_an_override_of_the_wrong_type_is_one_line_naming_key_and_value(
    tmp_path, override, message
):
    config_dir = _write_config(
        tmp_path / "conf",
        "defaults:\n  - reward_kit_defaults\n  - _self_\ndataset:\n  path_or_name: x.jsonl\n",
    )

    completed = _run(_command(config_dir, override, f"hydra.run.dir={tmp_path / 'out'}"), tmp_path)

    assert completed.returncode == 1
    [line] = completed.stderr.strip().splitlines()
    assert line.startswith("reward-kit run: error: ") and message in line
    assert not (tmp_path / "out").exists()


def test_overriding_a_key_a_config_without_defaults_leaves_out_says_how(tmp_path):
    config_dir = _write_config(tmp_path / "conf", "dataset:\n  path_or_name: x.jsonl\n")

    completed = _run(_command(config_dir, "generation.n=2", f"hydra.run.dir={tmp_path}"), tmp_path)

    assert completed.returncode == 1
    [line] = completed.stderr.strip().splitlines()
    assert line == (
        "reward-kit run: error: Could not override 'generation.n'. Key 'generation' is not in "
        "struct (this config does not set generation.n and does not start from reward-kit's "
        "defaults: list them first, 'defaults: [reward_kit_defaults, _self_]', or add the key with "
        "'+generation.n=...')"
    )


def test_multirun_sweeps_over_temperatures(tmp_path, openai_stub):
    openai_stub.responder = solve
    data = write_jsonl(tmp_path / "data.jsonl", sum_problems(3))
    config_dir = _write_config(
        tmp_path / "conf", _generating_config(data, openai_stub, tmp_path / "cache.sqlite")
    )

    completed = _run(
        _command(
            config_dir,
            "--multirun",
            "generation.temperature=0.0,0.7",
            f"hydra.sweep.dir={tmp_path / 'sweep'}",
        ),
        tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    temperatures = sorted(request.json["temperature"] for request in openai_stub.chat_requests)
    assert temperatures == [0.0, 0.0, 0.0, 0.7, 0.7, 0.7]
    for job in ("0", "1"):
        assert len(read_jsonl(tmp_path / "sweep" / job / "results.jsonl")) == 3


@pytest.mark.slow
def test_a_run_killed_with_sigkill_resumes_without_losing_or_duplicating_rows(tmp_path):
    total = 300
    data = write_jsonl(tmp_path / "data.jsonl", sum_problems(total // 2))
    with OpenAIStub(latency=0.05, responder=solve).serve_in_thread() as stub:
        config_dir = _write_config(
            tmp_path / "conf",
            _generating_config(data, stub, tmp_path / "cache.sqlite"),
        )
        run_dir = tmp_path / "run"
        command = _command(config_dir, f"hydra.run.dir={run_dir}", "generation.n=2")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        results = run_dir / "results.jsonl"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if results.exists() and results.read_bytes().count(b"\n") >= 40:
                break
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        rows_at_kill = results.read_bytes().count(b"\n")
        requests_before = len(stub.chat_requests)
        assert 40 <= rows_at_kill < total

        completed = _run(command, tmp_path)

        assert completed.returncode == 0, completed.stderr
        rows = read_jsonl(results)
        keys = Counter((row["id"], row["variant"]) for row in rows)
        assert len(keys) == total and set(keys.values()) == {1}
        requests_after = len(stub.chat_requests) - requests_before
        assert requests_after <= total - rows_at_kill
        assert requests_before + requests_after <= total + 16  # at most the in-flight ones redone
        summary = json.loads((run_dir / "summary.json").read_text())
        assert summary["rows"] == total and summary["errors"]["generation"] == 0


def test_a_reward_next_to_the_config_is_found_by_module_reference(tmp_path):
    config_dir = tmp_path / "conf"
    config_dir.mkdir()
    (config_dir / "main.py").write_text(
        "from reward_kit import EvaluateResult, reward_function\n\n\n"
        "@reward_function\n"
        "def evaluate(messages, ground_truth=None, **kwargs):\n"
        "    return EvaluateResult(score=len(messages[-1].content), reason='length')\n"
    )
    data_dir = tmp_path / "hub_like_dataset"
    data_dir.mkdir()
    write_jsonl(data_dir / "train.jsonl", [{"user_query": "q", "response": "abc"}])
    _write_config(
        config_dir,
        f"""\
defaults:
  - reward_kit_defaults
  - _self_
dataset:
  source_type: huggingface
  path_or_name: {data_dir}
generation:
  enabled: false
reward:
  function_path: main.evaluate
""",
    )

    completed = _run(_command(config_dir, f"hydra.run.dir={tmp_path / 'out'}"), tmp_path)

    assert completed.returncode == 0, completed.stderr
    assert read_jsonl(tmp_path / "out" / "results.jsonl")[0]["score"] == 3.0


def test_dataset_presets_shipped_in_the_package_compose(tmp_path):
    config_dir = _write_config(
        tmp_path / "conf",
        """\
defaults:
  - reward_kit_defaults
  - dataset: gsm8k_math_prompts
  - _self_
generation:
  enabled: false
reward:
  function_path: math_reward
""",
    )

    completed = _run(_command(config_dir, "--cfg", "job"), tmp_path)

    assert completed.returncode == 0, completed.stderr
    assert "path_or_name: openai/gsm8k" in completed.stdout
    assert "reward_kit.pipeline.transforms:gsm8k_final_answer" in completed.stdout
    assert "Put the final answer alone in" in completed.stdout


def test_a_closure_in_a_script_without_a_main_guard_is_scored_in_workers(tmp_path):
    (tmp_path / "my_rewards.py").write_text(
        "from reward_kit import EvaluateResult, reward_function\n"
        "print('SCRIPT TOP LEVEL', flush=True)\n\n\n"
        "def make_reward(minimum):\n"
        "    @reward_function\n"
        "    def long_enough(messages, ground_truth=None, **kwargs):\n"
        "        return EvaluateResult(score=float(len(messages[-1].content) >= minimum))\n\n"
        "    return long_enough\n\n\n"
        "reward = make_reward(3)\n"
    )
    data = write_jsonl(
        tmp_path / "data.jsonl",
        [{"id": str(i), "user_query": "q", "response": "x" * i} for i in range(1, 6)],
    )
    _write_config(
        tmp_path / "conf",
        f"""\
defaults:
  - reward_kit_defaults
  - _self_
dataset:
  source_type: jsonl
  path_or_name: {data}
generation:
  enabled: false
reward:
  function_path: {tmp_path / "my_rewards.py"}:reward
evaluation_params:
  workers: 2
""",
    )

    completed = _run(_command(tmp_path / "conf", f"hydra.run.dir={tmp_path / 'out'}"), tmp_path)

    assert completed.returncode == 0, completed.stderr
    assert (completed.stdout + completed.stderr).count("SCRIPT TOP LEVEL") == 1
    rows = {row["id"]: row for row in read_jsonl(tmp_path / "out" / "results.jsonl")}
    assert {key: row["score"] for key, row in rows.items()} == {
        "1": 0.0,
        "2": 0.0,
        "3": 1.0,
        "4": 1.0,
        "5": 1.0,
    }
