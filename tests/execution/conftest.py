"""Executors shared by the execution tests (starting a sandbox costs ~50 ms, so reuse them)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from reward_kit.execution import LocalExecutor, SandboxUnavailableError

SECRET = "rk-test-secret-7f3a9c"


@pytest.fixture(scope="session", autouse=True)
def secret_in_environment() -> Iterator[str]:
    """A fake API key in the host's environment that no job may ever see."""
    os.environ["REWARD_KIT_TEST_API_KEY"] = SECRET
    yield SECRET
    os.environ.pop("REWARD_KIT_TEST_API_KEY", None)


@pytest.fixture(scope="session")
def bwrap_executor(secret_in_environment: str) -> Iterator[LocalExecutor]:
    executor = LocalExecutor("bwrap", max_output_bytes=64 * 1024, max_processes=32)
    try:
        assert executor.isolation == "bwrap"
    except SandboxUnavailableError as error:
        pytest.skip(f"bubblewrap unavailable here: {error}")
    yield executor
    executor.close()


@pytest.fixture(scope="session")
def rlimits_executor(secret_in_environment: str) -> Iterator[LocalExecutor]:
    executor = LocalExecutor("rlimits", max_output_bytes=64 * 1024, max_processes=32)
    yield executor
    executor.close()


@pytest.fixture(params=["bwrap", "rlimits"])
def executor(request: pytest.FixtureRequest) -> LocalExecutor:
    """Each isolation mode in turn, for attacks that both modes must contain."""
    return request.getfixturevalue(f"{request.param}_executor")  # type: ignore[no-any-return]


def assert_still_works(executor: LocalExecutor) -> None:
    result = executor.run("print('alive')")
    assert (result.status, result.stdout) == ("ok", "alive\n"), result
