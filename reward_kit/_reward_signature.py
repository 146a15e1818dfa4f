"""How ``@reward_function`` reads a reward's signature: which parameters hold data, which
scalars it accepts, whether it wants ``Message`` objects, and a fast keyword-only binding.
"""

from __future__ import annotations

import inspect
import numbers
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reward_kit.errors import InvalidRewardFunctionError
from reward_kit.models import Message

__all__ = [
    "DATA_PARAMETERS",
    "KeywordBinding",
    "annotations_of",
    "check_signature",
    "mentions",
    "scalar_check",
    "wants_models",
]


def mentions(annotation: Any, target: type) -> bool:
    """Whether ``annotation`` names ``target`` anywhere (in a union, a list of it, a string)."""
    if annotation is target or typing.get_origin(annotation) is target:
        return True
    if isinstance(annotation, str):
        return target.__name__ in annotation
    return any(mentions(argument, target) for argument in typing.get_args(annotation))


def annotations_of(func: Callable[..., Any]) -> dict[str, Any]:
    """The function's resolved type hints (the raw annotations when they cannot be resolved)."""
    try:
        return typing.get_type_hints(func)
    except Exception:  # unresolvable forward references: fall back to the raw strings
        return dict(getattr(func, "__annotations__", {}))


DATA_PARAMETERS = frozenset(
    {
        "messages",
        "ground_truth",
        "rollouts_messages",
        "ground_truths",
        "original_messages",
        "response",
        "expected_response",
    }
)
"""Parameters that carry the sample itself; the others are options, whose scalars are checked."""
_SCALARS: dict[Any, tuple[type, ...]] = {
    bool: (bool, numbers.Integral),
    int: (numbers.Integral,),
    float: (numbers.Real,),
    str: (str,),
    type(None): (type(None),),
}


def scalar_check(annotation: Any) -> tuple[type, ...] | None:
    """The types a parameter annotated with plain scalars (``int | None``...) accepts, else None.

    ``int`` accepts any integral number and ``float`` any real one (NumPy's too), so only a
    value of a plainly wrong kind (``"abc"`` for a length) is refused.
    """
    origin = typing.get_origin(annotation)
    members = (
        typing.get_args(annotation)
        if origin is typing.Union or origin is types.UnionType
        else (annotation,)
    )
    if not all(member in _SCALARS for member in members):
        return None
    return tuple(kind for member in members for kind in _SCALARS[member])


def wants_models(annotation: Any) -> bool:
    """Messages are passed as ``Message`` unless the parameter is annotated for dicts only."""
    if annotation is None:
        return True
    return mentions(annotation, Message) or not mentions(annotation, dict)


@dataclass(frozen=True)
class KeywordBinding:
    """Binds a call made with keyword arguments only, as ``Signature.bind`` does but faster.

    Rewards are called once per sample with keywords only, and ``Signature.bind`` costs more
    than many a reward itself.
    """

    named: tuple[str, ...]
    required: frozenset[str]
    var_keyword: str | None

    @classmethod
    def of(cls, signature: inspect.Signature) -> KeywordBinding | None:
        """The binding for ``signature``; None when it has positional-only or ``*args``."""
        parameters = list(signature.parameters.values())
        simple = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        var_keyword = [p.name for p in parameters if p.kind is inspect.Parameter.VAR_KEYWORD]
        named = [p for p in parameters if p.kind in simple]
        if len(named) + len(var_keyword) != len(parameters):
            return None
        required = frozenset(p.name for p in named if p.default is inspect.Parameter.empty)
        return cls(tuple(p.name for p in named), required, var_keyword[0] if var_keyword else None)

    def bind(
        self, signature: inspect.Signature, kwargs: dict[str, Any]
    ) -> inspect.BoundArguments | None:
        """The bound arguments, or None when the call is wrong (``Signature.bind`` says how)."""
        if not self.required <= kwargs.keys():
            return None
        arguments = {name: kwargs[name] for name in self.named if name in kwargs}
        if len(arguments) < len(kwargs):
            if self.var_keyword is None:
                return None
            extra = {name: value for name, value in kwargs.items() if name not in arguments}
            arguments[self.var_keyword] = extra
        return inspect.BoundArguments(signature, arguments)


def check_signature(func: Callable[..., Any], mode: str) -> None:
    """Refuse a function that could never be given the response it should judge."""
    if not callable(func):
        raise InvalidRewardFunctionError(
            f"@reward_function needs a function, got {type(func).__name__}"
        )
    name = getattr(func, "__qualname__", repr(func))
    parameters = inspect.signature(func).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    accepted = ("rollouts_messages",) if mode == "batch" else ("messages", "response")
    if not any(parameter in parameters for parameter in accepted):
        raise InvalidRewardFunctionError(
            f"{mode} reward function {name!r} must have a parameter named "
            f"{' or '.join(map(repr, accepted))} (or accept **kwargs): nothing else receives "
            "the response to judge"
        )
