"""reward-kit's "DeepSeek-Prover-V2 Reward Functions" page (fw-ai-external/reward-kit docs),
run as written in our words. Deliberate differences (docs/migration.md): a proof with
``sorry`` scores 0.0, not 0.25; subgoal metrics are reported, not added to the score; without
a Lean toolchain the score is structural and says so; with one, Lean decides (the page's
examples are written in Lean 3 syntax, which Lean 4 rejects).
"""

from __future__ import annotations

from reward_kit.rewards._lean import lean_available
from tests.compat.conftest import RunScript

SCRIPT = '''
from reward_kit.rewards.lean_prover import deepseek_prover_v2_reward, lean_prover_reward

statement = "Every natural number plus zero is itself."
with_gap = """
theorem plus_zero (n : Nat) : n + 0 = n := by
  induction n with
  | zero => rfl
  | succ k ih => sorry
"""
result = lean_prover_reward(response=with_gap, statement=statement, lean_version="4",
                            check_partial_progress=True, verbose=True)
print("basic", result.score)

complete = """
theorem plus_zero (n : Nat) : n + 0 = n := by
  -- split the goal
  have base : (0 : Nat) + 0 = 0 := rfl
  have step : n + 0 = n := Nat.add_zero n
  exact step
"""
result = deepseek_prover_v2_reward(response=complete, statement=statement,
                                   check_subgoals=True, verbose=True)
print("v2", result.score)
for key in ["syntax", "completeness", "tactics", "subgoal_decomposition",
            "hierarchical_structure"]:
    print(key, round(result.metrics[key].score, 2))
'''


def test_page_examples_as_a_script(run_script: RunScript) -> None:
    lines = run_script(SCRIPT).splitlines()
    assert lines[0] == "basic 0.0"
    assert lines[1] == "v2 1.0"  # structure when Lean is absent; Lean's verdict when present
    metrics = dict(line.split() for line in lines[2:])
    assert metrics["syntax"] == "1.0" and metrics["completeness"] == "1.0"
    assert float(metrics["subgoal_decomposition"]) > 0
    assert "hierarchical_structure" in metrics
    assert isinstance(lean_available(), bool)
