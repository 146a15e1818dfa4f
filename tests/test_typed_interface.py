"""Tests of ``@reward_function``: coercion, return values, async, pickling and registration."""

from __future__ import annotations

import asyncio
import pickle
import warnings
from typing import Any, List, Union  # noqa: UP035 - the old styles are what we test

import cloudpickle
import pytest

from reward_kit import EvaluateResult, Message, MetricResult, reward_function
from reward_kit._registry import lookup
from reward_kit.errors import (
    DuplicateRewardNameError,
    InvalidMessageError,
    InvalidReturnValueError,
    InvalidRewardFunctionError,
    RewardNotFoundError,
)
from reward_kit.typed_interface import BatchReward, PointwiseReward

CONVERSATION = [
    {"role": "user", "content": "What is 2+2?"},
    {"role": "assistant", "content": "4"},
]


@reward_function
def typing_list_style(messages: List[Message], ground_truth: str | None = None, **kwargs: Any):  # noqa: UP006
    assert all(isinstance(m, Message) for m in messages)
    return EvaluateResult(score=float(messages[-1].content == ground_truth))


@reward_function
def builtin_list_style(messages: list[Message], **kwargs: Any) -> EvaluateResult:
    assert all(isinstance(m, Message) for m in messages)
    return EvaluateResult(score=1.0)


@reward_function
def union_style(messages: Union[List[Message], List[dict]], **kwargs: Any) -> EvaluateResult:  # noqa: UP006, UP007
    assert all(isinstance(m, Message) for m in messages)
    return EvaluateResult(score=1.0)


@reward_function
def unannotated(messages, ground_truth=None, **kwargs):  # type: ignore[no-untyped-def]
    assert all(isinstance(m, Message) for m in messages)
    return {"score": 0.25, "reason": "dict return", "metrics": {"m": {"score": 1.0}}}


@reward_function
def dict_only(messages: list[dict[str, Any]], **kwargs: Any) -> EvaluateResult:
    assert all(type(m) is dict for m in messages)
    return EvaluateResult(score=1.0)


@reward_function
def message_ground_truth(
    messages: list[Message], ground_truth: list[Message] | None = None, **kwargs: Any
) -> EvaluateResult:
    assert ground_truth is not None and isinstance(ground_truth[-1], Message)
    return EvaluateResult(score=float(ground_truth[-1].content == messages[-1].content))


@reward_function
def legacy_tuple(messages: list[Message], **kwargs: Any) -> Any:
    return 0.5, {"accuracy": 1.0, "format": 0.0}


@reward_function
def returns_float(messages: list[Message], **kwargs: Any) -> Any:
    return 0.7


@reward_function
def returns_text(messages: list[Message], **kwargs: Any) -> Any:
    return "0.7"


@reward_function
def returns_nan(messages: list[Message], **kwargs: Any) -> Any:
    return {"score": float("nan")}


@reward_function
def echo_kwargs(messages: list[Message], ground_truth: Any = None, **kwargs: Any) -> EvaluateResult:
    return EvaluateResult(score=float(len(kwargs)), reason=",".join(sorted(kwargs)))


@reward_function(id="typed_interface_async")
async def async_reward(messages: list[Message], ground_truth: Any = None, **kwargs: Any):
    await asyncio.sleep(0)
    return EvaluateResult(score=float(messages[-1].content == ground_truth))


@reward_function(mode="batch", requirements=["numpy>=1.26"])
def batch_lengths(
    rollouts_messages: list[list[Message]], ground_truths: list[Any] | None = None, **kwargs: Any
) -> list[EvaluateResult]:
    assert isinstance(rollouts_messages[0][0], Message)
    return [EvaluateResult(score=float(len(r))) for r in rollouts_messages]


@reward_function(mode="batch")
def batch_wrong_count(rollouts_messages: list[list[Message]], **kwargs: Any) -> Any:
    return [EvaluateResult(score=1.0)]


@pytest.mark.parametrize(
    "reward", [typing_list_style, builtin_list_style, union_style, unannotated]
)
def test_dict_messages_become_message_objects_whatever_the_annotation(reward: Any) -> None:
    result = reward(CONVERSATION, ground_truth="4")
    assert isinstance(result, EvaluateResult)


def test_message_objects_are_accepted_as_well() -> None:
    messages = [Message(**m) for m in CONVERSATION]
    assert typing_list_style(messages, ground_truth="4").score == 1.0


def test_dict_annotated_messages_stay_dicts_but_are_validated() -> None:
    assert dict_only(CONVERSATION).score == 1.0
    with pytest.raises(InvalidMessageError, match=r"messages\[1\]\.role"):
        dict_only([CONVERSATION[0], {"role": "robot", "content": "x"}])


def test_ground_truth_annotated_with_message_is_coerced() -> None:
    assert message_ground_truth(CONVERSATION, ground_truth=[CONVERSATION[1]]).score == 1.0


@pytest.mark.parametrize(
    ("messages", "match"),
    [
        ([CONVERSATION[0], {"role": "assistant", "content": 5}], r"messages\[1\]\.content"),
        ([{"content": "no role"}], r"messages\[0\]\.role"),
        ([CONVERSATION[0], "just text"], r"messages\[1\]: expected a message dict"),
        ("not a list", "messages: expected a list of messages"),
        ([{"role": "user"}], r"messages\[0\]: a user message needs 'content'"),
    ],
)
def test_malformed_messages_name_the_index_and_field(messages: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        typing_list_style(messages, ground_truth="4")


def test_a_reward_without_kwargs_gets_only_what_it_declares() -> None:
    def no_kwargs(messages: list[Message]) -> EvaluateResult:
        return EvaluateResult(score=len(messages))

    reward = reward_function(id="no_kwargs_reward")(no_kwargs)
    assert reward(messages=CONVERSATION, ground_truth="4", difficulty="hard").score == 2.0


def test_a_pointwise_reward_that_cannot_see_the_response_is_refused() -> None:
    def wrong(conversation: list[Message]) -> EvaluateResult:
        return EvaluateResult(score=1.0)

    with pytest.raises(InvalidRewardFunctionError, match=r"wrong.*'messages' or 'response'"):
        reward_function(wrong)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="mode must be"):
        reward_function(mode="listwise")(echo_kwargs.__wrapped__)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="list of requirement strings"):
        reward_function(requirements="numpy")(echo_kwargs.__wrapped__)  # type: ignore[arg-type]


def test_dict_return_is_read_as_evaluate_result() -> None:
    result = unannotated(CONVERSATION)
    assert result.score == 0.25
    assert result.metrics["m"] == MetricResult(score=1.0)


def test_legacy_tuple_return_works_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match="legacy_tuple"):
        result = legacy_tuple(CONVERSATION)
    assert result.score == 0.5
    assert result.metrics["accuracy"].score == 1.0


def test_a_number_returned_is_the_score() -> None:
    assert returns_float(CONVERSATION) == EvaluateResult(score=0.7)


def test_other_returns_raise_type_error_naming_function_and_value() -> None:
    with pytest.raises(InvalidReturnValueError, match=r"'returns_text' returned str '0\.7'"):
        returns_text(CONVERSATION)
    with pytest.raises(InvalidReturnValueError, match="returns_nan.*finite"):
        returns_nan(CONVERSATION)
    assert issubclass(InvalidReturnValueError, TypeError)


def test_extra_keyword_arguments_reach_the_function() -> None:
    result = echo_kwargs(CONVERSATION, ground_truth=1, difficulty="hard", source="gsm8k")
    assert result.reason == "difficulty,source"


def test_wrong_arguments_raise_type_error_naming_the_reward() -> None:
    with pytest.raises(TypeError, match="echo_kwargs"):
        echo_kwargs()  # type: ignore[call-arg]


def test_async_reward_called_from_sync_code_returns_the_result() -> None:
    assert async_reward(CONVERSATION, ground_truth="4").score == 1.0


def test_async_reward_can_be_awaited_without_blocking_the_loop() -> None:
    async def main() -> list[EvaluateResult]:
        return list(
            await asyncio.gather(
                async_reward.acall(CONVERSATION, ground_truth="4"),
                typing_list_style.acall(CONVERSATION, ground_truth="5"),
            )
        )

    first, second = asyncio.run(main())
    assert (first.score, second.score) == (1.0, 0.0)


def test_async_reward_called_sync_inside_a_running_loop_still_works() -> None:
    async def main() -> float:
        return async_reward(CONVERSATION, ground_truth="4").score

    assert asyncio.run(main()) == 1.0


def test_batch_mode_coerces_every_rollout_and_checks_the_count() -> None:
    assert isinstance(batch_lengths, BatchReward)
    results = batch_lengths([CONVERSATION, CONVERSATION[:1]])
    assert [r.score for r in results] == [2.0, 1.0]
    with pytest.raises(InvalidMessageError, match=r"rollouts_messages\[1\]\[0\]\.role"):
        batch_lengths([CONVERSATION, [{"role": "x", "content": "y"}]])
    with pytest.raises(InvalidReturnValueError, match="returned 1 results for 2 rollouts"):
        batch_wrong_count([CONVERSATION, CONVERSATION])


def test_metadata_is_kept_and_exposed() -> None:
    assert typing_list_style.__name__ == "typing_list_style"
    assert typing_list_style.__module__ == __name__
    info = batch_lengths.__reward_kit__
    assert (info.mode, info.requirements, info.name) == ("batch", ("numpy>=1.26",), "batch_lengths")
    assert info.reference == f"{__name__}:batch_lengths"
    assert async_reward.__reward_kit__.is_async
    assert async_reward.__reward_kit__.id == "typed_interface_async"
    assert isinstance(typing_list_style, PointwiseReward)


def test_decorated_functions_pickle_by_reference() -> None:
    for reward in (typing_list_style, async_reward, batch_lengths):
        assert pickle.loads(pickle.dumps(reward)) is reward


def test_nested_functions_travel_by_value() -> None:
    threshold = 0.25

    @reward_function(id="typed_interface_nested")
    def nested(messages: list[Message], **kwargs: Any) -> EvaluateResult:
        return EvaluateResult(score=threshold)

    copy = cloudpickle.loads(cloudpickle.dumps(nested))
    assert copy is not nested and isinstance(copy, PointwiseReward)
    assert copy(CONVERSATION).score == 0.25
    assert copy.__reward_kit__ == nested.__reward_kit__


def test_rewards_are_registered_by_id_or_name() -> None:
    assert lookup("typed_interface_async") is async_reward
    assert lookup("batch_lengths") is batch_lengths


def test_two_functions_under_one_explicit_id_is_an_error() -> None:
    def other(messages: list[Message], **kwargs: Any) -> EvaluateResult:
        return EvaluateResult(score=0.0)

    with pytest.raises(DuplicateRewardNameError, match="typed_interface_async"):
        reward_function(id="typed_interface_async")(other)


def test_clashing_function_names_make_the_short_name_ambiguous() -> None:
    def clash_name(messages: list[Message], **kwargs: Any) -> EvaluateResult:
        return EvaluateResult(score=0.0)

    first = reward_function(clash_name)
    clash_name.__qualname__ = "elsewhere.clash_name"
    reward_function(clash_name)
    assert first(CONVERSATION).score == 0.0
    with pytest.raises(RewardNotFoundError, match="ambiguous"):
        lookup("clash_name")


def test_no_warnings_on_the_normal_path() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        typing_list_style(CONVERSATION, ground_truth="4")


@reward_function
def scaled_length(
    messages: list[Message],
    ground_truth: str | None = None,
    target: int | None = None,
    weight: float = 1.0,
    strict: bool = False,
    label: str = "length",
    **kwargs: Any,
) -> EvaluateResult:
    return EvaluateResult(score=float(weight * (target or 0)), reason=f"{label} {strict}")


@reward_function(mode="batch")
def batch_with_option(
    rollouts_messages: list[list[Message]], scale: float = 1.0, **kwargs: Any
) -> list[EvaluateResult]:
    return [EvaluateResult(score=scale) for _ in rollouts_messages]


@reward_function
async def async_with_option(
    messages: list[Message], limit: int = 1, **kwargs: Any
) -> EvaluateResult:
    return EvaluateResult(score=float(limit))


def test_options_of_a_wrong_kind_give_invalid_results_naming_the_option() -> None:
    cases = {
        "target": ("abc", "'scaled_length': target must be int | None, got str 'abc'"),
        "weight": (None, "weight must be float, got NoneType None"),
        "label": (3, "label must be str, got int 3"),
    }
    for option, (value, message) in cases.items():
        result = scaled_length(CONVERSATION, **{option: value})
        assert not result.is_score_valid and message in (result.error or ""), option


def test_batch_rewards_give_one_invalid_result_per_rollout_for_a_bad_option() -> None:
    results = batch_with_option([CONVERSATION, CONVERSATION], scale="x")
    assert [r.is_score_valid for r in results] == [False, False]
    assert "scale must be float, got str 'x'" in (results[0].error or "")


def test_async_rewards_check_options_too() -> None:
    result = asyncio.run(async_with_option.acall(CONVERSATION, limit="many"))
    assert not result.is_score_valid and "limit must be int" in (result.error or "")


def test_options_accept_every_number_of_the_right_kind() -> None:
    import numpy as np

    assert scaled_length(CONVERSATION, target=np.int64(2), weight=np.float32(0.5)).score == 1.0
    assert scaled_length(CONVERSATION, target=2, weight=2).score == 4.0
    assert scaled_length(CONVERSATION, target=None, strict=1).reason == "length 1"


def test_data_parameters_are_not_type_checked() -> None:
    assert scaled_length(CONVERSATION, ground_truth=42, target=1).score == 1.0


def test_a_missing_name_says_which_builtin_modules_could_not_be_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reward_kit import _registry

    monkeypatch.setitem(
        _registry._unimportable, "reward_kit.rewards.example", "ImportError: no module named 'e2b'"
    )
    with pytest.raises(RewardNotFoundError, match=r"reward_kit.rewards.example could not be"):
        lookup("never_registered_anywhere")
