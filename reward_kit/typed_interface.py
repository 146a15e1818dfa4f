"""The ``@reward_function`` decorator: turns a plain function into a reward-kit reward.

The decorated function validates its input (dict messages become ``Message`` objects, and a
malformed message is reported with its index and field), reads what the function returns as an
``EvaluateResult``, works the same for ``async def`` functions, pickles by reference where it can
and by value where it must (``__main__``, notebooks, closures), and registers itself by name.
"""

from __future__ import annotations

import abc
import asyncio
import functools
import inspect
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, ParamSpec, TypeVar, overload

from reward_kit import _registry
from reward_kit._async_bridge import run_sync
from reward_kit._loading import load_reference, module_reference
from reward_kit._messages import to_messages
from reward_kit._results import to_evaluate_result, to_evaluate_results
from reward_kit._reward_signature import (
    DATA_PARAMETERS,
    KeywordBinding,
    annotations_of,
    check_signature,
    mentions,
    scalar_check,
    wants_models,
)
from reward_kit.models import EvaluateResult, Message

__all__ = ["BatchReward", "PointwiseReward", "RewardInfo", "reward_function"]

P = ParamSpec("P")
R = TypeVar("R")
Mode = Literal["pointwise", "batch"]


@dataclass(frozen=True)
class RewardInfo:
    """What ``deploy``, ``serve`` and logs need to know about a decorated reward."""

    name: str
    """Registered name: the ``id`` if one was given, else the function's name."""
    id: str | None
    mode: Mode
    requirements: tuple[str, ...]
    """pip requirement strings the reward needs where it is deployed."""
    reference: str
    """Where to load it again: ``pkg.mod:qualname`` or ``/path/to/main.py:qualname``."""
    is_async: bool


class _DecoratedReward(abc.ABC, Generic[P, R]):
    """Shared machinery of the pointwise and batch faces of a decorated reward."""

    __reward_kit__: RewardInfo

    def __init__(self, func: Callable[P, Any], info: RewardInfo) -> None:
        functools.update_wrapper(self, func)
        self._func = func
        self._signature = inspect.signature(func)
        self.__reward_kit__ = info
        hints = annotations_of(func)
        self._hints = hints
        self._coerce_ground_truth = mentions(hints.get("ground_truth"), Message)
        self._wants_models = {name: wants_models(hint) for name, hint in hints.items()}
        self._keywords = KeywordBinding.of(self._signature)
        # Options (parameters with a default, not the data) annotated with plain scalars are
        # checked on each call: a wrong kind of value gives an invalid result naming the option.
        self._scalar_checks = {
            name: (check + ((type(None),) if parameter.default is None else ()), hints[name])
            for name, parameter in self._signature.parameters.items()
            if parameter.default is not inspect.Parameter.empty
            and name not in DATA_PARAMETERS
            and name in hints
            and (check := scalar_check(hints[name])) is not None
        }

    @abc.abstractmethod
    def _prepare(self, args: Sequence[Any], kwargs: dict[str, Any]) -> inspect.BoundArguments:
        """Bind and validate the call's arguments."""

    @abc.abstractmethod
    def _finish(self, value: Any, bound: inspect.BoundArguments) -> R:
        """Read the function's return value as this face's result type."""

    @abc.abstractmethod
    def _invalid(self, error: str, bound: inspect.BoundArguments) -> R:
        """This face's "could not evaluate" result for a call with a bad option."""

    def _option_problem(self, bound: inspect.BoundArguments) -> str | None:
        """What is wrong with an option of the wrong kind (``target_length="abc"``), if any."""
        for name, (check, annotation) in self._scalar_checks.items():
            value = bound.arguments.get(name)
            if name in bound.arguments and not isinstance(value, check):
                expected = getattr(annotation, "__name__", None) or str(annotation)
                return (
                    f"reward function {self.__reward_kit__.name!r}: {name} must be {expected}, "
                    f"got {type(value).__name__} {value!r:.80}"
                )
        return None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        bound = self._prepare(args, kwargs)
        if problem := self._option_problem(bound):
            return self._invalid(problem, bound)
        if self.__reward_kit__.is_async:
            value = run_sync(self._func(*bound.args, **bound.kwargs))
        else:
            value = self._func(*bound.args, **bound.kwargs)
        return self._finish(value, bound)

    async def acall(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Evaluate without blocking the running event loop.

        ``async def`` rewards are awaited directly; sync rewards run in a worker thread.
        """
        bound = self._prepare(args, kwargs)
        if problem := self._option_problem(bound):
            return self._invalid(problem, bound)
        if self.__reward_kit__.is_async:
            value = await self._func(*bound.args, **bound.kwargs)
        else:
            value = await asyncio.to_thread(self._func, *bound.args, **bound.kwargs)
        return self._finish(value, bound)

    def _adapt(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The call's keywords as the function declares them.

        reward-kit's beginner pages teach ``fn(response, expected_response)``: those get the
        last assistant text and the ground truth. A function without ``**kwargs`` gets only the
        parameters it declares (dataset columns it does not name are left out).
        """
        declared = self._signature.parameters
        if "response" in declared and "response" not in kwargs and "messages" in kwargs:
            kwargs["response"] = _response_text(to_messages(kwargs["messages"]))
        wants_expected = "expected_response" in declared and "expected_response" not in kwargs
        if wants_expected and "ground_truth" in kwargs:
            kwargs["expected_response"] = kwargs["ground_truth"]
        if self._keywords is not None and self._keywords.var_keyword is None:
            kwargs = {name: value for name, value in kwargs.items() if name in declared}
        return kwargs

    def _bind(self, args: Sequence[Any], kwargs: dict[str, Any]) -> inspect.BoundArguments:
        kwargs = self._adapt(kwargs)
        if not args and self._keywords is not None:
            bound = self._keywords.bind(self._signature, kwargs)
            if bound is not None:
                return bound
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"reward function {self.__reward_kit__.name!r}: {exc}") from None
        return bound

    def _coerce(self, bound: inspect.BoundArguments, name: str, value: Any, where: str) -> None:
        messages = to_messages(value, where)
        as_models = self._wants_models.get(name, True)
        bound.arguments[name] = (
            messages if as_models else [m.model_dump(exclude_none=True) for m in messages]
        )

    def deploy(
        self,
        name: str,
        description: str | None = None,
        account_id: str | None = None,
        auth_token: str | None = None,
        force: bool = False,
        providers: list[dict[str, Any]] | None = None,
        **options: Any,
    ) -> str:
        """Deploy this reward as evaluator ``name`` (see :func:`reward_kit.deploy.deploy`).

        The folder of the function's module is uploaded, so a script that calls ``deploy`` at
        top level should keep the reward in its own module (see docs/migration.md).

        Args:
            name: Evaluator id.
            description: Shown description.
            account_id: Account (default: ``FIREWORKS_ACCOUNT_ID`` or ``auth.ini``).
            auth_token: API key (default: ``FIREWORKS_API_KEY`` or ``auth.ini``).
            force: Replace an existing evaluator with this id.
            providers: Accepted for compatibility; the evaluator API takes no providers, so
                they are not sent (a warning says so).
            **options: Other options of :func:`reward_kit.deploy.deploy` (``target``...).

        Returns:
            The evaluator's resource name (``accounts/ACCOUNT/evaluators/ID``), else its id.
        """
        from reward_kit.deploy import deploy

        if providers:
            warnings.warn(
                "deploy(providers=...) is not sent: the evaluator API takes no model providers",
                UserWarning,
                stacklevel=2,
            )
        result = deploy(
            self, id=name, description=description, force=force, account_id=account_id,
            api_key=auth_token, **options,
        )  # fmt: skip
        evaluator = result.evaluator or {}
        return str(evaluator.get("name") or result.evaluator_id)

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        """By reference where another process can import it, else by value (see _pickling)."""
        reference = self.__reward_kit__.reference
        if "<locals>" in reference or reference.startswith("__main__:"):
            return _rebuild, (type(self), self._func, self.__reward_kit__)
        return load_reference, (reference,)

    def __repr__(self) -> str:
        info = self.__reward_kit__
        return f"<reward function {info.name!r} ({info.mode}) from {info.reference}>"


def _rebuild(
    cls: type[_DecoratedReward[P, R]], func: Callable[P, Any], info: RewardInfo
) -> _DecoratedReward[P, R]:
    """A decorated reward sent by value (from ``__main__`` or a closure), without registering
    it again in the process that receives it."""
    return cls(func, info)


class PointwiseReward(_DecoratedReward[P, EvaluateResult]):
    """A reward that scores one conversation: ``fn(messages, ground_truth=None, **kw)``."""

    def _prepare(self, args: Sequence[Any], kwargs: dict[str, Any]) -> inspect.BoundArguments:
        bound = self._bind(args, kwargs)
        if "messages" in bound.arguments:
            self._coerce(bound, "messages", bound.arguments["messages"], "messages")
            # Documented default: the conversation before the response judged.
            if "original_messages" in self._signature.parameters and (
                bound.arguments.get("original_messages") is None
            ):
                prompt = bound.arguments["messages"][:-1]
                self._coerce(bound, "original_messages", prompt, "original_messages")
        ground_truth = bound.arguments.get("ground_truth")
        if self._coerce_ground_truth and isinstance(ground_truth, list):
            self._coerce(bound, "ground_truth", ground_truth, "ground_truth")
        return bound

    def _finish(self, value: Any, bound: inspect.BoundArguments) -> EvaluateResult:
        return to_evaluate_result(value, self.__reward_kit__.name)

    def _invalid(self, error: str, bound: inspect.BoundArguments) -> EvaluateResult:
        return EvaluateResult.invalid(error)


class BatchReward(_DecoratedReward[P, list[EvaluateResult]]):
    """A reward that scores many rollouts per call.

    Called as ``fn(rollouts_messages, ground_truths=None, **kwargs)``.
    """

    def _prepare(self, args: Sequence[Any], kwargs: dict[str, Any]) -> inspect.BoundArguments:
        bound = self._bind(args, kwargs)
        rollouts = bound.arguments.get("rollouts_messages")
        if rollouts is not None:
            if not isinstance(rollouts, (list, tuple)):
                raise ValueError(
                    f"rollouts_messages: expected a list of conversations, got "
                    f"{type(rollouts).__name__}"
                )
            as_models = wants_models(self._hints.get("rollouts_messages"))
            conversations = [
                to_messages(rollout, f"rollouts_messages[{index}]")
                for index, rollout in enumerate(rollouts)
            ]
            bound.arguments["rollouts_messages"] = (
                conversations
                if as_models
                else [[m.model_dump(exclude_none=True) for m in c] for c in conversations]
            )
        return bound

    def _finish(self, value: Any, bound: inspect.BoundArguments) -> list[EvaluateResult]:
        rollouts = bound.arguments.get("rollouts_messages") or []
        return to_evaluate_results(value, self.__reward_kit__.name, len(rollouts))

    def _invalid(self, error: str, bound: inspect.BoundArguments) -> list[EvaluateResult]:
        rollouts = bound.arguments.get("rollouts_messages") or []
        return [EvaluateResult.invalid(error) for _ in rollouts]


def _response_text(messages: list[Message]) -> str:
    """Text of the last assistant message (else of the last message): the response judged."""
    answers = [message for message in messages if message.role == "assistant"]
    last = answers[-1] if answers else messages[-1] if messages else None
    return last.text if last is not None else ""


def _decorate(
    func: Callable[P, Any], mode: Mode, id: str | None, requirements: Sequence[str] | None
) -> PointwiseReward[P] | BatchReward[P]:
    if mode not in ("pointwise", "batch"):
        raise ValueError(f"mode must be 'pointwise' or 'batch', got {mode!r}")
    if isinstance(requirements, str):
        raise TypeError("requirements must be a list of requirement strings, not one string")
    check_signature(func, mode)
    reference = f"{module_reference(func.__module__)}:{func.__qualname__}"
    name = id or func.__name__
    info = RewardInfo(
        name=name,
        id=id,
        mode=mode,
        requirements=tuple(requirements or ()),
        reference=reference,
        is_async=inspect.iscoroutinefunction(func),
    )
    reward: PointwiseReward[P] | BatchReward[P] = (
        BatchReward(func, info) if mode == "batch" else PointwiseReward(func, info)
    )
    _registry.register(name, reference, reward, explicit=id is not None)
    return reward


@overload
def reward_function(func: Callable[P, Any | Awaitable[Any]], /) -> PointwiseReward[P]: ...


@overload
def reward_function(
    *,
    mode: Literal["pointwise"] = "pointwise",
    id: str | None = None,
    requirements: Sequence[str] | None = None,
) -> Callable[[Callable[P, Any]], PointwiseReward[P]]: ...


@overload
def reward_function(
    *,
    mode: Literal["batch"],
    id: str | None = None,
    requirements: Sequence[str] | None = None,
) -> Callable[[Callable[P, Any]], BatchReward[P]]: ...


def reward_function(
    func: Callable[..., Any] | None = None,
    /,
    *,
    mode: Mode = "pointwise",
    id: str | None = None,
    requirements: Sequence[str] | None = None,
) -> Any:
    """Make a function a reward-kit reward function.

    Use it bare (``@reward_function``) or with options
    (``@reward_function(mode="batch", id="my_reward", requirements=["numpy>=1.26"])``).

    Args:
        func: The function. Pointwise functions take ``messages`` (the last message is the
            response judged; ``original_messages``, when declared, defaults to the ones
            before it) and usually ``ground_truth``, or the simpler ``response`` (the last
            assistant text) and ``expected_response`` (the ground truth). Batch functions
            take ``rollouts_messages`` and ``ground_truths``. A function without
            ``**kwargs`` gets only the parameters it declares.
        mode: ``"pointwise"`` scores one conversation per call, ``"batch"`` a list of them.
        id: Name to register the reward under (default: the function's name). Two different
            functions with one ``id`` are an error.
        requirements: pip requirements the reward needs where it is deployed.

    Returns:
        A callable with the function's signature that returns ``EvaluateResult`` (a list of
        them in batch mode; a plain number returned is read as the score), also for
        ``async def`` functions. ``await fn.acall(...)`` evaluates without blocking a running
        event loop, and ``fn.deploy(name=...)`` deploys it as an evaluator.
    """
    if func is not None:
        return _decorate(func, mode, id, requirements)
    return functools.partial(_decorate, mode=mode, id=id, requirements=requirements)
