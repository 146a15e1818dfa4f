"""Lean theorem-proving rewards (reward-kit's ``lean_prover``, DeepSeek-Prover-V2 style).

A proof is right when Lean accepts it: with a ``lean`` executable on the PATH the proof is
checked by Lean in the sandbox. Without one, only its structure can be checked (a theorem with
a proof body and no ``sorry``/``admit``), which the result says: that is a format check, not
a proof check.
"""

from __future__ import annotations

from typing import Any

from reward_kit.models import EvaluateResult, Message, MetricResult
from reward_kit.rewards._code._run import executor_for
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._lean import LEAN_TIMEOUT, ProofShape, lean_available, proof_shape
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["deepseek_prover_v2_reward", "lean_prover_reward"]

_SORRY_WARNING = "declaration uses 'sorry'"


def _text(messages: list[Message] | None, response: str | None) -> str:
    if response is not None:
        return response
    return response_text(messages)


def _structure_metrics(shape: ProofShape, partial: bool) -> dict[str, MetricResult]:
    gaps = ", ".join(shape.incomplete)
    metrics = {
        "syntax": MetricResult(
            score=float(shape.declarations > 0 and shape.has_body),
            reason=f"{shape.declarations} theorem/lemma/example declaration(s)",
            success=shape.declarations > 0 and shape.has_body,
        ),
        "completeness": MetricResult(
            score=float(shape.complete),
            reason=f"uses {gaps}" if gaps else "no sorry/admit",
            success=shape.complete,
        ),
        "tactics": MetricResult(
            score=min(1.0, len(shape.tactics) / 10),
            reason=f"tactics used: {', '.join(shape.tactics) or 'none'} (not scored)",
        ),
    }
    if partial:
        metrics["partial_progress"] = MetricResult(
            score=float(shape.complete),
            reason=f"{shape.subgoals} subgoal(s); an incomplete proof earns no credit",
        )
    return metrics


def _verify(code: str, timeout: float) -> MetricResult:
    result = executor_for("local").run(code, "lean", None, timeout, 4096)
    output = (result.stdout + result.stderr).strip()
    if result.status == "sandbox_error":
        raise RewardInputError(f"Lean could not be run: {result.error}")
    accepted = result.ok and _SORRY_WARNING not in output
    reason = "Lean accepts the proof" if accepted else (output[-500:] or result.status)
    return MetricResult(score=float(accepted), reason=reason, success=accepted)


def _evaluate(
    messages: list[Message] | None,
    response: str | None,
    verify: bool | None,
    timeout: float,
    partial: bool,
    extra: dict[str, MetricResult] | None = None,
) -> EvaluateResult:
    try:
        shape = proof_shape(_text(messages, response))
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    metrics = {**_structure_metrics(shape, partial), **(extra or {})}
    checking = lean_available() if verify is None else verify
    if checking and not lean_available():
        return EvaluateResult.invalid("verify=True but no `lean` executable is on the PATH")
    if not shape.complete:
        reason = "no complete proof: " + metrics["completeness"].reason
        if not shape.declarations:
            reason = "no Lean theorem, lemma or example in the response"
        return EvaluateResult(score=0.0, reason=reason, metrics=metrics)
    if not checking:
        metrics["lean_check"] = MetricResult(
            score=0.0, is_score_valid=False, reason="not checked: no Lean toolchain installed"
        )
        reason = "structurally complete proof (not checked by Lean: install Lean to verify)"
        return EvaluateResult(score=1.0, reason=reason, metrics=metrics)
    try:
        metrics["lean_check"] = _verify(shape.code, timeout)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    score = metrics["lean_check"].score
    return EvaluateResult(score=score, reason=metrics["lean_check"].reason, metrics=metrics)


@reward_function
@check_options
def lean_prover_reward(
    messages: list[Message] | None = None,
    ground_truth: Any = None,
    response: str | None = None,
    statement: str | None = None,
    lean_version: str = "4",
    check_partial_progress: bool = False,
    verbose: bool = False,
    verify: bool | None = None,
    timeout: float = LEAN_TIMEOUT,
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 for a complete Lean 4 proof, checked by Lean when it is installed.

    The proof is the response's last ```lean block, else its whole text. A proof with
    ``sorry``/``admit``, or no theorem at all, scores 0.0. With Lean on the PATH (or
    ``verify=True``), Lean must accept the file; without it the score is structural only, and
    the ``lean_check`` metric says it was not checked.

    Args:
        messages: The conversation; its last assistant message is the proof (or ``response``).
        ground_truth: Not used.
        response: The proof text itself, as reward-kit's examples pass it.
        statement: The informal statement (kept for reward-kit's signature; not checked).
        lean_version: Only ``"4"`` is supported.
        check_partial_progress: Report a ``partial_progress`` metric (incomplete proofs still
            score 0).
        verbose: Accepted for reward-kit's signature; the metrics are always included.
        verify: True: require Lean; False: structure only; None: Lean when installed.
        timeout: Seconds Lean may take.
    """
    if str(lean_version) != "4":
        return EvaluateResult.invalid(f"only Lean 4 is supported, got lean_version={lean_version}")
    return _evaluate(messages, response, verify, timeout, check_partial_progress)


@reward_function
@check_options
def deepseek_prover_v2_reward(
    messages: list[Message] | None = None,
    ground_truth: Any = None,
    response: str | None = None,
    statement: str | None = None,
    check_subgoals: bool = True,
    verbose: bool = False,
    verify: bool | None = None,
    timeout: float = LEAN_TIMEOUT,
    **kwargs: Any,
) -> EvaluateResult:
    """:func:`lean_prover_reward` with DeepSeek-Prover-V2's subgoal metrics.

    ``subgoal_decomposition`` (``have``/``suffices``/``obtain`` steps) and
    ``hierarchical_structure`` (nesting depth) describe the proof; they are reported, not
    added to the score, so a longer proof does not outscore a shorter correct one.

    Args:
        messages: The conversation; its last assistant message is the proof (or ``response``).
        ground_truth: Not used.
        response: The proof text itself.
        statement: The informal statement (not checked).
        check_subgoals: Include the subgoal metrics.
        verbose: Accepted for reward-kit's signature.
        verify: As for :func:`lean_prover_reward`.
        timeout: Seconds Lean may take.
    """
    extra: dict[str, MetricResult] = {}
    if check_subgoals:
        try:
            shape = proof_shape(_text(messages, response))
        except RewardInputError as exc:
            return EvaluateResult.invalid(str(exc))
        extra = {
            "subgoal_decomposition": MetricResult(
                score=min(1.0, shape.subgoals / 3), reason=f"{shape.subgoals} subgoal step(s)"
            ),
            "hierarchical_structure": MetricResult(
                score=min(1.0, shape.depth / 3), reason=f"nesting depth {shape.depth}"
            ),
        }
    return _evaluate(messages, response, verify, timeout, False, extra)
