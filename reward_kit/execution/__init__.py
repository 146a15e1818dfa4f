"""Sandboxed code execution: run untrusted code locally (bubblewrap) or on E2B.

>>> from reward_kit.execution import LocalExecutor
>>> with LocalExecutor() as executor:
...     executor.run("print(6 * 7)").stdout
'42\\n'
"""

from reward_kit.execution._base import ExecutionJob
from reward_kit.execution._files import CollectFiles
from reward_kit.execution._result import ExecutionLimits, ExecutionResult
from reward_kit.execution.e2b import E2BExecutor
from reward_kit.execution.local import LocalExecutor, SandboxUnavailableError, SandboxWarning

__all__ = [
    "CollectFiles",
    "E2BExecutor",
    "ExecutionJob",
    "ExecutionLimits",
    "ExecutionResult",
    "LocalExecutor",
    "SandboxUnavailableError",
    "SandboxWarning",
]
