"""tool_trajectory_reward: each assistant turn of a tool-using trajectory is one step."""

from __future__ import annotations

import json
from typing import Any

from reward_kit.rewards.tool_trajectory import tool_trajectory_reward
from reward_kit.steps import discounted_returns, step_rewards


def _call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "function", "id": f"c-{name}",
            "function": {"name": name, "arguments": json.dumps(arguments)}}  # fmt: skip


def _trajectory(*turns: list[dict[str, Any]] | str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Book me a flight to Oslo"}]
    for turn in turns:
        if isinstance(turn, str):
            messages.append({"role": "assistant", "content": turn})
            continue
        messages.append({"role": "assistant", "content": "", "tool_calls": turn})
        for call in turn:
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": "ok"})
    return messages


EXPECTED = {
    "turns": [
        [{"name": "search_flights", "arguments": {"to": "OSL"}}],
        [{"name": "book_flight", "arguments": {"flight": "SK1"}}],
        [],
    ]
}


def test_every_turn_right_scores_one_with_a_step_per_turn() -> None:
    messages = _trajectory(
        [_call("search_flights", to="OSL")], [_call("book_flight", flight="SK1")], "Booked."
    )
    result = tool_trajectory_reward(messages=messages, ground_truth=EXPECTED)
    assert result.score == 1.0 and result.is_score_valid
    assert step_rewards(result) == [1.0, 1.0, 1.0]
    assert discounted_returns(step_rewards(result), gamma=0.5) == [1.75, 1.5, 1.0]


def test_the_wrong_turn_is_named_and_strict_scoring_gives_zero() -> None:
    messages = _trajectory(
        [_call("search_flights", to="OSL")], [_call("book_flight", flight="DY9")], "Booked."
    )
    result = tool_trajectory_reward(messages=messages, ground_truth=EXPECTED)
    assert result.score == 0.0 and step_rewards(result) == [1.0, 0.0, 1.0]
    assert "turn 1: expected book_flight" in (result.reason or "")
    partial = tool_trajectory_reward(messages=messages, ground_truth=EXPECTED, partial_credit=True)
    assert partial.score == 2 / 3


def test_missing_extra_and_malformed_turns_are_steps_worth_zero() -> None:
    short = tool_trajectory_reward(
        messages=_trajectory([_call("search_flights", to="OSL")]), ground_truth=EXPECTED
    )
    assert step_rewards(short) == [1.0, 0.0, 0.0]
    assert short.step_outputs is not None and short.step_outputs[1].reason == "the turn never came"
    extra = _trajectory(
        [_call("search_flights", to="OSL")],
        [_call("book_flight", flight="SK1")],
        "Booked.",
        [_call("book_flight", flight="SK1")],
    )
    assert step_rewards(tool_trajectory_reward(messages=extra, ground_truth=EXPECTED)) == [
        1.0,
        1.0,
        1.0,
        0.0,
    ]
    broken = _trajectory("<tool_call>{not json</tool_call>")
    result = tool_trajectory_reward(messages=broken, ground_truth=EXPECTED)
    assert result.is_score_valid and step_rewards(result)[0] == 0.0
    assert "malformed call" in (result.step_outputs or [])[0].reason  # type: ignore[operator]


def test_bad_ground_truth_or_no_assistant_turn_cannot_be_scored() -> None:
    messages = _trajectory("hi")
    for bad in (None, [], {"turns": "x"}, [[{"arguments": {}}]]):
        result = tool_trajectory_reward(messages=messages, ground_truth=bad)
        assert not result.is_score_valid and "ground_truth" in (result.error or "")
    nothing = tool_trajectory_reward(
        messages=[{"role": "user", "content": "q"}], ground_truth=EXPECTED
    )
    assert not nothing.is_score_valid and "no assistant turn" in (nothing.error or "")
