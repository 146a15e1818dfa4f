"""``reward-kit preview`` from the command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline.conftest import write_jsonl

ROOT = Path(__file__).resolve().parents[2]
WORD_COUNT = ROOT / "examples" / "metrics" / "word_count"


def _preview(*arguments, cwd):
    return subprocess.run(
        [sys.executable, "-m", "reward_kit", "preview", *arguments],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
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
    assert [row["id"] for row in rows] == ["one", "two"]
    assert rows[0]["score"] == 1.0 and rows[0]["variant"] == 0 and rows[0]["generation"] is None
    assert rows[1]["score"] is None and rows[1]["is_score_valid"] is False
    assert "does not end with an assistant response" in rows[1]["error"]


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
    import datasets

    folder = tmp_path / "dataset"
    folder.mkdir()
    rows = [{"question": "q", "answer_text": "one two three four five", "expected": "x"}]
    datasets.Dataset.from_list(rows).to_parquet(str(folder / "train.parquet"))

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
    assert row["messages"] == [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "one two three four five"},
    ]
    assert row["score"] == 1.0


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
    assert [row["score"] for row in rows] == [1.0, 0.0]
    assert "remote saw '4'" in completed.stdout


def test_preview_refuses_bad_options_before_scoring(tmp_path):
    write_jsonl(tmp_path / "s.jsonl", [{"messages": [{"role": "assistant", "content": "a"}]}])
    common = ("--metrics-folders", f"wc={WORD_COUNT}")
    (tmp_path / "out").mkdir()
    cases = {
        ("--samples", "s.jsonl", "--timeout", "-1"): (
            2, "argument --timeout: must be a positive number, got -1"
        ),
        ("--samples", "s.jsonl", "--max-samples", "0"): (
            2, "argument --max-samples: must be at least 1, got 0"
        ),
        ("--samples", "s.jsonl", "--output", "no/such/dir/out.jsonl"): (
            1, "--output no/such/dir/out.jsonl: its folder does not exist"
        ),
        ("--samples", "s.jsonl", "--output", "out"): (
            1, "--output out: is a folder; give a file such as out/results.jsonl"
        ),
        ("--huggingface-dataset", "d", "--huggingface-key-map", "[1]"): (
            1, "must be a JSON object"
        ),
    }  # fmt: skip
    for arguments, (code, message) in cases.items():
        completed = _preview(*common, *arguments, cwd=tmp_path)
        assert completed.returncode == code, arguments
        assert message in completed.stderr and "Traceback" not in completed.stderr, arguments
        assert "samples" not in completed.stdout, arguments  # refused before scoring
    assert list((tmp_path / "out").iterdir()) == []


def _wrote_nothing_partial(folder):
    """No temporary file left (``reward_kit._atomic`` writes ``.NAME.PID.tmp``, then renames)."""
    return [path.name for path in folder.iterdir() if path.name.endswith(".tmp")] == []


MALFORMED_SAMPLES = {
    "invalid UTF-8": (b'{"messages": [{"role": "user", "content": "caf\xe9"}]}\n', "not UTF-8"),
    "too deeply nested": (b"[" * 100_000 + b"]" * 100_000 + b"\n", "JSON nested too deeply"),
    "not JSON": (b"{messages}\n", "not JSON (Expecting property name"),
    "a list": (b"[1, 2]\n", "not a JSON object"),
}


@pytest.mark.parametrize(
    ("data", "message"), MALFORMED_SAMPLES.values(), ids=list(MALFORMED_SAMPLES)
)
def test_a_samples_file_that_is_not_json_lines_is_one_line_naming_file_and_line(
    tmp_path, data, message
):
    good = (
        b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}'
    )
    (tmp_path / "s.jsonl").write_bytes(good + b"\n" + data)

    completed = _preview(
        "--metrics-folders", f"wc={WORD_COUNT}", "--samples", "s.jsonl", cwd=tmp_path
    )

    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    [line] = completed.stderr.strip().splitlines()
    assert line.startswith(f"reward-kit preview: error: s.jsonl, line 2: {message}")


def test_a_byte_order_mark_is_read_and_malformed_messages_are_rows_in_error(tmp_path):
    rows = [
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "one"}]},
        {"messages": [{"role": "user", "content": 5}, {"role": "assistant", "content": {"a": 1}}]},
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": [1]}]},
        {"messages": [{"content": "no role"}]},
        {"messages": "not a list"},
    ]
    text = "\n".join(json.dumps(row) for row in rows) + "\n"
    (tmp_path / "s.jsonl").write_bytes(b"\xef\xbb\xbf" + text.encode())

    completed = _preview(
        "--metrics-folders", f"wc={WORD_COUNT}", "--samples", "s.jsonl", "--verbose",
        "--output", "o.jsonl", cwd=tmp_path,
    )  # fmt: skip

    assert completed.returncode == 0, completed.stderr
    written = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [row["is_score_valid"] for row in written] == [True, False, False, False, False]
    assert [row["score"] for row in written[1:]] == [None] * 4
    errors = [row["error"] for row in written[1:]]
    assert "messages[0].content.str: Input should be a valid string" in errors[0]
    assert "messages[1].content.str: Input should be a valid string" in errors[1]
    assert "messages[0].role: Field required" in errors[2]
    assert "row 5, column 'messages': expected a non-empty list of messages" in errors[3]
    assert "{'a': 1}" in completed.stdout and _wrote_nothing_partial(tmp_path)


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
    assert [row["score"] for row in rows] == [1.0, 0.0]
    assert rows[0]["reason"] == "3 words"


def _block(page: str, block_id: str) -> object:
    match = re.search(f'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_several_rewards_give_one_row_per_sample_and_the_run_report(tmp_path):
    (tmp_path / "short").mkdir()
    (tmp_path / "short" / "main.py").write_text(
        "from reward_kit import EvaluateResult, reward_function\n\n\n"
        "@reward_function\n"
        "def evaluate(messages, **kwargs):\n"
        "    words = len(messages[-1].content.split())\n"
        "    return EvaluateResult(score=float(words < 4), reason=f'{words} words')\n"
    )
    texts = ("one two", "one two three four five six")
    samples = write_jsonl(
        tmp_path / "s.jsonl",
        [
            {"id": f"s{i}", "messages": [{"role": "assistant", "content": text}], "max_length": 99}
            for i, text in enumerate(texts)
        ],
    )

    completed = _preview(
        "--metrics-folders",
        f"wc={WORD_COUNT}",
        "short=short",
        "--function-ref",
        "length_reward",
        "--samples",
        str(samples),
        "--output",
        str(tmp_path / "out.jsonl"),
        cwd=tmp_path,
    )

    assert completed.returncode == 0, completed.stderr
    header = next(line for line in completed.stdout.splitlines() if "response" in line)
    assert all(name in header for name in ("wc", "short", "length_reward", "score"))
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [row["metrics"]["short"]["score"] for row in rows] == [1.0, 0.0]
    assert [row["metrics"]["wc"]["score"] for row in rows] == [0.4, 1.0]
    assert "length_reward" in rows[0]["metrics"]
    parts = [rows[0]["metrics"][name]["score"] for name in ("wc", "short", "length_reward")]
    assert rows[0]["score"] == pytest.approx(sum(parts) / 3)
    meta = _block((tmp_path / "out.html").read_text(encoding="utf-8"), "rk-meta")
    assert isinstance(meta, dict)
    assert [row[0] for row in meta["rows"]] == ["s0", "s1"]  # one row per sample
    assert {"wc", "short", "length_reward"} <= set(meta["metrics"])
    assert meta["summary"]["rows"] == 2
