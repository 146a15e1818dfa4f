"""A real TRL GRPOTrainer, a few steps on the CPU with a tiny model built in code, rewarded by
reward-kit rewards: what TRL logs must be what reward-kit computes."""

from __future__ import annotations

import math
from typing import Any

import pytest

from reward_kit._combine import combine_results
from reward_kit.integrations.trl import combine
from tests.integrations._trl_rewards import direct_scores, overlap_reward, picky_reward

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
        direct = {reward: direct_scores(reward, inputs) for reward in rewards}
        # combined as reward-kit run does: one part that could not score leaves the whole out
        scorable = [all(r[i].is_score_valid for r in direct.values()) for i in range(len(inputs))]
        for reward in rewards:
            name = reward.__reward_kit__.name
            expected = [
                r.score if ok else math.nan for r, ok in zip(direct[reward], scorable, strict=True)
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
        nones += scorable.count(False)
        combined = [
            combine_results(
                {r.__reward_kit__.name: direct[r][i] for r in rewards},
                {r.__reward_kit__.name: w for r, w in rewards.items()},
            ).score
            for i in range(len(inputs))
            if scorable[i]
        ]
        # TRL's logged reward: the weighted sum over scorable completions, with combine()'s
        # weights adding up to 1, is the mean of reward-kit's combined scores
        assert logged["reward"] == pytest.approx(sum(combined) / len(combined), rel=1e-5)
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
    assert nones == 8  # picky_reward leaves out the 4 completions of each of the 2 'skip' prompts


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
