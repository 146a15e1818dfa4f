"""``RewardFunction``: one object for a reward that runs here or behind an HTTP endpoint.

``reward_function`` is re-exported here too, where reward-kit's API reference imports it from.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from reward_kit import _registry
from reward_kit._async_bridge import run_sync
from reward_kit._credentials import load_credentials
from reward_kit._remote import build_request, evaluate_remote
from reward_kit._results import to_evaluate_result
from reward_kit._types import MessagesLike
from reward_kit.models import EvaluateResult
from reward_kit.typed_interface import reward_function

if TYPE_CHECKING:
    from reward_kit.integrations.trl import TRLRewardAdapter

__all__ = ["RewardFunction", "reward_function"]

Mode = Literal["local", "remote", "fireworks_hosted"]
_HOSTED_JUDGE = "llm_judge_reward"


def _evaluator_url(name: str) -> tuple[str, str]:
    """The evaluate URL of deployed evaluator ``name`` and the key to call it with."""
    credentials = load_credentials()
    base = f"{credentials.api_base}/v1/accounts/{credentials.account_id}/evaluators"
    return f"{base}/{name}:evaluate", credentials.api_key


def _inference_base_url() -> str | None:
    """The model API under ``$FIREWORKS_API_BASE`` when it is set (else the judge's default)."""
    import os

    base = os.environ.get("FIREWORKS_API_BASE")
    return f"{base.rstrip('/')}/inference/v1" if base else None


class RewardFunction:
    """A reward function loaded from code or reached over HTTP, called the same way.

    Args:
        func: The function to call (usually decorated with ``@reward_function``).
        func_path: Where to load it instead: ``pkg.mod:fn``, ``pkg.mod.fn``,
            ``path/to/main.py:evaluate`` or a registered name such as ``math_reward``.
        mode: ``"local"`` calls the function here; ``"remote"`` posts the wire format to
            ``endpoint`` (or to deployed evaluator ``name``); ``"fireworks_hosted"`` has the
            model ``model_id`` judge the response (the built-in ``llm_judge_reward``).
        endpoint: URL of the evaluator (remote mode).
        name: Display name (default: the function's name or the endpoint). In remote mode
            without ``endpoint``: the id of an evaluator deployed with ``reward-kit deploy``,
            found in the account of the configured credentials.
        model_id: The judge model (``fireworks_hosted`` mode), e.g.
            ``accounts/fireworks/models/llama-v3p1-8b-instruct``.
        timeout: Seconds to wait for one remote answer.
        api_key: Key sent as ``Authorization: Bearer`` (default: ``$FIREWORKS_API_KEY``).
        max_retries: Retries after connection errors, timeouts and HTTP 408, 425, 429 and 5xx
            answers (remote mode).
        base_dir: Folder that relative ``func_path`` files are looked up in.
        **default_kwargs: Keyword arguments passed on every call (a call's own win).

    Example:
        >>> from reward_kit import RewardFunction
        >>> rf = RewardFunction(func_path="math_reward")  # doctest: +SKIP
        >>> rf(messages=[...], ground_truth="42").score  # doctest: +SKIP
    """

    def __init__(
        self,
        func: Callable[..., Any] | None = None,
        func_path: str | None = None,
        mode: Mode = "local",
        endpoint: str | None = None,
        name: str | None = None,
        timeout: float = 30.0,
        *,
        model_id: str | None = None,
        api_key: str | None = None,
        max_retries: int = 3,
        base_dir: str | Path | None = None,
        **default_kwargs: Any,
    ) -> None:
        if mode not in ("local", "remote", "fireworks_hosted"):
            raise ValueError(f"mode must be 'local', 'remote' or 'fireworks_hosted', got {mode!r}")
        if mode == "fireworks_hosted":
            if not model_id:
                raise ValueError("RewardFunction(mode='fireworks_hosted') needs model_id=")
            if func is not None or func_path is not None:
                raise ValueError("a fireworks_hosted RewardFunction takes model_id=, not func=")
            func_path, mode = _HOSTED_JUDGE, "local"
            default_kwargs.setdefault("model", model_id)
            if (base_url := _inference_base_url()) is not None:
                default_kwargs.setdefault("base_url", base_url)
        if mode == "remote" and not endpoint and name:
            endpoint, found_key = _evaluator_url(name)
            api_key = api_key or found_key
        if mode == "remote":
            if not endpoint:
                raise ValueError("RewardFunction(mode='remote') needs endpoint=URL or name=ID")
            if not endpoint.startswith(("http://", "https://")):
                raise ValueError(f"endpoint must be an http:// or https:// URL, got {endpoint!r}")
            if func is not None or func_path is not None:
                raise ValueError("a remote RewardFunction takes endpoint=, not func= or func_path=")
        elif func is None and func_path is None:
            raise ValueError("a local RewardFunction needs func= or func_path=")
        elif func is not None and func_path is not None:
            raise ValueError("give func= or func_path=, not both")
        if func_path is not None:
            func = _registry.resolve_reward(func_path, base_dir)
        if func is not None and not callable(func):
            raise TypeError(f"{func_path or 'func'} is {type(func).__name__}, not a function")
        self.func = func
        self.func_path = func_path
        self.mode: Literal["local", "remote"] = mode
        self.model_id = model_id
        self.endpoint = endpoint
        self.timeout = timeout
        self.max_retries = max_retries
        self.default_kwargs = default_kwargs
        self._api_key = api_key
        self.name = name or (getattr(func, "__name__", None) if func else None) or str(endpoint)
        self.__name__ = self.name

    @property
    def is_async(self) -> bool:
        """True when calls are best made from an event loop (remote or ``async def`` rewards)."""
        if self.mode == "remote":
            return True
        info = getattr(self.func, "__reward_kit__", None)
        return bool(info.is_async) if info else inspect.iscoroutinefunction(self.func)

    def __call__(
        self, messages: MessagesLike, ground_truth: Any = None, **kwargs: Any
    ) -> EvaluateResult:
        """Evaluate one conversation (its last message is the response judged)."""
        merged = {**self.default_kwargs, **kwargs}
        if self.mode == "remote":
            return run_sync(self.acall(messages, ground_truth, **kwargs))
        assert self.func is not None
        value = self.func(messages=messages, ground_truth=ground_truth, **merged)
        if inspect.isawaitable(value):
            value = run_sync(_await(value))
        return to_evaluate_result(value, self.name)

    async def acall(
        self, messages: MessagesLike, ground_truth: Any = None, **kwargs: Any
    ) -> EvaluateResult:
        """Evaluate one conversation without blocking the running event loop."""
        merged = {**self.default_kwargs, **kwargs}
        if self.mode == "remote":
            assert self.endpoint is not None
            request = build_request(messages, ground_truth, merged)
            return await evaluate_remote(
                self.endpoint,
                request,
                api_key=self._api_key,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
        acall = getattr(self.func, "acall", None)
        if acall is not None:
            value = await acall(messages=messages, ground_truth=ground_truth, **merged)
        elif inspect.iscoroutinefunction(self.func):
            assert self.func is not None
            value = await self.func(messages=messages, ground_truth=ground_truth, **merged)
        else:
            import asyncio

            value = await asyncio.to_thread(self.__call__, messages, ground_truth, **kwargs)
        return to_evaluate_result(value, self.name)

    def get_trl_adapter(self, **options: Any) -> TRLRewardAdapter:
        """This reward as a TRL reward function (``prompts, completions, **kw -> list``).

        The adapter also takes reward-kit's documented batch form, ``adapter(conversations)``
        with each conversation ending in the response. ``options`` are those of
        :func:`reward_kit.integrations.trl.create_trl_adapter`.
        """
        from reward_kit.integrations.trl import TRLRewardAdapter

        return TRLRewardAdapter(self, **options)

    def __repr__(self) -> str:
        where = self.endpoint if self.mode == "remote" else self.func_path or self.name
        return f"RewardFunction({self.name!r}, mode={self.mode!r}, {where})"


async def _await(awaitable: Any) -> Any:
    return await awaitable
