"""The commands reward-kit's documentation and ours show, typed as written, and the answers the
CLI gives to everyday mistakes: one line, a "did you mean", an honest exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

REWARD = """\
from reward_kit import EvaluateResult, reward_function


@reward_function
def evaluate(messages, ground_truth=None, **kwargs):
    if ground_truth == "bad":
        raise ValueError("cannot handle this row")
    return EvaluateResult(score=1.0, reason="ok")
"""

CONFIG = """\
defaults:
  - reward_kit_defaults
  - _self_
dataset:
  path_or_name: data.jsonl
generation:
  enabled: false
reward:
  function_path: main.evaluate
"""


def _cli(
    *arguments: str, cwd: Path, module: str = "reward_kit"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    env.pop("HYDRA_FULL_ERROR", None)
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _row(sample_id: str, ground_truth: str, *, answered: bool = True) -> str:
    messages = [{"role": "user", "content": "q"}]
    if answered:
        messages.append({"role": "assistant", "content": "r"})
    return json.dumps({"id": sample_id, "messages": messages, "ground_truth": ground_truth})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh user project: a reward in main.py, a config, and data with one failing row."""
    (tmp_path / "main.py").write_text(REWARD)
    (tmp_path / "run.yaml").write_text(CONFIG)
    (tmp_path / "data.jsonl").write_text(_row("a", "ok") + "\n" + _row("b", "bad") + "\n")
    return tmp_path


def _one_error_line(completed: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("reward-kit run: error: ")
    return lines[0]


def test_python_dash_m_reward_kit_cli_runs_the_command_line(project):
    completed = _cli("--help", cwd=project, module="reward_kit.cli")
    assert completed.returncode == 0
    assert "preview" in completed.stdout and "deploy" in completed.stdout


@pytest.mark.parametrize("override", ["generation.temprature=0.5", "+generation.temprature=0.5"])
def test_misspelt_override_is_rejected_with_or_without_plus(project, override):
    completed = _cli("run", "-cp", ".", "-cn", "run", override, cwd=project)
    assert completed.returncode == 1
    line = _one_error_line(completed)
    assert "did you mean 'generation.temperature'?" in line
    assert not (project / "outputs").exists()


def test_unknown_key_in_the_config_file_is_one_line_with_a_suggestion(project):
    (project / "run.yaml").write_text(CONFIG + "evaluation_params:\n  limit_sample: 3\n")
    completed = _cli("run", "--config-path", ".", "--config-name", "run", cwd=project)
    assert completed.returncode == 1
    assert "did you mean 'evaluation_params.limit_samples'?" in _one_error_line(completed)
    assert not (project / "outputs").exists(), "a run that never started leaves no directory"


def test_wrong_config_name_suggests_the_right_one(project):
    completed = _cli("run", "--config-path", ".", "--config-name", "runn", cwd=project)
    assert completed.returncode == 1
    assert "did you mean 'run'?" in _one_error_line(completed)


def test_mistyped_reward_names_get_did_you_mean_and_no_internal_names(project):
    for reference, hint in [("math_rewrd", "math_reward"), ("main.evaluat", "evaluate")]:
        completed = _cli(
            "run", "-cp", ".", "-cn", "run", f"reward.function_path={reference}", cwd=project
        )
        line = _one_error_line(completed)
        assert f"did you mean '{hint}'?" in line
        assert "reward_kit_user_" not in line


def test_invalid_rows_are_null_and_the_exit_code_says_so(project):
    completed = _cli("run", "-cp", ".", "-cn", "run", "hydra.run.dir=out", cwd=project)
    assert completed.returncode == 3, completed.stderr
    rows = {
        row["id"]: row
        for row in map(json.loads, (project / "out" / "results.jsonl").read_text().splitlines())
    }
    assert rows["b"]["score"] is None and rows["b"]["is_score_valid"] is False
    assert rows["a"]["score"] == 1.0
    assert "1/2 rows scored" in completed.stdout
    assert "b: ValueError: cannot handle this row" in completed.stdout
    assert "--allow-errors" in completed.stderr

    allowed = _cli(
        "run", "-cp", ".", "-cn", "run", "hydra.run.dir=out2", "--allow-errors", cwd=project
    )
    assert allowed.returncode == 0, allowed.stderr


def test_results_are_sorted_by_dataset_order(project):
    rows = [_row(f"s{index}", "ok") for index in range(30)]
    (project / "data.jsonl").write_text("\n".join(rows) + "\n")
    completed = _cli("run", "-cp", ".", "-cn", "run", "hydra.run.dir=out", cwd=project)
    assert completed.returncode == 0, completed.stderr
    ids = [
        json.loads(line)["id"] for line in (project / "out/results.jsonl").read_text().splitlines()
    ]
    assert ids == [f"s{index}" for index in range(30)]


def test_relative_reward_file_is_found_from_the_working_directory(project):
    conf = project / "conf"
    conf.mkdir()
    (conf / "run.yaml").write_text(
        CONFIG.replace("main.evaluate", "main.py:evaluate").replace("data.jsonl", "data.jsonl")
    )
    (project / "data.jsonl").write_text(_row("a", "ok") + "\n")
    completed = _cli("run", "-cp", "conf", "-cn", "run", "hydra.run.dir=out", cwd=project)
    assert completed.returncode == 0, completed.stderr


def test_failure_after_results_marks_the_run_directory(project):
    run_dir = project / "out"
    first = _cli("run", "-cp", ".", "-cn", "run", f"hydra.run.dir={run_dir}", cwd=project)
    assert first.returncode == 3
    (project / "data.jsonl").unlink()
    second = _cli("run", "-cp", ".", "-cn", "run", f"hydra.run.dir={run_dir}", cwd=project)
    assert second.returncode == 1
    assert "not found" in (run_dir / "FAILED").read_text()
    assert "not found" in (run_dir / "reward_kit_run.log").read_text()


def test_preview_treats_a_conversation_without_response_as_an_error(project):
    samples = project / "samples.jsonl"
    samples.write_text(_row("answered", "4") + "\n" + _row("open", "4", answered=False) + "\n")
    output = project / "scores.jsonl"
    completed = _cli(
        "preview",
        "--function-ref",
        "main.evaluate",
        "--samples",
        str(samples),
        "--output",
        str(output),
        "--verbose",
        cwd=project,
    )
    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in output.read_text().splitlines()]
    assert results[0]["score"] == 1.0
    assert results[1]["score"] is None and results[1]["is_score_valid"] is False
    assert "ERROR" in completed.stdout


def test_flags_after_the_action_are_accepted(project):
    for command in (["rft", "list", "--account-id", "x", "--help"],
                    ["secrets", "list", "--api-base", "http://127.0.0.1:9", "--help"]):  # fmt: skip
        completed = _cli(*command, cwd=project)
        assert completed.returncode == 0, completed.stderr


def test_deploy_rejects_malformed_providers_in_one_line(project):
    completed = _cli(
        "deploy",
        "--id",
        "my-evaluator",
        "--metrics-folders",
        f"clarity={project}",
        "--providers",
        "[{'providerType': 1}]",
        "--dry-run",
        cwd=project,
    )
    assert completed.returncode == 1
    assert completed.stderr.startswith("reward-kit deploy: error: --providers")


def test_deploy_takes_the_documented_gcp_flags_and_function_ref_from_here(project):
    (project / "dummy_rewards.py").write_text(REWARD.replace("def evaluate", "def hello"))
    (project / "rewardkit.yaml").write_text(
        "gcp_cloud_run:\n  project_id: my-project\n  region: us-west1\n"
        "evaluator_endpoint_keys: {}\n"
    )
    completed = _cli(
        "deploy",
        "--id",
        "my-dummy-gcp-evaluator",
        "--target",
        "gcp-cloud-run",
        "--function-ref",
        "dummy_rewards.hello",
        "--gcp-auth-mode",
        "api-key",
        "--verbose",
        "--dry-run",
        "--output-dir",
        str(project / "build"),
        cwd=project,
    )
    assert completed.returncode == 0, completed.stderr
    assert "--region=us-west1" in completed.stdout
    assert "--project=my-project" in completed.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("example", "config", "overrides", "rows", "mean"),
    [
        ("apps_coding_example", "run_eval", ["evaluation_params.limit_samples=2"], 2, None),
        ("math_with_formatting", "run_math_with_formatting_eval", [], 2, None),
        (
            "math_with_formatting",
            "run_math_with_formatting_eval",
            ["evaluation_params.limit_samples=null"],
            6,
            5 / 6,
        ),
    ],
)
def test_documented_example_configs_run_from_the_repository_root(
    example, config, overrides, rows, mean, tmp_path
):
    completed = _cli(
        "run",
        "--config-path",
        f"examples/{example}/conf",
        "--config-name",
        config,
        "generation.enabled=false",
        *overrides,
        f"hydra.run.dir={tmp_path}",
        cwd=ROOT,
        module="reward_kit.cli",
    )
    assert completed.returncode == 0, completed.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["rows"] == rows
    if mean is not None:
        assert summary["score"]["mean"] == pytest.approx(mean)
    if example == "math_with_formatting":
        assert set(summary["metrics"]) == {"format_reward", "accuracy_reward"}


@pytest.mark.slow
def test_tool_calling_local_eval_script_takes_hydra_overrides(tmp_path):
    script = EXAMPLES / "tool_calling_example" / "local_eval.py"
    data = EXAMPLES / "tool_calling_example" / "data" / "tool_calls_sample.jsonl"
    completed = subprocess.run(
        [sys.executable, str(script), f"dataset_file_path={data}", f"hydra.run.dir={tmp_path}"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    assert "5/5 rows scored, mean 0.4000" in completed.stdout
