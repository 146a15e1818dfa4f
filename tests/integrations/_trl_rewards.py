"""Rewards and a TRL-style caller shared by the TRL integration tests.

The rewards live in a module of their own so that worker processes can import them by name.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from reward_kit import EvaluateResult, MetricResult, reward_function
from reward_kit.models import Message, message_text


@reward_function
def overlap_reward(
    messages: list[Message], ground_truth: str | None = None, **kwargs: Any
) -> EvaluateResult:
    """Share of the ground truth's characters found in the response, plus 1 per earlier turn.

    The turn count makes the score depend on the whole conversation, so a test can tell
    whether the reward saw the system prompt and earlier turns.
    """
    response = message_text(messages[-1])
    wanted = set(ground_truth or "")
    found = len(wanted & set(response)) / len(wanted) if wanted else 0.0
    return EvaluateResult(
        score=found + len(messages) - 2,
        reason=f"{len(messages)} messages",
        metrics={"overlap": MetricResult(score=found), "turns": MetricResult(score=len(messages))},
    )


@reward_function
def picky_reward(
    messages: list[Message], ground_truth: str | None = None, **kwargs: Any
) -> EvaluateResult:
    """Length of the response / 10, but cannot evaluate rows whose ground truth is 'skip'."""
    if ground_truth == "skip":
        return EvaluateResult.invalid("no reference answer for this row")
    return EvaluateResult(score=len(message_text(messages[-1])) / 10)


@reward_function
def echo_kwargs_reward(messages: list[Message], **kwargs: Any) -> EvaluateResult:
    """Reports what it received in ``reason`` (as sorted ``key=value`` pairs)."""
    shown = {k: v for k, v in kwargs.items() if k != "trainer_state"}
    shown["roles"] = "/".join(m.role for m in messages)
    if "trainer_state" in kwargs:
        shown["step"] = kwargs["trainer_state"].global_step
    return EvaluateResult(score=float(len(kwargs)), reason=repr(sorted(shown.items())))


@reward_function
async def async_length_reward(messages: list[Message], **kwargs: Any) -> EvaluateResult:
    await asyncio.sleep(0.01)
    return EvaluateResult(score=float(len(message_text(messages[-1]))))


@reward_function
def sleepy_reward(messages: list[Message], ground_truth: str | None = None, **kwargs: Any):
    if ground_truth == "hang":
        time.sleep(30)
    return EvaluateResult(score=1.0)


@reward_function
def echo_or_fail_reward(messages: list[Message], ground_truth: str = "", **kwargs: Any):
    """Fails with a different reason for every ground truth."""
    return EvaluateResult.invalid(f"cannot judge row {ground_truth}")


@reward_function
def raising_reward(messages: list[Message], **kwargs: Any) -> EvaluateResult:
    raise RuntimeError("the reward broke")


@reward_function(mode="batch")
def batch_length_reward(
    rollouts_messages: list[list[Message]], ground_truths: list[Any] | None = None, **kwargs: Any
) -> list[EvaluateResult]:
    """Scores a whole batch in one call: each response's length, minus the batch's shortest."""
    lengths = [len(message_text(messages[-1])) for messages in rollouts_messages]
    return [EvaluateResult(score=float(n - min(lengths))) for n in lengths]


COUNTED: list[str] = []
"""Responses ``counting_reward`` has scored (it runs in the test's process: threads)."""


@reward_function
def counting_reward(messages: list[Message], **kwargs: Any) -> EvaluateResult:
    COUNTED.append(message_text(messages[-1]))
    return EvaluateResult(score=1.0)


def plain_reward(
    messages: list[dict[str, Any]], ground_truth: str, trainer_state: Any
) -> EvaluateResult:
    """A plain callable with no ``**kwargs``: only what it declares may be passed."""
    return EvaluateResult(score=float(trainer_state.global_step) + len(ground_truth))


class Recorder:
    """Stands in for TRL's ``log_metric``/``log_extra`` (the trainer's bound methods)."""

    def __init__(self) -> None:
        self.metrics: dict[str, list[float]] = {}
        self.extra: dict[str, list[Any]] = {}

    def log_metric(self, name: str, value: float) -> None:
        self.metrics.setdefault(name, []).append(value)

    def log_extra(self, column: str, values: list[Any]) -> None:
        self.extra.setdefault(column, []).extend(values)


def call_like_grpo_trainer(
    reward_func: Any, inputs: list[dict[str, Any]], recorder: Recorder, **more: Any
) -> list[float | None]:
    """Call ``reward_func`` the way TRL's ``GRPOTrainer._calculate_rewards`` does."""
    return call_all_like_grpo_trainer([reward_func], inputs, recorder, **more)[0]


def call_all_like_grpo_trainer(
    reward_funcs: list[Any], inputs: list[dict[str, Any]], recorder: Recorder, **more: Any
) -> list[list[float | None]]:
    """Call each of ``reward_funcs`` in turn on one batch, as ``_calculate_rewards`` does.

    Every input column but ``prompt``, ``completion`` and ``completion_ids`` becomes a
    per-sample list; then ``trainer_state``, ``log_extra`` and ``log_metric`` (and, with
    environments, ``environments``) are added; ``more`` stands for kwargs a later TRL may add.
    Every reward gets the same list objects, as in TRL.
    """
    try:
        from transformers import TrainerState
    except ImportError:  # the adapter itself needs no TRL: a stand-in with the field used
        from types import SimpleNamespace as TrainerState

    prompts = [example["prompt"] for example in inputs]
    completions = [example["completion"] for example in inputs]
    completion_ids_list = [example["completion_ids"] for example in inputs]
    keys = [key for key in inputs[0] if key not in ["prompt", "completion", "completion_ids"]]
    reward_kwargs: dict[str, Any] = {key: [example[key] for example in inputs] for key in keys}
    reward_kwargs["trainer_state"] = TrainerState(global_step=3)
    reward_kwargs["log_extra"] = recorder.log_extra
    reward_kwargs["log_metric"] = recorder.log_metric
    reward_kwargs.update(more)
    return [
        reward_func(
            prompts=prompts,
            completions=completions,
            completion_ids=completion_ids_list,
            **reward_kwargs,
        )
        for reward_func in reward_funcs
    ]


def standard_inputs() -> list[dict[str, Any]]:
    rows = [("What is 2+2?", "4", "The answer is 4"), ("Spell cat", "cat", "c-a-t")]
    rows += [("Say hi", "skip", "hi there")]
    return [
        {"prompt": p, "completion": c, "completion_ids": [1, 2], "ground_truth": gt, "lang": "en"}
        for p, gt, c in rows
    ]


def conversational_inputs() -> list[dict[str, Any]]:
    prompt = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi."},
        {"role": "user", "content": "What is 6*7?"},
    ]
    tool_call = {"type": "function", "function": {"name": "calc", "arguments": {"expr": "6*7"}}}
    with_tool = [
        {"role": "assistant", "content": "", "tool_calls": [tool_call]},
        {"role": "tool", "name": "calc", "content": "42"},
        {"role": "assistant", "content": "42"},
    ]
    return [
        {"prompt": prompt, "completion": [{"role": "assistant", "content": "It is 42"}],
         "completion_ids": [5], "ground_truth": "42"},
        {"prompt": prompt, "completion": with_tool, "completion_ids": [6, 7], "ground_truth": "42"},
    ]  # fmt: skip


def direct_scores(reward: Any, inputs: list[dict[str, Any]]) -> list[EvaluateResult]:
    """What the reward gives when called directly on each sample's whole conversation."""
    results = []
    for example in inputs:
        prompt, completion = example["prompt"], example["completion"]
        if isinstance(prompt, str):
            messages = [
                {"role": "user", "content": prompt},
                {"role": "assistant", "content": completion},
            ]
        else:
            messages = prompt + completion
        results.append(reward(messages=messages, ground_truth=example.get("ground_truth")))
    return results
