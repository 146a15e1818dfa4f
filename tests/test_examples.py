"""Every example runs offline as its README says, with the results its README states."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _reward_kit(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reward_kit", *arguments],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("example", "config", "rows", "mean"),
    [
        ("math_example", "run_math_eval", 8, 5 / 8),
        ("math_with_formatting", "run_math_with_formatting", 6, 4 / 6),
        ("math_with_format_and_length", "run_math_format_length", 4, None),
        ("tool_calling_example", "run_tool_calling_eval", 5, 2 / 5),
        ("apps_coding_example", "run_apps_eval", 6, 0.625),
        ("sql_rft", "run_sql_eval", 30, 0.8),
        ("summarization_rft", "run_summarization_eval", 6, 1 / 3),
    ],
)
def test_example_runs_offline(example, config, rows, mean, tmp_path):
    completed = _reward_kit(
        "run",
        "--config-path",
        str(EXAMPLES / example / "conf"),
        "--config-name",
        config,
        "generation.enabled=false",
        f"hydra.run.dir={tmp_path / 'run'}",
        cwd=tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["rows"] == rows
    assert summary["errors"] == {"generation": 0, "scoring": 0}
    if mean is not None:
        assert summary["score"]["mean"] == pytest.approx(mean)


@pytest.mark.slow
def test_weighted_rewards_example_scores_as_its_readme_says(tmp_path):
    example = EXAMPLES / "math_with_format_and_length"
    completed = _reward_kit(
        "run",
        "--config-path",
        str(example / "conf"),
        "--config-name",
        "run_math_format_length",
        "generation.enabled=false",
        f"hydra.run.dir={tmp_path}",
        cwd=tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    rows = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    scores = {row["id"]: row["score"] for row in rows}
    assert scores["shelf-1"] == pytest.approx(1.0)
    assert scores["shelf-2"] == pytest.approx(0.85, abs=0.01)
    assert scores["shelf-3"] == pytest.approx(0.8)
    assert scores["shelf-4"] == pytest.approx(0.4)
    assert set(rows[0]["metrics"]) >= {"math_reward", "format_reward", "concise"}


@pytest.mark.slow
def test_apps_example_fails_crashes_and_timeouts_as_tests(tmp_path):
    completed = _reward_kit(
        "run",
        "--config-path",
        str(EXAMPLES / "apps_coding_example" / "conf"),
        "--config-name",
        "run_apps_eval",
        "generation.enabled=false",
        f"hydra.run.dir={tmp_path}",
        cwd=tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    rows = {
        row["id"]: row
        for row in map(json.loads, (tmp_path / "results.jsonl").read_text().splitlines())
    }
    assert {name: row["score"] for name, row in rows.items()} == {
        "sum-of-list": 1.0,
        "reverse-words": 0.0,
        "max-profit": 1.0,
        "largest-number": 0.5,
        "digit-sum": 0.5,
        "second-largest": 0.75,
    }
    assert rows["reverse-words"]["metrics"]["test_0"]["reason"].startswith("wrong output")
    assert "ValueError" in rows["largest-number"]["metrics"]["test_1"]["reason"]
    assert rows["digit-sum"]["metrics"]["test_1"]["reason"].startswith("timeout")
    assert rows["second-largest"]["metrics"]["test_1"]["reason"] == "wrong return value: 5"
    assert all(row["is_score_valid"] for row in rows.values())


@pytest.mark.slow
def test_word_count_metrics_folder_previews(tmp_path):
    folder = EXAMPLES / "metrics" / "word_count"
    output = tmp_path / "scores.jsonl"
    completed = _reward_kit(
        "preview",
        "--metrics-folders",
        f"word_count={folder}",
        "--samples",
        str(folder / "samples.jsonl"),
        "--output",
        str(output),
        cwd=tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    # one reward: each row is a results.jsonl row, scored by word_count alone
    results = {row["id"]: row for row in map(json.loads, output.read_text().splitlines())}
    assert results["short"]["score"] == pytest.approx(0.6)
    assert results["good"]["score"] == 1.0
    assert results["not-answered"]["is_score_valid"] is False
    assert results["not-answered"]["score"] is None
    assert "ERROR" in completed.stdout


def _script(path: Path, *arguments: str, env: dict[str, str] | None = None) -> str:
    """Run an example script from the repository root as its docstring says; its stdout."""
    completed = subprocess.run(
        [sys.executable, str(path), *arguments],
        cwd=ROOT,
        env={**(env or os.environ), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_accuracy_length_example_scores_as_its_readme_says():
    output = _script(EXAMPLES / "accuracy_length" / "cosine_scaled_example.py")
    scores = [float(line.split(":")[1]) for line in output.splitlines() if "Combined" in line]
    assert scores == [1.0, 0.88, 0.0, 0.03, 1.0, 0.92, 0.0, 0.02]


E2B_SCRIPTS = ["e2b_reward_example", "e2b_javascript_example", "e2b_auto_extract_example"]


def test_e2b_examples_run_locally_without_a_key():
    env = {name: value for name, value in os.environ.items() if name != "E2B_API_KEY"}
    for name in E2B_SCRIPTS:
        output = _script(EXAMPLES / f"{name}.py", env=env)
        assert "Environment: local" in output and "Score: 1.0" in output, (name, output)
    assert "from prompt" in output  # the auto-extract example read "Expected output: 15"
    fallback = _script(EXAMPLES / "e2b_fallback_example.py", env=env)
    assert "Using local execution" in fallback
    assert "right: score 1.0" in fallback and "wrong: score 0.0" in fallback


def test_e2b_examples_use_e2b_when_a_key_is_set():
    pytest.importorskip("e2b_code_interpreter")
    from tests._servers.e2b_standin import running_e2b_standin

    with running_e2b_standin("e2b_example_key") as server:
        env = {**os.environ, "E2B_API_KEY": "e2b_example_key"}
        env.update(E2B_API_URL=server.url, E2B_SANDBOX_URL=server.url)
        output = _script(EXAMPLES / "e2b_reward_example.py", env=env)
        assert "Environment: e2b" in output and "Score: 1.0" in output
        fallback = _script(EXAMPLES / "e2b_fallback_example.py", env=env)
        assert "Using E2B" in fallback and "right: score 1.0" in fallback
        local = _script(EXAMPLES / "e2b_reward_example.py", "--environment", "local", env=env)
        assert "Environment: local" in local
    assert len(server.created) == 2 and server.sandboxes == {}  # each run closed its sandbox


@pytest.mark.slow
def test_tool_calling_grpo_script_takes_the_documented_hydra_overrides(tmp_path):
    pytest.importorskip("trl")
    rows = (EXAMPLES / "tool_calling_example" / "tool_calls.jsonl").read_text().splitlines()
    (tmp_path / "my_tool_train.jsonl").write_text("\n".join(rows[:4]) + "\n")
    completed = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "tool_calling_example" / "trl_grpo_integration.py"),
            "dataset_file_path=my_tool_train.jsonl",
            "grpo.num_train_epochs=1",
            f"hydra.run.dir={tmp_path / 'run'}",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    output = completed.stdout
    assert "exact_tool_match_reward for the expected call: [1.0]" in output
    table = output[output.index("step  exact_tool_match  schema_jaccard") :].splitlines()
    # 4 rows, 2 prompts a step: one epoch is 2 steps
    assert [line.split()[0] for line in table[1:]] == ["1", "2"]
    assert "'reward_kit/exact_tool_match_reward/invalid_fraction': '0'" in output


def test_gcp_example_deploys_from_its_folder_with_its_settings_file(tmp_path):
    folder = tmp_path / "gcp_cloud_run_deployment_example"
    shutil.copytree(EXAMPLES / "gcp_cloud_run_deployment_example", folder)
    settings = (folder / "rewardkit.example.yaml").read_text()
    (folder / "rewardkit.yaml").write_text(settings.replace("my-gcp-project", "proj-123"))
    completed = _reward_kit(
        *("deploy", "--id", "my-dummy-gcp-evaluator", "--target", "gcp-cloud-run"),
        *("--function-ref", "dummy_rewards.hello_world_reward", "--gcp-auth-mode", "api-key"),
        *("--verbose", "--dry-run"),
        cwd=folder,
    )
    assert completed.returncode == 0, completed.stderr
    assert "dummy_rewards.py" in completed.stdout
    assert "--project=proj-123" in completed.stdout and "--region=us-central1" in completed.stdout
    assert "register the service URL as remote evaluator my-dummy-gcp-evaluator" in completed.stdout

    sys.path.insert(0, str(folder))
    try:
        from dummy_rewards import hello_world_reward
    finally:
        sys.path.remove(str(folder))
    said = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there"}]
    assert hello_world_reward(said).score == 1.0
    assert hello_world_reward([said[0], {"role": "assistant", "content": "Bye"}]).score == 0.0


def test_apps_conversion_script_writes_prompt_rows_offline(tmp_path):
    raw = [
        {"problem_id": 7, "question": "Add.", "input_output": '{"inputs": ["1 2\\n"], '
         '"outputs": ["3\\n"]}'},
        {"problem_id": 8, "question": "No tests.", "input_output": ""},
    ]  # fmt: skip
    (tmp_path / "apps.jsonl").write_text("".join(json.dumps(row) + "\n" for row in raw))
    output = _script(
        ROOT / "scripts" / "convert_apps_to_prompts.py",
        *("--dataset_name", str(tmp_path / "apps.jsonl"), "--split", "test"),
        *("--output_file", str(tmp_path / "development" / "apps_sample_prompts.jsonl")),
        *("--max_samples", "5", "--id_column", "problem_id", "--query_column", "question"),
        *("--ground_truth_column", "input_output"),
    )
    assert "wrote 1 prompts" in output and "skipped 1 without tests: 8" in output
    rows = (tmp_path / "development" / "apps_sample_prompts.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in rows] == [
        {"id": "7", "user_query": "Add.", "ground_truth": {"inputs": ["1 2\n"], "outputs": ["3\n"]}}
    ]
