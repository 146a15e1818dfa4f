"""Calling a reward function of deployed code inside a worker process, never in the server.

The server only holds a reference (``/path/to/main.py:evaluate``); the worker that runs the call
imports it, with the evaluator's own virtual environment first on ``sys.path``. The account's
secrets are the worker's environment, set when its sandbox started. The server process never
imports uploaded code.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from typing import Any

from reward_kit._loading import load_reference
from reward_kit._results import to_evaluate_result, to_evaluate_results
from reward_kit.models import EvaluateResult


class CodeEntry:
    """A picklable stand-in for a reward function that is only loaded where it runs.

    Args:
        reference: ``/abs/path/main.py:evaluate`` (or ``pkg.mod:fn``).
        name: Name used in error messages.
        site_packages: The evaluator's virtual environment's site-packages, put first on
            ``sys.path`` of the worker (whose pool serves this evaluator only).
    """

    is_async = False  # the scorer must run it in a worker, never on the server's loop

    def __init__(
        self,
        reference: str,
        *,
        name: str,
        site_packages: str | None = None,
    ) -> None:
        self.reference = reference
        self.__name__ = name
        self.site_packages = site_packages

    def load(self) -> Any:
        """Import the function (in the worker), its venv first on ``sys.path``."""
        if self.site_packages and self.site_packages not in sys.path:
            sys.path.insert(0, self.site_packages)
        return load_reference(self.reference)

    def __call__(self, **kwargs: Any) -> EvaluateResult:
        function = self.load()
        info = getattr(function, "__reward_kit__", None)
        if info is not None and info.mode == "batch":
            batch_kwargs = dict(kwargs)
            batch_kwargs["rollouts_messages"] = [batch_kwargs.pop("messages")]
            batch_kwargs["ground_truths"] = [batch_kwargs.pop("ground_truth", None)]
            return to_evaluate_results(function(**batch_kwargs), self.__name__, 1)[0]
        value = function(**kwargs)
        if inspect.isawaitable(value):
            value = asyncio.run(_await(value))
        return to_evaluate_result(value, self.__name__)

    def __repr__(self) -> str:
        return f"CodeEntry({self.reference!r})"


async def _await(awaitable: Any) -> Any:
    return await awaitable
