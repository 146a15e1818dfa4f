"""``reward-kit agent-eval`` acceptance checks: the CLI in a subprocess against a scripted
OpenAI-compatible stand-in on 127.0.0.1, real SQLite databases and the real scoring workers."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.agent.conftest import (
    agent_eval,
    flight_row,
    flight_stub,
    make_bundle,
    openai_stub,
    results,
    run_dir,
)

__all__ = ["flight_stub", "openai_stub"]

MODEL = ("--model", "openai/agent-x")


def _flags(stub, output):
    return ("--api-base", stub.url, *MODEL, "--output-dir", output)


def test_flight_booking_end_to_end(tmp_path, flight_stub):
    """Check 1: search, book, answer; end goal true, reward 1, ids match, tools as exported."""
    stub, _ = flight_stub
    bundle = make_bundle(tmp_path / "b", [flight_row()])
    done = agent_eval("-t", bundle, *_flags(stub, tmp_path / "out"), "--no-sim-user", cwd=tmp_path)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "Evaluation complete: 1 tasks succeeded, 0 failed" in done.stdout
    (row,) = results(run_dir(tmp_path / "out"))
    assert row["score"] == 1.0 and row["task_achieved"] is True
    assert row["end_goal_result"] == {"value": 1}
    assert [call["name"] for call in row["tool_calls"]] == ["search_flights", "book_flight"]
    assert row["stop_reason"] == "agent_done" and row["mode"] == "eval"
    asked = [
        c["id"]
        for m in row["messages"]
        if m["role"] == "assistant"
        for c in m.get("tool_calls") or []
    ]
    answered = [m["tool_call_id"] for m in row["messages"] if m["role"] == "tool"]
    assert asked == answered == ["call_search", "call_book"]
    assert row["messages"][0]["role"] == "system"
    exported = agent_eval("-t", bundle, "--export-tools", tmp_path / "spec", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    spec = json.loads((tmp_path / "spec" / "book_alice" / "tools_spec.json").read_text())
    assert all(request.json["tools"] == spec for request in stub.chat_requests)
    assert [r.json["model"] for r in stub.chat_requests] == ["agent-x"] * 3


def test_rollouts_are_isolated_and_a_rerun_is_served_from_cache(tmp_path, flight_stub):
    """Check 2: only rollout 0 books; scores [1,0,0]; base unchanged; rerun: 0 requests."""
    stub, script = flight_stub
    script.book_limit = 1
    bundle = make_bundle(tmp_path / "b", [flight_row(n_rollouts=3)])
    flags = (*_flags(stub, tmp_path / "out"), "--no-sim-user", "--max-concurrency", "1")
    assert agent_eval("-t", bundle, *flags, cwd=tmp_path).returncode == 0
    first = run_dir(tmp_path / "out")
    rows = results(first)
    assert [row["score"] for row in rows] == [1.0, 0.0, 0.0]
    summary = json.loads((first / "summary.json").read_text())
    assert summary["success_rate"] == pytest.approx(1 / 3)
    assert summary["per_task"]["book_alice"]["n_rollouts"] == 3
    with sqlite3.connect(first / "dbs" / "book_alice" / "base.sqlite") as base:
        assert base.execute("SELECT COUNT(*) FROM bookings").fetchone() == (0,)
    for index, seats in ((0, 0), (1, 1), (2, 1)):
        with sqlite3.connect(first / "dbs" / "book_alice" / f"rollout_{index}.sqlite") as fork:
            assert fork.execute("SELECT seats FROM flights WHERE id = 102").fetchone() == (seats,)
    sent = len(stub.chat_requests)
    rerun_dir = tmp_path / "out" / "again"
    again = agent_eval("-t", bundle, *flags, "--run-dir", rerun_dir, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(stub.chat_requests) == sent
    strip = lambda row: {k: v for k, v in row.items() if k not in ("generation", "tool_calls", "final_state")}  # noqa: E731
    assert [strip(r) for r in results(rerun_dir)] == [strip(r) for r in rows]


def test_test_mode_needs_no_keys_and_no_server(tmp_path):
    """Check 3: --test-mode, no keys, nothing listening: exit 0, mode test rows."""
    bundle = make_bundle(tmp_path / "b", [flight_row()])
    done = agent_eval("-t", bundle, "--test-mode", "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (row,) = results(run_dir(tmp_path / "out"))
    assert row["mode"] == "test" and row["is_score_valid"] and row["score"] == 0.0
    assert row["messages"] == flight_row()["initial_messages"]


def test_mock_responses_book_and_need_test_mode(tmp_path):
    """Check 4: the example's book_flight mock scores 1.0; --mock-response alone exits 2."""
    out = tmp_path / "out"
    from tests.agent.conftest import FLIGHT

    done = agent_eval("-t", FLIGHT, "--test-mode", "--mock-response", "-o", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (row,) = results(run_dir(out))
    assert row["score"] == 1.0 and row["task_achieved"] and row["mode"] == "test"
    alone = agent_eval("-t", FLIGHT, "--mock-response", cwd=tmp_path)
    assert alone.returncode == 2 and "--test-mode" in alone.stderr


def test_validate_only(tmp_path):
    """Check 5: missing reward.py; duplicate id, missing seed, broken end goal; valid bundle."""
    bad = make_bundle(tmp_path / "bad", [flight_row()])
    (bad / "reward.py").unlink()
    done = agent_eval("-t", bad, "--validate-only", "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 1
    assert "Missing required files in task bundle: reward.py" in done.stdout
    rows = [
        flight_row(),
        flight_row(),
        flight_row(id="seedless", seed_sql="file:nope.sql"),
        flight_row(id="goal", end_goal_sql="SELECT FROM nowhere"),
    ]
    broken = make_bundle(tmp_path / "broken", rows)
    done = agent_eval("-t", broken, "--validate-only", "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 1
    tasks = broken / "task.jsonl"
    assert f"{tasks}:2: duplicate id 'book_alice' (first on line 1)" in done.stdout
    assert f"{tasks}:3: row 'seedless': seed file" in done.stdout
    assert f"{tasks}:4: row 'goal': end_goal_sql does not prepare" in done.stdout
    good = make_bundle(tmp_path / "good", [flight_row()])
    done = agent_eval("-t", good, "--validate-only", "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert not (tmp_path / "out").exists()


def test_export_tools_is_valid_openapi_31(tmp_path):
    """Check 6: OpenAPI 3.1 that validates; book_flight's required omits seat_class."""
    validator = pytest.importorskip("openapi_spec_validator")
    bundle = make_bundle(tmp_path / "b", [flight_row()])
    done = agent_eval("-t", bundle, "--export-tools", tmp_path / "spec", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "spec" / "book_alice"
    document = json.loads((folder / "openapi.json").read_text())
    validator.validate(document)
    assert document["openapi"] == "3.1.0"
    book = document["paths"]["/tools/book_flight"]["post"]
    assert book["operationId"] == "book_flight"
    schema = book["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["flight_id", "passenger"]
    assert json.loads((folder / "book_flight_template.json").read_text()) == {
        "flight_id": 0,
        "passenger": "",
        "seat_class": "economy",
    }


def test_model_flags_beat_env_and_the_simulated_user_stops(tmp_path, flight_stub):
    """Check 8: persona, flipped roles, ###STOP### on turn 2; --model/--sim-model beat env."""
    stub, script = flight_stub
    script.sim_replies = ["Is it economy?", "###STOP###"]
    bundle = make_bundle(tmp_path / "b", [flight_row()])
    env = {"MODEL_AGENT": "openai/wrong-agent", "MODEL_SIM": "openai/wrong-sim"}
    flags = (*_flags(stub, tmp_path / "out"), "--sim-model", "openai/sim-x", "--debug")
    done = agent_eval("-t", bundle, *flags, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    (row,) = results(run_dir(tmp_path / "out"))
    assert row["stop_reason"] == "user_stop" and row["user_turns"] == 2
    assert {r.json["model"] for r in stub.chat_requests} == {"agent-x", "sim-x"}
    first = script.sim_requests[0].json
    assert "tools" not in first
    assert first["messages"][0]["role"] == "system"
    assert (
        "You are Alice" in first["messages"][0]["content"]
        and "###STOP###" in first["messages"][0]["content"]
    )
    assert first["messages"][1] == {
        "role": "assistant",
        "content": flight_row()["initial_messages"][1]["content"],
    }
    assert first["messages"][-1]["role"] == "user" and first["messages"][-1]["content"].startswith(
        "Booked"
    )
    assert all(m["role"] in ("system", "user", "assistant") for m in first["messages"])
    assert "search_flights" in (run_dir(tmp_path / "out") / "debug.log").read_text()
    stub.requests.clear()
    script.sim_requests.clear()
    no_sim = agent_eval(
        "-t", bundle, *_flags(stub, tmp_path / "o2"), "--no-sim-user", cwd=tmp_path, env=env
    )
    assert no_sim.returncode == 0 and script.sim_requests == []
    (row,) = results(run_dir(tmp_path / "o2"))
    assert row["stop_reason"] == "agent_done"


def test_missing_model_variable_is_a_usage_error(tmp_path):
    """Without MODEL_AGENT, --model or --test-mode: the documented message, exit 2."""
    bundle = make_bundle(tmp_path / "b", [flight_row()])
    done = agent_eval("-t", bundle, cwd=tmp_path)
    assert done.returncode == 2 and "MODEL_AGENT environment variable is not set" in done.stderr
    assert agent_eval(cwd=tmp_path).returncode == 2
