"""LLM judge reward: an OpenAI-compatible model grades the response against a rubric."""

from __future__ import annotations

from typing import Any

from reward_kit.llm import DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL
from reward_kit.models import EvaluateResult, Message
from reward_kit.rewards._common import RewardInputError, response_text
from reward_kit.rewards._judge import (
    JudgeConfig,
    JudgeError,
    ask_judge,
    build_prompt,
    conversation_before_response,
    reference_for_judge,
    verdict_result,
)
from reward_kit.rewards._options import check_options
from reward_kit.typed_interface import reward_function

__all__ = ["DEFAULT_RUBRIC", "llm_judge_reward"]

DEFAULT_RUBRIC = (
    "Is the response correct, complete and helpful for the user's last request? Judge it "
    "against the reference answer when one is given. A confident wrong answer scores lowest."
)


@reward_function
@check_options
async def llm_judge_reward(
    messages: list[Message],
    ground_truth: Any = None,
    rubric: str = DEFAULT_RUBRIC,
    model: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    api_key_env: str | None = DEFAULT_API_KEY_ENV,
    score_range: tuple[float, float] = (0.0, 10.0),
    temperature: float = 0.0,
    max_tokens: int | None = 1024,
    max_retries: int = 3,
    timeout: float = 120.0,
    cache: str | None = None,
    include_thinking: bool = False,
    **kwargs: Any,
) -> EvaluateResult:
    """Ask a judge model to grade the last assistant message against ``rubric``.

    The judge gets the conversation, the reference (when ``ground_truth`` is given) and the
    response, and must end its answer with ``SCORE: <n>``; the score is normalised from
    ``score_range`` to 0..1. Transient HTTP failures are retried; a judge that fails or gives
    no usable score makes the result invalid (``is_score_valid=False``), never 0.

    Args:
        messages: The conversation; its last assistant message is graded.
        ground_truth: Optional reference answer (text, any JSON value, or a message list).
        rubric: What a good response is.
        model: The judge model's name at ``base_url``. Required.
        base_url: Any OpenAI-compatible API root (Fireworks by default).
        api_key_env: Environment variable holding the API key; None sends no key.
        score_range: The scale the judge grades on.
        temperature: Judge sampling temperature (0 for repeatable grades).
        max_tokens: Most tokens the judge may write.
        max_retries: Retries of transient HTTP failures.
        timeout: Seconds per judge request.
        cache: Path of an on-disk response cache, so re-scoring costs nothing.
        include_thinking: Show the judge the response's ``<think>`` reasoning too.
    """
    if not model:
        return EvaluateResult.invalid("llm_judge_reward needs model=, the judge model's name")
    try:
        response = response_text(messages, drop_thinking=not include_thinking)
        context = conversation_before_response(messages)
        reference = reference_for_judge(ground_truth)
        config = JudgeConfig(
            model=model,
            base_url=base_url,
            api_key_env=api_key_env,
            score_range=tuple(score_range),  # type: ignore[arg-type]
            temperature=temperature,
            max_tokens=max_tokens,
            max_retries=max_retries,
            timeout=timeout,
            cache=cache,
        )
        verdict = await ask_judge(
            build_prompt(rubric, context, response, reference, config), config
        )
    except (RewardInputError, JudgeError) as exc:
        return EvaluateResult.invalid(str(exc))
    return verdict_result(verdict)
