"""reward-kit rewards as TRL reward functions: the calling convention, then a real GRPOTrainer."""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import pickle
import time
from typing import Any

import pytest

from reward_kit import EvaluateResult, MetricResult, RewardFunction, reward_function
from reward_kit.integrations.trl import TRLRewardAdapter, combine, create_trl_adapter
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
def raising_reward(messages: list[Message], **kwargs: Any) -> EvaluateResult:
    raise RuntimeError("the reward broke")


@reward_function(mode="batch")
def batch_length_reward(
    rollouts_messages: list[list[Message]], ground_truths: list[Any] | None = None, **kwargs: Any
) -> list[EvaluateResult]:
    """Scores a whole batch in one call: each response's length, minus the batch's shortest."""
    lengths = [len(message_text(messages[-1])) for messages in rollouts_messages]
    return [EvaluateResult(score=float(n - min(lengths))) for n in lengths]


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
    """Call ``reward_func`` the way TRL's ``GRPOTrainer._calculate_rewards`` does.

    Every input column but ``prompt``, ``completion`` and ``completion_ids`` becomes a
    per-sample list; then ``trainer_state``, ``log_extra`` and ``log_metric`` (and, with
    environments, ``environments``) are added; ``more`` stands for kwargs a later TRL may add.
    """
    from transformers import TrainerState

    prompts = [example["prompt"] for example in inputs]
    completions = [example["completion"] for example in inputs]
    completion_ids_list = [example["completion_ids"] for example in inputs]
    keys = [key for key in inputs[0] if key not in ["prompt", "completion", "completion_ids"]]
    reward_kwargs: dict[str, Any] = {key: [example[key] for example in inputs] for key in keys}
    reward_kwargs["trainer_state"] = TrainerState(global_step=3)
    reward_kwargs["log_extra"] = recorder.log_extra
    reward_kwargs["log_metric"] = recorder.log_metric
    reward_kwargs.update(more)
    completion_ids = completion_ids_list
    return reward_func(
        prompts=prompts, completions=completions, completion_ids=completion_ids, **reward_kwargs
    )


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


def test_standard_format_scores_match_direct_calls_and_invalid_is_none(caplog):
    adapter = create_trl_adapter(picky_reward)
    recorder = Recorder()
    with caplog.at_level(logging.WARNING, logger="reward_kit.trl"):
        values = call_like_grpo_trainer(adapter, standard_inputs(), recorder)
    expected = direct_scores(picky_reward, standard_inputs())
    assert values == [expected[0].score, expected[1].score, None]
    assert values[:2] == [len("The answer is 4") / 10, len("c-a-t") / 10]
    assert "no reference answer for this row" in caplog.text
    assert recorder.metrics == {"reward_kit/picky_reward/invalid_fraction": [1 / 3]}
    error = "no reference answer for this row"
    assert recorder.extra == {"picky_reward_error": [None, None, error]}


def test_conversational_format_reward_sees_whole_conversation_with_tool_calls():
    inputs = conversational_inputs()
    recorder = Recorder()
    values = call_like_grpo_trainer(create_trl_adapter(overlap_reward), inputs, recorder)
    assert values == [r.score for r in direct_scores(overlap_reward, inputs)]
    assert values == [1.0 + 5 - 2, 1.0 + 7 - 2]  # system + 2 earlier turns + question + completion
    assert recorder.metrics["reward_kit/overlap_reward/turns"] == [6.0]
    assert recorder.metrics["reward_kit/overlap_reward/overlap"] == [1.0]

    echoed = create_trl_adapter(echo_kwargs_reward, workers=0)
    samples = echoed.samples(
        [example["prompt"] for example in inputs], [example["completion"] for example in inputs], {}
    )
    tool_turn = Message.model_validate(samples[1]["messages"][4])
    assert tool_turn.tool_calls[0].function.parsed_arguments() == {"expr": "6*7"}


def test_trl_extras_and_unknown_kwargs_are_not_passed_to_the_reward():
    inputs = standard_inputs()
    adapter = create_trl_adapter(echo_kwargs_reward, static_kwargs={"unit": "cm"})
    extras = {"environments": [None] * 3, "some_future_option": object()}
    values = call_like_grpo_trainer(adapter, inputs, Recorder(), **extras)
    assert values == [3.0, 3.0, 3.0]  # ground_truth, lang, unit: nothing of TRL's own
    samples = adapter.samples(["q"], ["a"], {"ground_truth": ["4"], "lang": ["en"], **extras})
    assert sorted(samples[0]) == ["ground_truth", "lang", "messages", "unit"]


def test_column_map_ground_truth_column_and_static_kwargs():
    inputs = [
        {"prompt": "q", "completion": "a", "completion_ids": [1], "answer": "42", "level": 3,
         "ground_truth": "not this one"},
    ]  # fmt: skip
    adapter = create_trl_adapter(
        echo_kwargs_reward,
        ground_truth_column="answer",
        column_map={"difficulty": "level"},
        static_kwargs={"unit": "cm", "difficulty": 0},
        workers=0,
    )
    samples = adapter.samples(["q"], ["a"], {"answer": ["42"], "level": [3], "ground_truth": ["x"]})
    assert {k: v for k, v in samples[0].items() if k != "messages"} == {
        "unit": "cm",
        "difficulty": 3,
        "ground_truth": "42",
    }
    assert call_like_grpo_trainer(adapter, inputs, Recorder()) == [3.0]

    missing = create_trl_adapter(echo_kwargs_reward, column_map={"difficulty": "lvl"}, workers=0)
    with pytest.raises(ValueError, match="'lvl', which TRL did not pass"):
        call_like_grpo_trainer(missing, inputs, Recorder())


def test_plain_callable_gets_only_what_it_declares_including_trainer_state():
    values = call_like_grpo_trainer(create_trl_adapter(plain_reward), standard_inputs(), Recorder())
    assert values == [3.0 + 1, 3.0 + 3, 3.0 + 4]  # global_step 3 + len(ground_truth)


def test_invalid_as_and_weight():
    adapter = create_trl_adapter(picky_reward, invalid_as=-1.0, weight=2.0)
    values = call_like_grpo_trainer(adapter, standard_inputs(), Recorder())
    assert values == [2 * 1.5, 2 * 0.5, -1.0]
    with pytest.raises(ValueError, match="weight must be a finite number"):
        create_trl_adapter(picky_reward, weight=math.inf)


def test_exceptions_and_timeouts_give_none_and_are_logged_once_per_reason(caplog):
    adapter = create_trl_adapter(raising_reward)
    with caplog.at_level(logging.WARNING, logger="reward_kit.trl"):
        first = call_like_grpo_trainer(adapter, standard_inputs(), Recorder())
        second = call_like_grpo_trainer(adapter, standard_inputs(), Recorder())
    assert first == second == [None, None, None]
    assert caplog.text.count("RuntimeError: the reward broke") == 1

    inputs = standard_inputs()[:2]
    inputs[1]["ground_truth"] = "hang"
    recorder = Recorder()
    started = time.monotonic()
    values = call_like_grpo_trainer(
        create_trl_adapter(sleepy_reward, timeout=1.0), inputs, recorder
    )
    assert time.monotonic() - started < 15
    assert values == [1.0, None]
    assert "timed out" in recorder.extra["sleepy_reward_error"][1]


def test_async_reward_and_remote_style_reward_function():
    inputs = standard_inputs()
    values = call_like_grpo_trainer(create_trl_adapter(async_length_reward), inputs, Recorder())
    assert values == [float(len(example["completion"])) for example in inputs]

    from_rf = RewardFunction(func=async_length_reward).get_trl_adapter(name="length")
    assert isinstance(from_rf, TRLRewardAdapter)
    assert from_rf.__name__ == "length"
    assert call_like_grpo_trainer(from_rf, inputs, Recorder()) == values


def test_remote_evaluator_scores_each_completion_over_http():
    from tests._servers.evaluator_stub import running_evaluator_stub

    with running_evaluator_stub() as stub:
        remote = RewardFunction(mode="remote", endpoint=stub.url, name="remote_exact")
        inputs = standard_inputs()
        inputs[0]["completion"] = "4"
        values = call_like_grpo_trainer(create_trl_adapter(remote), inputs, Recorder())
    assert values == [1.0, 0.0, 0.0]
    assert sorted(r["ground_truth"] for r in stub.requests) == ["4", "cat", "skip"]
    assert all(r["messages"][0]["role"] == "user" for r in stub.requests)
    assert {key for r in stub.requests for key in r.get("kwargs", {})} == {"lang"}


def test_batch_mode_reward_scores_the_batch_in_one_call():
    values = call_like_grpo_trainer(
        create_trl_adapter(batch_length_reward), standard_inputs(), Recorder()
    )
    assert values == [10.0, 0.0, 3.0]  # 15, 5 and 8 characters


def test_adapter_is_picklable_and_named():
    adapter = create_trl_adapter(overlap_reward, static_kwargs={"unit": "cm"}, timeout=5)
    call_like_grpo_trainer(adapter, conversational_inputs(), Recorder())  # starts its scorer
    clone = pickle.loads(pickle.dumps(adapter))
    assert clone.__name__ == adapter.__name__ == "overlap_reward"
    assert clone.static_kwargs == {"unit": "cm"}
    inputs = conversational_inputs()
    assert call_like_grpo_trainer(clone, inputs, Recorder()) == call_like_grpo_trainer(
        adapter, inputs, Recorder()
    )


def test_unpicklable_reward_fails_at_creation_unless_scored_in_process():
    def local_reward(messages: list[Any], **kwargs: Any) -> EvaluateResult:
        return EvaluateResult(score=0.5)

    with pytest.raises(TypeError, match="cannot be sent to worker processes"):
        create_trl_adapter(local_reward)
    adapter = create_trl_adapter(local_reward, workers=0)
    assert call_like_grpo_trainer(adapter, standard_inputs(), Recorder()) == [0.5] * 3


def test_mismatched_batch_is_an_error():
    with pytest.raises(ValueError, match="got 2 prompts for 1 completions"):
        create_trl_adapter(picky_reward)(prompts=["a", "b"], completions=["x"])
    with pytest.raises(ValueError, match="both be strings"):
        create_trl_adapter(picky_reward)(prompts=["a"], completions=[[{"role": "assistant"}]])


def test_combine_builds_reward_funcs_and_weights():
    funcs, weights = combine({overlap_reward: 1.0, picky_reward: 0.25})
    assert [f.__name__ for f in funcs] == ["overlap_reward", "picky_reward"]
    assert weights == [1.0, 0.25]

    named = create_trl_adapter(overlap_reward, name="overlap_again")
    funcs, weights = combine([overlap_reward, (named, 2)], timeout=3)
    assert funcs[1] is named and funcs[0].timeout == 3
    assert weights == [1.0, 2.0]

    with pytest.raises(ValueError, match="two rewards are named 'overlap_reward'"):
        combine([overlap_reward, overlap_reward])
    with pytest.raises(ValueError, match="must be a number"):
        combine([(overlap_reward, "heavy")])
    with pytest.raises(ValueError, match="at least one reward"):
        combine([])


def test_matches_installed_trl_calling_convention():
    """Guards the convention mirrored by ``call_like_grpo_trainer`` against TRL changes."""
    trl = pytest.importorskip("trl")
    source = inspect.getsource(trl.GRPOTrainer._calculate_rewards)
    assert 'if key not in ["prompt", "completion", "completion_ids"]' in source
    for extra in ("trainer_state", "log_extra", "log_metric"):
        assert f'reward_kwargs["{extra}"]' in source
    assert (
        "prompts=prompts, completions=completions, completion_ids=completion_ids_list, "
        "**reward_kwargs" in source
    )
    assert "get_callable_name" in inspect.getsource(trl.GRPOTrainer.__init__)
    from trl.trainer.utils import get_callable_name, is_async_callable

    adapter = create_trl_adapter(overlap_reward, name="logged_name")
    assert get_callable_name(adapter) == "logged_name"
    assert not is_async_callable(adapter)


# A real GRPOTrainer, a few steps on the CPU with a tiny model built in code.

TRANSFORMERS_DEPRECATIONS = "ignore:.*gradient_checkpointing.*:FutureWarning"


def train_and_capture(
    rows: list[dict[str, Any]], rewards: dict[Any, float], tmp_path: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Train 2 steps; return what TRL logged per step (completions table) and its log history."""
    datasets = pytest.importorskip("datasets")
    trl = pytest.importorskip("trl")
    from transformers import TrainerCallback

    from reward_kit.integrations.tiny_lm import build_tiny_lm

    model, tokenizer = build_tiny_lm(seed=0)
    funcs, weights = combine(rewards)
    args = trl.GRPOConfig(
        output_dir=str(tmp_path),
        per_device_train_batch_size=8,
        num_generations=4,
        max_completion_length=12,
        max_steps=2,
        logging_steps=1,
        reward_weights=weights,
        report_to="none",
        use_cpu=True,
        bf16=False,
        save_strategy="no",
        disable_tqdm=True,
        seed=0,
    )
    trainer = trl.GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=funcs,
        args=args,
        train_dataset=datasets.Dataset.from_list(rows),
    )
    captured: list[dict[str, Any]] = []

    class Capture(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            # TRL's completions table for the batch just scored (what log_completions shows)
            logs = trainer._logs
            captured.append(
                {
                    "prompts": list(logs["prompt"]),
                    "completions": list(logs["completion"]),
                    "rewards": {name: list(values) for name, values in logs["rewards"].items()},
                }
            )

    trainer.add_callback(Capture())
    trainer.train()
    steps = [entry for entry in trainer.state.log_history if "loss" in entry]
    return captured, steps


def check_logged_rewards(
    captured: list[dict[str, Any]],
    steps: list[dict[str, Any]],
    rewards: dict[Any, float],
    ground_truth_of: Any,
) -> int:
    """Assert TRL's logged rewards are reward-kit's own; returns how many were None."""
    assert len(captured) == len(steps) == 2
    nones = 0
    for batch, logged in zip(captured, steps, strict=True):
        assert len(batch["completions"]) == 8
        inputs = [
            {"prompt": p, "completion": c, "ground_truth": ground_truth_of(p)}
            for p, c in zip(batch["prompts"], batch["completions"], strict=True)
        ]
        totals = [0.0] * len(inputs)
        for reward, weight in rewards.items():
            name = reward.__reward_kit__.name
            expected = [
                r.score if r.is_score_valid else math.nan for r in direct_scores(reward, inputs)
            ]
            got = batch["rewards"][name]
            assert [math.isnan(v) for v in got] == [math.isnan(v) for v in expected]
            assert [v for v in got if not math.isnan(v)] == pytest.approx(
                [v for v in expected if not math.isnan(v)], rel=1e-6
            )
            valid = [v for v in expected if not math.isnan(v)]
            assert logged[f"rewards/{name}/mean"] == pytest.approx(sum(valid) / len(valid), 1e-6)
            invalid_fraction = logged[f"reward_kit/{name}/invalid_fraction"]
            assert invalid_fraction == pytest.approx((len(expected) - len(valid)) / len(expected))
            nones += len(expected) - len(valid)
            weighted = [0.0 if math.isnan(v) else v * weight for v in expected]
            totals = [t + w for t, w in zip(totals, weighted, strict=True)]
        assert logged["reward"] == pytest.approx(sum(totals) / len(totals), rel=1e-5)
    return nones


@pytest.mark.slow
@pytest.mark.filterwarnings(TRANSFORMERS_DEPRECATIONS)
def test_grpo_trainer_standard_format_logs_reward_kit_scores(tmp_path):
    answers = {"What is 1+1?": "2", "Name a vowel": "skip", "What is 2*5?": "10", "Hi": "skip"}
    rows = [{"prompt": p, "ground_truth": gt} for p, gt in answers.items()]
    rewards = {overlap_reward: 1.0, picky_reward: 0.5}
    captured, steps = train_and_capture(rows, rewards, tmp_path)
    assert all(isinstance(c, str) for batch in captured for c in batch["completions"])
    nones = check_logged_rewards(captured, steps, rewards, answers.__getitem__)
    assert nones == 8  # picky_reward: the 4 completions of each of the 2 'skip' prompts


@pytest.mark.slow
@pytest.mark.filterwarnings(TRANSFORMERS_DEPRECATIONS)
def test_grpo_trainer_conversational_format_logs_reward_kit_scores(tmp_path):
    system = {"role": "system", "content": "Answer with a number."}
    answers = {"What is 3+4?": "7", "Pick one": "skip", "What is 9-8?": "1", "Say ok": "skip"}
    rows = [
        {"prompt": [system, {"role": "user", "content": question}], "ground_truth": gt}
        for question, gt in answers.items()
    ]
    rewards = {overlap_reward: 1.0, picky_reward: 0.5}
    captured, steps = train_and_capture(rows, rewards, tmp_path)
    for batch in captured:
        assert all(p[0] == system and len(p) == 2 for p in batch["prompts"])
        assert all(c[0]["role"] == "assistant" for c in batch["completions"])
    # overlap_reward adds 1 per turn beyond 2: with the system prompt every score is >= 1
    assert min(v for batch in captured for v in batch["rewards"]["overlap_reward"]) >= 1.0
    nones = check_logged_rewards(captured, steps, rewards, lambda p: answers[p[-1]["content"]])
    assert nones == 8
