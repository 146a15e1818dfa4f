"""``reward-kit preview`` from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.pipeline.conftest import write_jsonl

ROOT = Path(__file__).resolve().parents[2]
WORD_COUNT = ROOT / "examples" / "metrics" / "word_count"


def _preview(*arguments, cwd):
    return subprocess.run(
        [sys.executable, "-m", "reward_kit", "preview", *arguments],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_preview_prints_tables_and_writes_output(tmp_path):
    samples = write_jsonl(
        tmp_path / "s.jsonl",
        [
            {
                "id": "one",
                "messages": [
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "content": "one two three four five six"},
                ],
            },
            {"id": "two", "messages": [{"role": "user", "content": "q"}]},
        ],
    )

    completed = _preview(
        "--metrics-folders",
        f"wc={WORD_COUNT}",
        "--samples",
        str(samples),
        "--max-samples",
        "2",
        "--output",
        str(tmp_path / "out.jsonl"),
        cwd=tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    assert "ERROR" in completed.stdout and "1.000" in completed.stdout
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert rows[0]["results"]["wc"]["score"] == 1.0
    assert rows[1]["results"]["wc"]["is_score_valid"] is False


def test_preview_reports_bad_arguments_in_one_line(tmp_path):
    completed = _preview("--metrics-folders", "wc", "--samples", "x.jsonl", cwd=tmp_path)
    assert completed.returncode == 1
    assert "NAME=PATH" in completed.stderr and "Traceback" not in completed.stderr


def test_preview_reports_a_broken_main_py_without_a_traceback(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "main.py").write_text("def evaluate(:\n")
    write_jsonl(tmp_path / "s.jsonl", [{"messages": [{"role": "assistant", "content": "a"}]}])
    completed = _preview("--metrics-folders", "b=broken", "--samples", "s.jsonl", cwd=tmp_path)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "SyntaxError: " in completed.stderr and "main.py, line 1)" in completed.stderr


def test_preview_reads_a_huggingface_dataset(tmp_path):
    folder = tmp_path / "dataset"
    folder.mkdir()
    write_jsonl(
        folder / "train.jsonl",
        [{"question": "q", "answer_text": "one two three four five", "expected": "x"}],
    )

    completed = _preview(
        "--metrics-folders",
        f"wc={WORD_COUNT}",
        "--huggingface-dataset",
        str(folder),
        "--huggingface-prompt-key",
        "question",
        "--huggingface-response-key",
        "answer_text",
        "--huggingface-key-map",
        '{"expected": "ground_truth"}',
        "--output",
        str(tmp_path / "out.jsonl"),
        cwd=tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    row = json.loads((tmp_path / "out.jsonl").read_text())
    assert row["ground_truth"] == "x"
    assert row["messages"][-1] == {"role": "assistant", "content": "one two three four five"}
    assert row["results"]["wc"]["score"] == 1.0


def test_preview_scores_with_a_remote_evaluator(tmp_path):
    from tests._servers.evaluator_stub import running_evaluator_stub

    samples = write_jsonl(
        tmp_path / "s.jsonl",
        [
            {
                "messages": [
                    {"role": "user", "content": "2+2"},
                    {"role": "assistant", "content": "4"},
                ],
                "ground_truth": "4",
            },
            {
                "messages": [
                    {"role": "user", "content": "2+3"},
                    {"role": "assistant", "content": "6"},
                ],
                "ground_truth": "5",
            },
        ],
    )
    with running_evaluator_stub() as stub:
        completed = _preview(
            "--remote-url",
            stub.url,
            "--samples",
            str(samples),
            "--output",
            str(tmp_path / "o.jsonl"),
            cwd=tmp_path,
        )
        received = list(stub.requests)

    assert completed.returncode == 0, completed.stderr
    assert [request["ground_truth"] for request in sorted(received, key=str)] == ["4", "5"]
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [row["results"]["remote"]["score"] for row in rows] == [1.0, 0.0]
    assert "remote saw '4'" in completed.stdout


def test_preview_refuses_bad_options_before_scoring(tmp_path):
    write_jsonl(tmp_path / "s.jsonl", [{"messages": [{"role": "assistant", "content": "a"}]}])
    common = ("--metrics-folders", f"wc={WORD_COUNT}")
    cases = {
        ("--samples", "s.jsonl", "--timeout", "-1"): "--timeout must be a positive number",
        ("--samples", "s.jsonl", "--output", "no/such/dir/out.jsonl"): "folder does not exist",
        ("--huggingface-dataset", "d", "--huggingface-key-map", "[1]"): "must be a JSON object",
        ("--samples", "s.jsonl", "--max-samples", "0"): "--max-samples must be at least 1",
    }
    for arguments, message in cases.items():
        completed = _preview(*common, *arguments, cwd=tmp_path)
        assert completed.returncode == 1, arguments
        assert message in completed.stderr and "Traceback" not in completed.stderr, arguments


def test_preview_reports_a_dataset_that_cannot_be_loaded(tmp_path):
    (tmp_path / "dataset").mkdir()
    completed = _preview(
        "--metrics-folders", f"wc={WORD_COUNT}", "--huggingface-dataset", "dataset", cwd=tmp_path
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "cannot load dataset 'dataset' (huggingface)" in completed.stderr


def test_preview_scores_a_closure_made_in_main_py(tmp_path):
    folder = tmp_path / "threshold"
    folder.mkdir()
    (folder / "main.py").write_text(
        "from reward_kit import EvaluateResult, reward_function\n\n\n"
        "def make_reward(minimum):\n"
        "    @reward_function\n"
        "    def words(messages, ground_truth=None, **kwargs):\n"
        "        count = len(messages[-1].content.split())\n"
        "        return EvaluateResult(score=float(count >= minimum), reason=f'{count} words')\n\n"
        "    return words\n\n\n"
        "evaluate = make_reward(3)\n"
    )
    samples = write_jsonl(
        tmp_path / "s.jsonl",
        [
            {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": text}]}
            for text in ("one two three", "one")
        ],
    )

    completed = _preview(
        "--metrics-folders",
        f"t={folder}",
        "--samples",
        str(samples),
        "--output",
        str(tmp_path / "out.jsonl"),
        cwd=tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [row["results"]["t"]["score"] for row in rows] == [1.0, 0.0]
    assert rows[0]["results"]["t"]["reason"] == "3 words"
