"""Tests of reward_kit.rewards.lean_prover: structure always, Lean itself when installed."""

from __future__ import annotations

import pytest

from reward_kit.rewards._lean import lean_available, proof_shape
from reward_kit.rewards.lean_prover import deepseek_prover_v2_reward, lean_prover_reward
from tests.rewards.conversations import reply

COMPLETE = "theorem add_zero' (n : Nat) : n + 0 = n := by\n  have h : n + 0 = n := rfl\n  exact h"
GAP = "theorem add_zero' (n : Nat) : n + 0 = n := by\n  sorry"
WRONG = "theorem bad (n : Nat) : n + 1 = n := by\n  rfl"
needs_lean = pytest.mark.skipif(
    not lean_available(), reason="no `lean` executable on PATH: the real Lean check is skipped"
)


def test_structure_is_read_from_the_last_lean_block() -> None:
    text = f"Draft:\n```lean\n{GAP}\n```\nFinal:\n```lean4\n{COMPLETE}\n```"
    shape = proof_shape(text)
    assert shape.complete and shape.subgoals == 1 and "exact" in shape.tactics


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (GAP, "sorry"),
        ("theorem t : True := by\n  admit", "admit"),
        ("I think it follows by induction.", "no Lean theorem"),
        ("-- theorem t : True := trivial", "no Lean theorem"),  # commented out
    ],
)
def test_incomplete_or_missing_proofs_score_zero(text: str, why: str) -> None:
    result = lean_prover_reward(reply(text), verify=False)
    assert result.is_score_valid and result.score == 0.0 and why in result.reason


def test_structure_only_says_it_was_not_checked() -> None:
    result = lean_prover_reward(reply(COMPLETE), verify=False)
    assert result.score == 1.0 and "not checked" in result.reason
    assert result.metrics["lean_check"].is_score_valid is False


def test_subgoal_metrics_do_not_raise_the_score() -> None:
    padded = COMPLETE.replace(
        "  exact h", "  have a : 1 = 1 := rfl\n  have b : 2 = 2 := rfl\n  exact h"
    )
    plain = deepseek_prover_v2_reward(reply(COMPLETE), verify=False)
    more = deepseek_prover_v2_reward(reply(padded), verify=False)
    assert (
        more.metrics["subgoal_decomposition"].score > plain.metrics["subgoal_decomposition"].score
    )
    assert more.score == plain.score == 1.0


def test_options_that_cannot_be_honoured_are_errors() -> None:
    assert not lean_prover_reward(response=COMPLETE, lean_version="3").is_score_valid
    if not lean_available():
        result = lean_prover_reward(response=COMPLETE, verify=True)
        assert not result.is_score_valid and "lean" in (result.error or "")


@needs_lean
def test_lean_accepts_a_real_proof_and_rejects_a_false_one() -> None:
    assert lean_prover_reward(response=COMPLETE, verify=True).score == 1.0
    wrong = lean_prover_reward(response=WRONG, verify=True)
    assert wrong.is_score_valid and wrong.score == 0.0
    hidden_gap = lean_prover_reward(
        response="theorem t : 1 = 2 := by\n  exact sorryAx _", verify=True
    )
    assert hidden_gap.score == 0.0
