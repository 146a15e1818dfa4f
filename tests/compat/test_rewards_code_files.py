"""reward-kit's "E2B Code Execution Overview" page: file-based and data-analysis evaluation.

The page's own examples are hand-written rewards that read files back through a notebook
cell; ours are options of the code execution rewards (the program runs sandboxed, the files it
wrote come back as data). Deliberate difference, in docs/migration.md: a plot never makes up
for a missing insight (the page adds a 0.5 bonus); it is a check of its own (``expect_plot``).

Every example runs twice: on the local sandbox and through E2B (the real SDK against the local
stand-in server of ``tests/_servers/e2b_standin.py``).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reward_kit.execution import E2BExecutor
from reward_kit.models import EvaluateResult
from reward_kit.rewards._code._run import executor_for
from reward_kit.rewards.code_execution import (
    e2b_code_execution_reward,
    local_code_execution_reward,
)

Reward = Callable[..., EvaluateResult]


@pytest.fixture(params=["local", "e2b"])
def code_reward(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Reward]:
    if request.param == "local":
        yield local_code_execution_reward
        return
    pytest.importorskip("e2b_code_interpreter")
    from tests._servers.e2b_standin import running_e2b_standin

    api_key = f"e2b_compat_{uuid.uuid4().hex}"  # a fresh process-wide executor per test
    with running_e2b_standin(api_key) as server:
        for name, value in (
            ("E2B_API_URL", server.url),
            ("E2B_SANDBOX_URL", server.url),
            ("E2B_HTTP_VERSION", "1.1"),
        ):
            monkeypatch.setenv(name, value)
        yield functools.partial(e2b_code_execution_reward, api_key=api_key)
        executor = executor_for("e2b", api_key)
        assert isinstance(executor, E2BExecutor)
        executor.close()


def _answer(code: str) -> list[dict[str, str]]:
    return [
        {"role": "user", "content": "Write the report files."},
        {"role": "assistant", "content": f"Here it is:\n\n```python\n{code}\n```"},
    ]


WRITER = _answer(
    "with open('greeting.txt', 'w') as f:\n"
    "    f.write('Hello, files!\\n')\n"
    "open('log.txt', 'w').write('done')\n"
)


def test_file_based_evaluation_create_and_exists(code_reward: Reward) -> None:
    """File-based Code Evaluation: files created with the expected content, or existing."""
    operations = [
        {"path": "greeting.txt", "type": "create", "content": "Hello, files!"},
        {"path": "log.txt", "type": "exists"},
    ]
    result = code_reward(messages=WRITER, file_operations=operations)
    assert result.score == 1.0 and result.is_score_valid, result
    assert result.metrics["file_operations"].score == 1.0
    assert "greeting.txt" in result.metrics["files"].reason


def test_file_based_evaluation_gives_the_share_of_operations(code_reward: Reward) -> None:
    operations = [
        {"path": "greeting.txt", "type": "create", "content": "Goodbye"},
        {"path": "log.txt", "type": "exists"},
        {"path": "missing.txt", "type": "exists"},
    ]
    result = code_reward(messages=WRITER, file_operations=operations)
    assert result.score == 1 / 3
    reason = result.metrics["file_operations"].reason
    assert "content differs" in reason and "missing.txt: not created" in reason


def test_a_failing_program_scores_zero(code_reward: Reward) -> None:
    messages = _answer("open('log.txt', 'w').write('x')\nraise SystemExit(3)")
    result = code_reward(messages=messages, file_operations=[{"path": "log.txt", "type": "exists"}])
    assert result.score == 0.0 and result.is_score_valid


def test_a_symlink_does_not_count_as_the_file(code_reward: Reward) -> None:
    messages = _answer("import os\nos.symlink('/etc/hostname', 'report.txt')")
    result = code_reward(
        messages=messages, file_operations=[{"path": "report.txt", "type": "exists"}]
    )
    assert result.score == 0.0
    assert "symbolic link" in result.metrics["file_operations"].reason


ANALYSIS = _answer(
    "import csv, struct, zlib\n"
    "rows = list(csv.DictReader(open('dataset.csv')))\n"
    "total = sum(float(r['sales']) for r in rows)\n"
    "best = max(rows, key=lambda r: float(r['sales']))['region']\n"
    "print(f'Total sales: {total:g}')\n"
    "print(f'Top region: {best}')\n"
    "def chunk(kind, data):\n"
    "    body = kind + data\n"
    "    return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body))\n"
    "header = struct.pack('>IIBBBBB', 1, 1, 8, 0, 0, 0, 0)\n"
    "png = b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', header)\n"
    "png += chunk(b'IDAT', zlib.compress(b'\\x00\\x00')) + chunk(b'IEND', b'')\n"
    "open('sales.png', 'wb').write(png)\n"
)


def test_data_analysis_evaluation(code_reward: Reward, tmp_path: Path) -> None:
    """Data Analysis Code Evaluation: a dataset given as dataset.csv, insights, a plot."""
    dataset = tmp_path / "sales.csv"
    dataset.write_text("region,sales\nnorth,10\nsouth,32\n")
    result = code_reward(
        messages=ANALYSIS,
        dataset_path=str(dataset),
        expected_insights=["total sales: 42", "top region: south"],
        expect_plot=True,
    )
    assert result.score == 1.0, result
    assert result.metrics["expected_insights"].score == 1.0
    assert result.metrics["has_plot"].success
    missed = code_reward(
        messages=ANALYSIS,
        dataset_path=str(dataset),
        expected_insights=["total sales: 42", "average: 21"],
        expect_plot=True,
    )
    assert missed.score == 0.5  # the plot does not make up for the missing insight


def test_user_check_function_gets_the_files(code_reward: Reward) -> None:
    seen: dict[str, bytes] = {}

    def check(files: dict[str, bytes]) -> float:
        seen.update(files)
        return 0.5 if files.get("greeting.txt", b"").startswith(b"Hello") else 0.0

    result = code_reward(messages=WRITER, check_files=check, collect_files=["*.txt"])
    assert result.score == 0.5 and result.metrics["file_check"].score == 0.5
    assert seen == {"greeting.txt": b"Hello, files!\n", "log.txt": b"done"}


def test_bad_file_options_are_reported_not_scored(code_reward: Reward) -> None:
    outside = code_reward(
        messages=WRITER, file_operations=[{"path": "../../etc/passwd", "type": "exists"}]
    )
    assert not outside.is_score_valid and "relative" in (outside.error or "")

    def broken(files: dict[str, bytes]) -> float:
        raise RuntimeError("bug in the check")

    crashed = code_reward(messages=WRITER, check_files=broken)
    assert not crashed.is_score_valid and "bug in the check" in (crashed.error or "")
