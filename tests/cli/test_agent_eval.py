"""``reward-kit agent-eval`` acceptance checks: the CLI in a subprocess against a scripted
OpenAI-compatible stand-in on 127.0.0.1, real SQLite databases and the real scoring workers."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli._agent_eval import (
    ALICE,
    FLIGHT,
    ROOT,
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
    varying = ("generation", "tool_calls", "final_state")  # latencies and paths
    again_rows = [{k: v for k, v in r.items() if k not in varying} for r in results(rerun_dir)]
    assert again_rows == [{k: v for k, v in r.items() if k not in varying} for r in rows]


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
    done = agent_eval("-t", FLIGHT, "--test-mode", "--mock-response", "-o", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (row,) = results(run_dir(out))
    assert row["score"] == 1.0 and row["task_achieved"] and row["mode"] == "test"
    report = run_dir(out) / "report.html"
    assert report.is_file() and f"report: {report}" in done.stdout
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


def _mock_call(name, arguments):
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"function": {"name": name, "arguments": text}}


BAD_TOOLS = """
import time

from reward_kit.agent import ToolRegistry

R = ToolRegistry("bad")


@R.tool(description="Needs an integer", parameters={"n": int})
def strict(n):
    return n


@R.tool(description="Always raises")
def explode():
    raise RuntimeError("boom")


@R.tool(description="Never finishes in time")
def slow():
    time.sleep(60)  # far past the 0.5 s limit: the command must not wait for it at exit
"""


def test_tool_errors_become_error_messages_and_the_rollout_is_scored(tmp_path):
    """Check 7 (and --registry-override): five failures, five error tool messages, one score."""
    calls = [
        _mock_call("nope", {}),
        _mock_call("strict", "{not json"),
        _mock_call("strict", {"n": "three"}),
        _mock_call("explode", {}),
        _mock_call("slow", {}),
    ]
    mocks = [{"content": None, "tool_calls": calls}, {"content": "Sorry."}]
    bundle = make_bundle(
        tmp_path / "b", [flight_row(mock_responses=mocks)], bad_tools__py=BAD_TOOLS
    )
    flags = ("--registry-override", "bad_tools", "--tool-timeout", "0.5", "-o", tmp_path / "out")
    # the slow tool sleeps 60 s: a command that waited for it at exit would time out here
    done = agent_eval(
        "-t", bundle, "--test-mode", "--mock-response", *flags, cwd=tmp_path, timeout=40
    )
    assert done.returncode == 0, done.stderr + done.stdout
    (row,) = results(run_dir(tmp_path / "out"))
    tool_messages = [m for m in row["messages"] if m["role"] == "tool"]
    errors = [json.loads(m["content"])["error"] for m in tool_messages]
    assert len(errors) == 5
    assert "unknown tool 'nope'" in errors[0]
    assert "not JSON" in errors[1]
    assert "invalid arguments" in errors[2]
    assert "RuntimeError: boom" in errors[3]
    assert "timed out" in errors[4]
    assert [call["ok"] for call in row["tool_calls"]] == [False] * 5
    assert row["is_score_valid"] and row["stop_reason"] == "agent_done"
    summary = json.loads((run_dir(tmp_path / "out") / "summary.json").read_text())
    assert summary["tool_errors"]["total"] == 5


ALT = """
from reward_kit import reward_function


@reward_function
def half(messages, **kwargs):
    return {"score": 0.5, "reason": "half"}
"""


def test_selection_evaluator_and_registries(tmp_path):
    """Check 9: --task-ids/--max-tasks, unknown ids, --evaluator, --registries merge/dupes."""
    rows = [flight_row(id=name) for name in ("a", "b", "c")]
    bundle = make_bundle(tmp_path / "b", rows, alt__py=ALT)
    flags = ("--test-mode", "--task-ids", "b,c", "--max-tasks", "1", "--evaluator", "alt.half")
    done = agent_eval("-t", bundle, *flags, "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (row,) = results(run_dir(tmp_path / "out"))
    assert row["id"] == "b" and row["score"] == 0.5
    unknown = agent_eval(
        "-t", bundle, "--test-mode", "--task-ids", "b,zz", "-o", tmp_path / "o2", cwd=tmp_path
    )
    assert unknown.returncode == 1 and "zz" in unknown.stderr
    travel = ROOT / "examples" / "agent_eval_travel"
    merged = ("--registries", "flight=flights,hotel=hotels", "--test-mode", "--mock-response")
    done = agent_eval("-t", travel, *merged, "-o", tmp_path / "o3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (row,) = results(run_dir(tmp_path / "o3"))
    assert [call["name"] for call in row["tool_calls"]] == ["find_flights", "reserve_hotel"]
    assert row["score"] == 1.0 and row["task_achieved"]
    twice = ("--registries", "flight=flights,hotel=flights", "--validate-only")
    done = agent_eval("-t", travel, *twice, cwd=tmp_path)
    assert done.returncode == 1 and "duplicate tool name 'find_flights'" in done.stdout


PROBE = """
import json

from reward_kit import reward_function


@reward_function
def evaluate(messages, ground_truth=None, *, db, end_goal_sql, task_achieved, passenger, **kw):
    try:
        db.execute("INSERT INTO bookings (flight_id, passenger, seat_class, status) "
                   "VALUES (1, 'X', 'e', 'paid')")
        wrote = "yes"
    except Exception as exc:
        wrote = type(exc).__name__ + ": " + str(exc)
    seen = {"ground_truth": ground_truth, "end_goal_sql": end_goal_sql,
            "task_achieved": task_achieved, "passenger": passenger, "wrote": wrote,
            "bookings": db.fetch_val("SELECT COUNT(*) FROM bookings"), "state": sorted(kw["state"]),
            "task_id": kw["task_id"], "rollout_index": kw["rollout_index"]}
    return {"score": 1.0, "reason": json.dumps(seen)}
"""

SLOW = """
import time

from reward_kit import reward_function


@reward_function
def evaluate(messages, **kwargs):
    time.sleep(60)
    return 1.0
"""


def test_the_reward_gets_a_read_only_db_and_its_arguments(tmp_path):
    """Check 10: db, end_goal_sql, task_achieved, passenger, ground_truth; INSERT fails."""
    row = flight_row(ground_truth={"flight": 102}, mock_responses=ALICE["mock_responses"])
    bundle = make_bundle(tmp_path / "b", [row], probe__py=PROBE)
    flags = ("--test-mode", "--mock-response", "--evaluator", "probe", "-o", tmp_path / "out")
    done = agent_eval("-t", bundle, *flags, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (result,) = results(run_dir(tmp_path / "out"))
    seen = json.loads(result["reason"])
    assert seen["ground_truth"] == {"flight": 102}
    assert seen["end_goal_sql"] == row["end_goal_sql"] and seen["task_achieved"] is True
    assert seen["passenger"] == "Alice" and seen["bookings"] == 1
    assert seen["wrote"].startswith("OperationalError") and "readonly" in seen["wrote"]
    assert seen["state"] == ["resource", "tool_calls"]
    assert (seen["task_id"], seen["rollout_index"]) == ("book_alice", 0)


def test_a_reward_past_its_time_limit_is_an_error_and_exit_1(tmp_path):
    """Check 10: --reward-timeout gives is_score_valid false, counted, exit 1."""
    bundle = make_bundle(tmp_path / "b", [flight_row()], reward__py=SLOW)
    flags = ("--test-mode", "--reward-timeout", "1", "-o", tmp_path / "out")
    done = agent_eval("-t", bundle, *flags, cwd=tmp_path)
    assert done.returncode == 1
    assert "Evaluation complete: 0 tasks succeeded, 1 failed" in done.stdout
    (row,) = results(run_dir(tmp_path / "out"))
    assert row["is_score_valid"] is False and row["score"] is None and "1" in row["error"]
    summary = json.loads((run_dir(tmp_path / "out") / "summary.json").read_text())
    assert summary["errors"]["scoring"] == 1


def test_endless_tool_calls_stop_at_max_steps(tmp_path):
    """Check 10: an agent that never stops calling tools ends with max_steps."""
    args = {"origin": "SFO", "dest": "JFK", "date": "2025-06-01"}
    mocks = [{"content": None, "tool_calls": [_mock_call("search_flights", args)]}] * 20
    bundle = make_bundle(tmp_path / "b", [flight_row(mock_responses=mocks)])
    flags = ("--test-mode", "--mock-response", "--max-steps", "3", "-o", tmp_path / "out")
    done = agent_eval("-t", bundle, *flags, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (row,) = results(run_dir(tmp_path / "out"))
    assert row["stop_reason"] == "max_steps" and row["agent_steps"] == 3
    assert len(row["tool_calls"]) == 3 and row["is_score_valid"]


MALFORMED_ROWS = {
    "invalid UTF-8": (b'{"id": "caf\xe9"}\n', "1: not UTF-8 (byte 12 is 0xe9)"),
    "too deeply nested": (b"[" * 100_000 + b"]" * 100_000 + b"\n", "1: JSON nested too deeply"),
    "empty": (b"\n\n", "0: holds no tasks"),
}


@pytest.mark.parametrize(("data", "problem"), MALFORMED_ROWS.values(), ids=list(MALFORMED_ROWS))
def test_a_rows_file_that_cannot_be_read_is_a_problem_with_its_line_and_nothing_runs(
    tmp_path, data, problem
):
    bundle = make_bundle(tmp_path / "b", [flight_row()])
    (bundle / "task.jsonl").write_bytes(data)

    done = agent_eval("-t", bundle, "--test-mode", "-o", tmp_path / "out", cwd=tmp_path)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    listed, last = done.stderr.strip().splitlines()
    assert listed.startswith(f"{bundle / 'task.jsonl'}:{problem}")
    assert last == (
        "reward-kit agent-eval: error: the task bundle has 1 problem(s), listed above; "
        "nothing was run"
    )
    assert not (tmp_path / "out").exists()


def test_a_bom_is_read_and_a_folder_or_file_in_place_of_another_is_named(tmp_path):
    bundle = make_bundle(tmp_path / "b", [flight_row()])
    text = (bundle / "task.jsonl").read_bytes()
    (bundle / "task.jsonl").write_bytes(b"\xef\xbb\xbf" + text)
    valid = agent_eval("-t", bundle, "--validate-only", cwd=tmp_path)
    assert valid.returncode == 0, valid.stdout
    assert "is valid: 1 task(s)" in valid.stdout

    folder = agent_eval("-t", bundle, "-d", tmp_path, "--test-mode", cwd=tmp_path)
    assert folder.returncode == 1
    assert f"{tmp_path}:0: is a folder, not a rows file (JSONL)" in folder.stderr

    (tmp_path / "file").write_text("x")
    for flag in ("--run-dir", "--output-dir"):
        done = agent_eval("-t", bundle, "--test-mode", flag, tmp_path / "file", cwd=tmp_path)
        assert done.returncode == 2
        assert done.stderr.strip() == (
            f"reward-kit agent-eval: error: {flag} {tmp_path / 'file'}: is a file, not a folder"
        )
