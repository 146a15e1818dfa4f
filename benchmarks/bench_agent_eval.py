"""Wall time of ``reward-kit agent-eval`` against its ideal, in one run.

Runs the flight-booking task bundle of the acceptance tests (each rollout: search, book,
answer, so three model requests) for N tasks x 3 rollouts against the OpenAI stand-in answering
after a fixed latency, at the default ``--max-concurrency`` 3, and reports the wall time (from
starting the CLI, so its start-up is included) against the ideal ``requests * latency /
concurrency``.

    PYTHONPATH=. python benchmarks/bench_agent_eval.py [--tasks 20] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests._servers.openai_stub import OpenAIStub
from tests.cli._agent_eval import FlightScript, agent_eval, flight_row, make_bundle

ROLLOUTS = 3
CONCURRENCY = 3
REQUESTS_PER_ROLLOUT = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.2)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    rows = [flight_row(id=f"t{i}", n_rollouts=ROLLOUTS) for i in range(options.tasks)]
    bundle = make_bundle(folder / "bundle", rows)
    with OpenAIStub(latency=options.latency, responder=FlightScript()).serve_in_thread() as stub:
        started = time.perf_counter()
        done = agent_eval(
            "-t", bundle, "--api-base", stub.url, "--model", "openai/agent-x", "--no-sim-user",
            "-o", folder / "out", cwd=folder, timeout=600,
        )  # fmt: skip
        wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"agent-eval failed:\n{done.stderr}")
    requests = len(stub.chat_requests)
    ideal = requests * options.latency / CONCURRENCY
    print(f"{options.tasks} tasks x {ROLLOUTS} rollouts, {requests} model requests "
          f"({options.tasks * ROLLOUTS * REQUESTS_PER_ROLLOUT} expected)")  # fmt: skip
    print(f"wall {wall:.1f} s, ideal {ideal:.1f} s at concurrency {CONCURRENCY}: "
          f"{wall / ideal:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
