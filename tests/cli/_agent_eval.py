"""Helpers of the agent-eval CLI tests: bundles in tmp folders, the CLI as a subprocess, and a
scripted stand-in (the OpenAI stub over real HTTP) that plays the agent and the simulated user."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests._servers.openai_stub import OpenAIStub, RecordedRequest, completion, openai_stub

__all__ = ["openai_stub"]

ROOT = Path(__file__).resolve().parents[2]
FLIGHT = ROOT / "examples" / "agent_eval_flight"
ALICE = json.loads((FLIGHT / "task.jsonl").read_text().splitlines()[0])


def flight_row(**changes: Any) -> dict[str, Any]:
    """The example's Alice row, changed; ``None`` values drop a key."""
    row = {key: value for key, value in ALICE.items() if key != "mock_responses"}
    row.update(changes)
    return {key: value for key, value in row.items() if value is not None}


def make_bundle(folder: Path, rows: list[dict[str, Any]], **files: str) -> Path:
    """A copy of the flight example with these rows; ``files`` add or replace files."""
    shutil.copytree(FLIGHT, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "task.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text)
    return folder


def agent_eval(*arguments: Any, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120):
    """Run ``reward-kit agent-eval`` in a subprocess with no model variables or keys."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in ("MODEL_AGENT", "MODEL_SIM") and not key.endswith("_API_KEY")
    }
    return subprocess.run(
        [sys.executable, "-m", "reward_kit", "agent-eval", *map(str, arguments)],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_dir(output: Path) -> Path:
    """The one run folder under an output root."""
    (folder,) = [path for path in output.iterdir() if path.is_dir()]
    return folder


def results(folder: Path) -> list[dict[str, Any]]:
    """The rows of a run's results.jsonl, by task id and rollout index."""
    rows = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]
    return sorted(rows, key=lambda row: (row["id"], row["rollout_index"]))


def _call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


class FlightScript:
    """Plays the agent (model ``agent-x``) and the simulated user (``sim-x``) by content.

    The agent searches, then books the cheapest flight it was shown (only ``book_limit`` times
    in all), then answers. Replies depend on the conversation, so a loop that drops tool
    results or mismatches ``tool_call_id``s never reaches a booking.
    """

    def __init__(self, book_limit: int = 1_000, sim_replies: tuple[str, ...] = ("Thanks!",)):
        self.book_limit = book_limit
        self.booked = 0
        self.sim_replies = list(sim_replies)
        self.sim_requests: list[RecordedRequest] = []

    def __call__(self, request: RecordedRequest) -> dict[str, Any]:
        body = request.json
        if body["model"] == "sim-x":
            self.sim_requests.append(request)
            index = min(len(self.sim_requests), len(self.sim_replies)) - 1
            return completion(self.sim_replies[index], model="sim-x")
        messages = body["messages"]
        last = messages[-1]
        calls = {
            c["id"] for m in messages if m["role"] == "assistant" for c in m.get("tool_calls") or []
        }
        if last["role"] == "tool" and last["tool_call_id"] in calls:
            if last["tool_call_id"] == "call_search":
                flights = json.loads(last["content"])
                if self.booked < self.book_limit and flights:
                    self.booked += 1
                    args = {"flight_id": flights[0]["id"], "passenger": "Alice"}
                    return completion(None, tool_calls=[_call("call_book", "book_flight", args)])
                return completion("I could not book a flight.")
            booking = json.loads(last["content"])
            return completion(f"Booked: booking {booking.get('booking_id')}.")
        if last["role"] == "user" and not calls:
            args = {"origin": "SFO", "dest": "JFK", "date": "2025-06-01"}
            return completion(None, tool_calls=[_call("call_search", "search_flights", args)])
        return completion("You're all set.")


@pytest.fixture
def flight_stub(openai_stub: OpenAIStub) -> tuple[OpenAIStub, FlightScript]:
    """The stub playing :class:`FlightScript`."""
    script = FlightScript()
    openai_stub.responder = script
    return openai_stub, script
