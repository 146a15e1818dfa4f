"""What every command does with a mistake: one line naming it, exit 2 for usage, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def reward_kit(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reward_kit", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_error_line(completed: subprocess.CompletedProcess[str]) -> str:
    """The last stderr line, after checking that no traceback came before it."""
    assert "Traceback" not in completed.stderr, completed.stderr
    return completed.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            "serve --function-ref math_reward --port 70000",
            "reward-kit serve: error: argument --port: a port must be 0-65535, got 70000",
        ),
        (
            "serve --function-ref math_reward --port -5",
            "reward-kit serve: error: argument --port: a port must be 0-65535, got -5",
        ),
        (
            "serve --function-ref math_reward --port http",
            "reward-kit serve: error: argument --port: expected a port number, got 'http'",
        ),
        (
            "serve --function-ref math_reward --timeout -1",
            "reward-kit serve: error: argument --timeout: must be a positive number, got -1",
        ),
        (
            "serve --function-ref math_reward --workers 0",
            "reward-kit serve: error: argument --workers: must be at least 1, got 0",
        ),
        (
            "view run --port 70000",
            "reward-kit view: error: argument --port: a port must be 0-65535, got 70000",
        ),
        (
            "deploy --id x --function-ref math_reward --target local-serve --dry-run --port 99999",
            "reward-kit deploy: error: argument --port: a port must be 0-65535, got 99999",
        ),
        (
            "preview --function-ref math_reward --samples s.jsonl --timeout nan",
            "reward-kit preview: error: argument --timeout: must be a positive number, got nan",
        ),
        (
            "preview --function-ref math_reward --samples s.jsonl --max-samples 0",
            "reward-kit preview: error: argument --max-samples: must be at least 1, got 0",
        ),
        (
            "agent-eval --task-dir t --tool-timeout inf",
            "reward-kit agent-eval: error: argument --tool-timeout: must be a positive number, "
            "got inf",
        ),
        (
            "rft create --evaluator e --dataset d --base-model m --epochs -3",
            "reward-kit rft create: error: argument --epochs: must be at least 1, got -3",
        ),
        (
            "rft create --evaluator e --dataset d --base-model m --learning-rate nan",
            "reward-kit rft create: error: argument --learning-rate: must be a positive number, "
            "got nan",
        ),
        (
            "rft create --evaluator e --dataset d --base-model m --temperature -1",
            "reward-kit rft create: error: argument --temperature: must be a number of at least "
            "0, got -1",
        ),
        (
            "rft create --evaluator e --dataset d --base-model m --top-p 1.5",
            "reward-kit rft create: error: argument --top-p: must be above 0 and at most 1, "
            "got 1.5",
        ),
        (
            "rft get x/../../y",
            "reward-kit rft get: error: argument job_id: a job id is 1-63 lower-case letters, "
            "digits or '-' (or accounts/ACCOUNT/reinforcementFineTuningJobs/ID), got 'x/../../y'",
        ),
        (
            "agent-eval --task-dir t --temperature -0.5",
            "reward-kit agent-eval: error: argument --temperature: must be a number of at least "
            "0, got -0.5",
        ),
        (
            "agent-eval --task-dir t --max-tasks 0",
            "reward-kit agent-eval: error: argument --max-tasks: must be at least 1, got 0",
        ),
    ],
)
def test_out_of_range_numbers_are_usage_errors_naming_the_flag(args, expected, tmp_path):
    completed = reward_kit(*args.split(), cwd=tmp_path)

    assert completed.returncode == 2
    assert one_error_line(completed) == expected


def test_a_mistyped_option_is_named_by_its_command_with_the_closest_option(tmp_path):
    completed = reward_kit("preview", "--metrcs-folders", "m=folder", cwd=tmp_path)

    assert completed.returncode == 2
    assert one_error_line(completed) == (
        "reward-kit preview: error: unrecognized arguments: --metrcs-folders m=folder "
        "(did you mean '--metrics-folders'?)"
    )


def test_a_mistyped_command_or_action_gets_a_did_you_mean(tmp_path):
    command = reward_kit("previw", cwd=tmp_path)
    action = reward_kit("secrets", "lst", cwd=tmp_path)

    assert command.returncode == action.returncode == 2
    assert one_error_line(command).endswith(
        "invalid choice: 'previw' (choose from 'agent-eval', "
        "'compare', 'deploy', 'docs', 'preview', 'rft', 'run', 'secrets', 'serve', 'view') "
        "(did you mean 'preview'?)"
    )
    assert one_error_line(action).startswith("reward-kit secrets: error: argument ACTION: ")
    assert one_error_line(action).endswith("(did you mean 'list'?)")


BROKEN_VIEW = (
    "import sys\n"
    "import reward_kit.cli.view as view\n"
    "def broken(args):\n"
    "    raise OSError(28, 'No space left on device')\n"
    "view._handle = broken\n"
    "from reward_kit.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _broken_view(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BROKEN_VIEW, "view", "run", *args],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_unexpected_exception_is_one_line_with_its_type_unless_debugging():
    completed = _broken_view()

    assert completed.returncode == 1
    assert one_error_line(completed) == (
        "reward-kit view: error: OSError: [Errno 28] No space left on device "
        "('reward-kit view --debug ...' shows the traceback)"
    )
    for debugging in (_broken_view("--debug"), _broken_view(HYDRA_FULL_ERROR="1")):
        assert debugging.returncode == 1
        assert "Traceback (most recent call last)" in debugging.stderr
        assert debugging.stderr.strip().endswith("OSError: [Errno 28] No space left on device")
