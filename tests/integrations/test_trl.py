"""reward-kit rewards as TRL reward functions: the calling convention of TRL's GRPOTrainer."""

from __future__ import annotations

import inspect
import logging
import math
import pickle
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from reward_kit import EvaluateResult, RewardFunction
from reward_kit._combine import combine_results
from reward_kit.integrations.trl import TRLRewardAdapter, combine, create_trl_adapter
from reward_kit.models import Message
from tests.integrations._trl_rewards import (
    COUNTED,
    Recorder,
    async_length_reward,
    batch_length_reward,
    call_all_like_grpo_trainer,
    call_like_grpo_trainer,
    conversational_inputs,
    counting_reward,
    direct_scores,
    echo_kwargs_reward,
    echo_or_fail_reward,
    overlap_reward,
    picky_reward,
    plain_reward,
    raising_reward,
    sleepy_reward,
    standard_inputs,
)


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
    with pytest.raises(ValueError, match="'difficulty' should come from dataset column 'lvl'"):
        call_like_grpo_trainer(missing, inputs, Recorder())
    legacy = [{**inputs[0], "ground_truth_for_eval": "42"}]
    del legacy[0]["ground_truth"]
    assert call_like_grpo_trainer(create_trl_adapter(picky_reward), legacy, Recorder()) == [0.1]

    typo = create_trl_adapter(echo_kwargs_reward, ground_truth_column="answr", workers=0)
    with pytest.raises(ValueError, match="column 'answr', which TRL did not pass"):
        call_like_grpo_trainer(typo, inputs, Recorder())


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

    many = [{**standard_inputs()[2], "ground_truth": f"{i}"} for i in range(150)]
    reasons = create_trl_adapter(echo_or_fail_reward, workers=0)
    with caplog.at_level(logging.WARNING, logger="reward_kit.trl"):
        caplog.clear()
        assert call_like_grpo_trainer(reasons, many, Recorder()) == [None] * 150
    assert len(caplog.records) == 100
    assert "new ones go to DEBUG" in caplog.records[-1].getMessage()

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
    assert type(clone) is TRLRewardAdapter  # pickled by its public home
    assert TRLRewardAdapter.__module__ == "reward_kit.integrations.trl"
    assert clone.static_kwargs == {"unit": "cm"}
    inputs = conversational_inputs()
    assert call_like_grpo_trainer(clone, inputs, Recorder()) == call_like_grpo_trainer(
        adapter, inputs, Recorder()
    )


def test_rewards_run_in_this_process_by_default_and_share_its_state():
    seen: list[str] = []
    lock = threading.Lock()

    def local_reward(messages: list[Any], **kwargs: Any) -> EvaluateResult:
        with lock:
            seen.append(messages[-1]["content"])
        return EvaluateResult(score=0.5)

    adapter = create_trl_adapter(local_reward)
    assert call_like_grpo_trainer(adapter, standard_inputs(), Recorder()) == [0.5] * 3
    assert len(seen) == 3


def test_a_closure_scored_in_workers_gets_none_and_a_reason_when_it_cannot_be_sent(caplog):
    lock = threading.Lock()

    def locked_reward(messages: list[Any], **kwargs: Any) -> EvaluateResult:
        with lock:
            return EvaluateResult(score=0.5)

    def factory(threshold: float) -> Any:
        def closure(messages: list[Any], **kwargs: Any) -> EvaluateResult:
            return EvaluateResult(score=threshold)

        return closure

    in_workers = create_trl_adapter(factory(0.25), workers=2)
    assert call_like_grpo_trainer(in_workers, standard_inputs(), Recorder()) == [0.25] * 3
    stuck = create_trl_adapter(locked_reward, workers=2)
    with caplog.at_level("WARNING", logger="reward_kit.trl"):
        assert call_like_grpo_trainer(stuck, standard_inputs(), Recorder()) == [None] * 3
    assert "'lock' (a _thread.lock" in caplog.text and "workers=0" in caplog.text


def test_mismatched_batch_is_an_error():
    with pytest.raises(ValueError, match="got 2 prompts for 1 completions"):
        create_trl_adapter(picky_reward)(prompts=["a", "b"], completions=["x"])
    with pytest.raises(ValueError, match="both be strings"):
        create_trl_adapter(picky_reward)(prompts=["a"], completions=[[{"role": "assistant"}]])


def test_combine_builds_reward_funcs_and_weights():
    funcs, weights = combine({overlap_reward: 1.0, picky_reward: 0.25})
    assert [f.__name__ for f in funcs] == ["overlap_reward", "picky_reward"]
    assert weights == [0.8, 0.2]  # scaled to add up to 1: TRL's weighted sum is the mean

    named = create_trl_adapter(overlap_reward, name="overlap_again")
    funcs, weights = combine([overlap_reward, (named, 2)], timeout=3)
    assert funcs[1] is named and funcs[0].timeout == 3
    assert weights == pytest.approx([1 / 3, 2 / 3])

    with pytest.raises(
        ValueError,
        match="two rewards are named 'overlap_reward', so their results would be merged; wrap one",
    ):
        combine([overlap_reward, overlap_reward])
    with pytest.raises(ValueError, match="must be a number"):
        combine([(overlap_reward, "heavy")])
    with pytest.raises(ValueError, match="at least one reward"):
        combine([])
    with pytest.raises(ValueError, match="must be a number"):
        combine([(overlap_reward, math.inf)])
    with pytest.raises(ValueError, match="add up to a positive number"):
        combine([(overlap_reward, 1.0), (picky_reward, -1.0)])


def test_combined_rewards_leave_out_a_sample_any_of_them_cannot_score():
    funcs, weights = combine({overlap_reward: 1.0, picky_reward: 0.5})
    recorder = Recorder()
    overlap, picky = call_all_like_grpo_trainer(funcs, standard_inputs(), recorder)
    assert picky[2] is None and overlap[2] is None  # picky cannot score the 'skip' row
    assert None not in overlap[:2] + picky[:2]
    # TRL's weighted sum of the scorable rows is reward-kit's combined score
    inputs = standard_inputs()
    for index in (0, 1):
        parts = {
            name: direct_scores(reward, inputs)[index]
            for name, reward in (("overlap_reward", overlap_reward), ("picky_reward", picky_reward))
        }
        expected = combine_results(parts, {"overlap_reward": 1.0, "picky_reward": 0.5}).score
        assert weights[0] * overlap[index] + weights[1] * picky[index] == pytest.approx(expected)
    # overlap_reward's own result stays available; TRL is told why it got no reward
    assert funcs[0].last_results[2].is_score_valid
    assert recorder.extra["overlap_reward_error"][2].startswith(
        "not rewarded, since a combined reward could not score it: picky_reward: "
    )
    assert recorder.metrics["reward_kit/overlap_reward/invalid_fraction"] == [pytest.approx(1 / 3)]


def test_combined_rewards_score_a_batch_once_and_rescore_a_new_one():
    funcs, _ = combine([counting_reward, overlap_reward])
    COUNTED.clear()
    call_all_like_grpo_trainer(funcs, standard_inputs(), Recorder())
    assert len(COUNTED) == 3  # the batch was scored once for both rewards
    call_like_grpo_trainer(funcs[1], standard_inputs(), Recorder())
    assert len(COUNTED) == 6  # new list objects: a new batch, scored again
    copy = pickle.loads(pickle.dumps(funcs[1]))
    assert copy.linked is not None and copy.linked.adapters[1] is copy
    assert call_like_grpo_trainer(copy, standard_inputs(), Recorder()) == [
        r.score for r in direct_scores(overlap_reward, standard_inputs())
    ]


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


def test_step_rewards_reach_trl_logs_and_last_results():
    from reward_kit.rewards.tool_trajectory import tool_trajectory_reward
    from reward_kit.steps import discounted_returns, step_rewards

    calc = {"type": "function", "function": {"name": "calc", "arguments": {"expr": "6*7"}}}
    inputs = [
        {
            "prompt": [{"role": "user", "content": "What is 6*7?"}],
            "completion": [
                {"role": "assistant", "content": "", "tool_calls": [calc]},
                {"role": "tool", "name": "calc", "content": "42"},
                {"role": "assistant", "content": answer},
            ],
            "completion_ids": [1],
            "ground_truth": {"turns": [[{"name": "calc", "arguments": {"expr": "6*7"}}], []]},
        }
        for answer in ("42", '<tool_call>{"name": "calc", "arguments": {}}</tool_call>')
    ]
    adapter = create_trl_adapter(tool_trajectory_reward, name="trajectory")
    recorder = Recorder()
    assert call_like_grpo_trainer(adapter, inputs, recorder) == [1.0, 0.0]
    assert recorder.extra["trajectory_step_rewards"] == [[1.0, 1.0], [1.0, 0.0]]
    assert [step_rewards(result) for result in adapter.last_results] == [[1.0, 1.0], [1.0, 0.0]]
    assert discounted_returns(step_rewards(adapter.last_results[0]), gamma=0.9) == [1.9, 1.0]


def test_the_core_loads_the_adapter_only_when_asked() -> None:
    code = (
        "import sys; from reward_kit.reward_function import RewardFunction; "
        "before = 'reward_kit.integrations.trl' in sys.modules; "
        "adapter = RewardFunction(func=lambda messages, **kw: 1.0).get_trl_adapter(); "
        "print(before, type(adapter).__module__)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert shown == ["False", "reward_kit.integrations.trl"]
