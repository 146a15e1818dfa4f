"""Tool calling rewards: exact match, schema Jaccard, LLM judge, and a weighted composite."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from reward_kit.llm import DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL
from reward_kit.models import EvaluateResult, Message, MetricResult, message_text
from reward_kit.rewards._common import RewardInputError, last_assistant_message, strip_think
from reward_kit.rewards._function_schema import (
    calculate_jaccard_similarity,
    call_against_schema,
    extract_schema_properties,
    match_function_call,
)
from reward_kit.rewards._judge import (
    JudgeConfig,
    JudgeError,
    ask_judge,
    build_prompt,
    conversation_before_response,
    verdict_result,
)
from reward_kit.rewards._options import check_options
from reward_kit.rewards._tool_calls import (
    Call,
    ToolCallFormatError,
    expected_calls,
    features,
    jaccard,
    paired_jaccard,
    response_calls,
    schema_features,
    tool_schemas,
)
from reward_kit.typed_interface import reward_function

__all__ = [
    "calculate_jaccard_similarity",
    "composite_function_call_reward",
    "exact_tool_match_reward",
    "extract_schema_properties",
    "llm_judge_reward",
    "match_function_call",
    "schema_jaccard_reward",
]

TOOL_CALL_RUBRIC = (
    "Do the assistant's tool calls do what the user asked, with the right functions and "
    "correct argument values? Compare them with the expected calls: calls that are equivalent "
    "in effect are fine; a wrong function, a wrong or missing argument, or a needless extra "
    "call lowers the grade."
)
_DEFAULT_WEIGHTS = {"exact_match": 0.5, "schema_jaccard": 0.5}


def _calls(
    messages: list[Message], ground_truth: Any
) -> tuple[list[Call], list[Call]] | EvaluateResult:
    """Expected and given calls, or the result to return (invalid input, malformed calls)."""
    try:
        expected = expected_calls(ground_truth)
        given = response_calls(messages)
    except RewardInputError as exc:
        return EvaluateResult.invalid(str(exc))
    except ToolCallFormatError as exc:
        reason = f"malformed tool call in the response: {exc}"
        metric = MetricResult(score=0.0, reason=str(exc), success=False)
        return EvaluateResult(score=0.0, reason=reason, metrics={"tool_call_format": metric})
    return expected, given


def _shown(calls: Sequence[Call]) -> str:
    return ", ".join(call.show() for call in calls) or "no calls"


@reward_function
@check_options
def exact_tool_match_reward(
    messages: list[Message],
    ground_truth: Any = None,
    order_matters: bool = False,
    **kwargs: Any,
) -> EvaluateResult:
    """Score 1.0 when the response makes exactly the expected tool calls, else 0.0.

    Calls are read from OpenAI ``tool_calls`` (and legacy ``function_call``) and from
    ``<tool_call>{"name": ..., "arguments": ...}</tool_call>`` in the text. Arguments are
    compared as parsed JSON (key order and ``1`` vs ``1.0`` do not matter; ``true`` is not
    ``1``). A missing, extra or repeated call fails; malformed arguments score 0.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: ``{"tool_calls": [...]}``, a list of calls or one call, each in OpenAI
            shape or ``{"name", "arguments"}``; or a message list ending in the expected call.
        order_matters: Require the calls in the expected order (default: any order).
    """
    found = _calls(messages, ground_truth)
    if isinstance(found, EvaluateResult):
        return found
    expected, given = found
    if order_matters:
        matched = [e.canonical() for e in expected] == [g.canonical() for g in given]
    else:
        matched = Counter(e.canonical() for e in expected) == Counter(g.canonical() for g in given)
    names_match = Counter(e.name for e in expected) == Counter(g.name for g in given)
    if matched:
        reason = f"{len(expected)} call(s) match exactly"
    elif not names_match:
        reason = f"functions differ: expected {_shown(expected)}; got {_shown(given)}"
    else:
        what = "arguments or order" if order_matters else "arguments"
        reason = f"{what} differ: expected {_shown(expected)}; got {_shown(given)}"
    metrics = {
        "function_names": MetricResult(
            score=float(names_match),
            reason="same functions called" if names_match else reason,
            success=names_match,
        ),
        "exact_match": MetricResult(score=float(matched), reason=reason, success=matched),
    }
    return EvaluateResult(score=float(matched), reason=reason, metrics=metrics)


@reward_function
@check_options
def schema_jaccard_reward(
    messages: list[Message],
    ground_truth: Any = None,
    tools: list[dict[str, Any]] | None = None,
    expected_schema: dict[str, Any] | str | None = None,
    function_call: dict[str, Any] | None = None,
    **kwargs: Any,
) -> EvaluateResult:
    """Partial credit for tool calls by the shape of their arguments (Jaccard similarity).

    Each call's arguments become a set of ``path:type`` features (``city:string``,
    ``dates[]:string``, ``filter.limit:integer``). Each expected call is paired with a given
    call of the same function; the score is the mean Jaccard similarity of the pairs, over
    the larger of the two call counts (so missing and extra calls count 0). Argument values
    are not compared: use ``exact_tool_match_reward`` for that.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: The expected calls (as for ``exact_tool_match_reward``). When None, the
            features expected come from the tool's parameter schema in ``tools`` instead: its
            required parameters and the optional ones used, with their declared types.
        tools: OpenAI tool definitions (the dataset's ``tools`` column).
        expected_schema: reward-kit's form, one expected call as ``{"name", "arguments":
            {arg: {"type": ...}}}``: the score is the Jaccard similarity of the call's
            ``path:type`` features with the schema's (0 for another function or several
            calls); metrics ``function_name_match`` and ``schema_similarity``.
        function_call: The call to score (``{"name", "arguments"}``) instead of the
            response's; ``messages`` may then be empty.
    """
    if expected_schema is not None:
        return call_against_schema(messages, function_call, expected_schema)
    if ground_truth is None:
        schemas = tool_schemas(tools)
        if not schemas:
            return EvaluateResult.invalid(
                "schema_jaccard_reward needs ground_truth (the expected calls) or tools"
            )
        try:
            given = response_calls(messages)
        except RewardInputError as exc:
            return EvaluateResult.invalid(str(exc))
        except ToolCallFormatError as exc:
            return EvaluateResult(score=0.0, reason=f"malformed tool call in the response: {exc}")
        pairs = [
            (
                call.name,
                jaccard(
                    schema_features(schemas[call.name], call.arguments), features(call.arguments)
                )
                if call.name in schemas
                else 0.0,
            )
            for call in given
        ]
        count = len(given)
    else:
        found = _calls(messages, ground_truth)
        if isinstance(found, EvaluateResult):
            return found
        expected, given = found
        pairs = paired_jaccard(expected, given)
        count = max(len(expected), len(given))
    score = sum(s for _, s in pairs) / count if count else float(ground_truth is not None)
    metrics = {
        f"call_{index}:{name}": MetricResult(score=value, reason=f"Jaccard {value:.3f}")
        for index, (name, value) in enumerate(pairs)
    }
    reason = f"mean argument-schema Jaccard {score:.3f} over {count} call(s); got {_shown(given)}"
    if count == 0:
        reason = "no calls expected and none made" if ground_truth is not None else "no tool call"
    return EvaluateResult(score=score, reason=reason, metrics=metrics)


def _judge_config(options: Mapping[str, Any], model: str) -> JudgeConfig:
    return JudgeConfig(
        model=model,
        base_url=options.get("base_url", DEFAULT_BASE_URL),
        api_key_env=options.get("api_key_env", DEFAULT_API_KEY_ENV),
        score_range=tuple(options.get("score_range", (0.0, 10.0))),
        temperature=options.get("temperature", 0.0),
        max_tokens=options.get("max_tokens", 1024),
        max_retries=options.get("max_retries", 3),
        timeout=options.get("timeout", 120.0),
        cache=options.get("cache"),
    )


@reward_function(id="function_call_llm_judge_reward")
@check_options
async def llm_judge_reward(
    messages: list[Message],
    ground_truth: Any = None,
    model: str | None = None,
    rubric: str = TOOL_CALL_RUBRIC,
    **kwargs: Any,
) -> EvaluateResult:
    """Ask a judge model whether the response's tool calls fulfil the request.

    The judge sees the conversation, the expected calls and the calls made (as JSON), grades
    them against ``rubric`` and ends with ``SCORE: <n>``; the score is normalised to 0..1. A
    judge failure gives an invalid result, never 0. Registered as
    ``function_call_llm_judge_reward`` (``llm_judge_reward`` names the general judge).

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: The expected calls (as for ``exact_tool_match_reward``).
        model: The judge model. Required.
        rubric: What makes the calls right.
        **kwargs: Judge connection options as in
            :func:`reward_kit.rewards.llm_judge.llm_judge_reward` (``base_url``,
            ``api_key_env``, ``score_range``, ``temperature``, ``max_tokens``,
            ``max_retries``, ``timeout``, ``cache``).
    """
    if not model:
        return EvaluateResult.invalid("llm_judge_reward needs model=, the judge model's name")
    found = _calls(messages, ground_truth)
    if isinstance(found, EvaluateResult):
        return found
    expected, given = found
    response = last_assistant_message(messages)
    text = strip_think(message_text(response))
    shown = [{"name": c.name, "arguments": c.arguments} for c in given]
    answer = f"{text}\n\nTool calls made: {json.dumps(shown, ensure_ascii=False)}".strip()
    reference = json.dumps(
        [{"name": c.name, "arguments": c.arguments} for c in expected], ensure_ascii=False
    )
    try:
        config = _judge_config(kwargs, model)
        prompt = build_prompt(
            rubric,
            conversation_before_response(messages),
            answer,
            f"Expected calls: {reference}",
            config,
        )
        verdict = await ask_judge(prompt, config)
    except (JudgeError, TypeError, ValueError) as exc:
        return EvaluateResult.invalid(str(exc))
    return verdict_result(verdict)


@reward_function
@check_options
async def composite_function_call_reward(
    messages: list[Message],
    ground_truth: Any = None,
    weights: Mapping[str, float] | None = None,
    order_matters: bool = False,
    **kwargs: Any,
) -> EvaluateResult:
    """A weighted mean of the tool calling rewards.

    Components: ``exact_match`` (:func:`exact_tool_match_reward`), ``schema_jaccard``
    (:func:`schema_jaccard_reward`) and ``llm_judge`` (:func:`llm_judge_reward`, asked only
    when its weight is above 0; pass ``model=`` and the judge options). If any component
    cannot evaluate, neither can the composite.

    Args:
        messages: The conversation; its last assistant message is judged.
        ground_truth: The expected calls.
        weights: Weight per component name (normalised to sum 1); default exact match 0.5
            and schema Jaccard 0.5.
        order_matters: Passed to the exact match.
        **kwargs: Passed to the components (``tools``, ``model``, judge options).
    """
    chosen = dict(_DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(chosen) - {"exact_match", "schema_jaccard", "llm_judge"}
    if unknown:
        return EvaluateResult.invalid(
            f"unknown weights {sorted(unknown)}; use exact_match, schema_jaccard, llm_judge"
        )
    if any(not math.isfinite(w) or w < 0 for w in chosen.values()) or sum(chosen.values()) <= 0:
        return EvaluateResult.invalid(f"weights must be non-negative and not all 0: {chosen}")
    parts: dict[str, EvaluateResult] = {}
    if chosen.get("exact_match", 0) > 0:
        parts["exact_match"] = exact_tool_match_reward(
            messages, ground_truth, order_matters=order_matters
        )
    if chosen.get("schema_jaccard", 0) > 0:
        parts["schema_jaccard"] = schema_jaccard_reward(
            messages, ground_truth, tools=kwargs.get("tools")
        )
    if chosen.get("llm_judge", 0) > 0:
        parts["llm_judge"] = await llm_judge_reward.acall(messages, ground_truth, **kwargs)
    failed = {name: part for name, part in parts.items() if not part.is_score_valid}
    if failed:
        problems = "; ".join(f"{name}: {part.error}" for name, part in failed.items())
        return EvaluateResult.invalid(f"component(s) could not evaluate: {problems}")
    total = sum(chosen[name] for name in parts)
    score = sum(chosen[name] * part.score for name, part in parts.items()) / total
    metrics = {
        name: MetricResult(score=part.score, reason=part.reason or "")
        for name, part in parts.items()
    }
    reason = ", ".join(
        f"{name} {part.score:.3f} (w={chosen[name]:g})" for name, part in parts.items()
    )
    return EvaluateResult(score=score, reason=reason, metrics=metrics)
