"""Benchmark sql_execution_reward against running the same queries directly on DuckDB.

Both sides run the same answer queries on the same database in the same run: directly, a
read-only connection in this process (execute + fetchall, the reference rows already known);
through the reward, extraction + vetting (sqlglot) + the worker hop + execution + comparison
(the reference query's rows come from the reward's cache after the first call). Reports the
median and p90 per-query latency of each and the overhead (difference and ratio).

Run:  PYTHONPATH=. python benchmarks/bench_sql.py [--rows 20000] [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from reward_kit.rewards.sql import sql_execution_reward

QUERIES = [
    "SELECT count(*) FROM flights WHERE carrier = 'AA'",
    "SELECT carrier, avg(delay) AS d FROM flights GROUP BY carrier ORDER BY d DESC",
    "SELECT origin, count(*) FROM flights GROUP BY origin HAVING count(*) > 100",
    "SELECT f.id, a.city FROM flights f JOIN airports a ON a.code = f.origin WHERE f.id < 50",
]


def build(path: Path, rows: int) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "CREATE TABLE airports AS SELECT 'A' || i AS code, 'City ' || i AS city "
            "FROM range(300) t(i)"
        )
        connection.execute(
            f"CREATE TABLE flights AS SELECT i AS id, ['AA','UA','DL','BA'][1 + i % 4] AS carrier,"
            f" 'A' || (i % 300) AS origin, (i * 7919) % 180 - 20 AS delay FROM range({rows}) t(i)"
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        build(path, args.rows)
        messages = [[{"role": "assistant", "content": f"```sql\n{q}\n```"}] for q in QUERIES]
        for message, query in zip(messages, QUERIES, strict=True):  # warm up: workers, cache
            assert sql_execution_reward(message, ground_truth=query, database=str(path)).score == 1
        direct, reward = [], []
        with duckdb.connect(str(path), read_only=True) as connection:
            for index in range(args.repeat):
                query = QUERIES[index % len(QUERIES)]
                start = time.perf_counter()
                connection.execute(query).fetchall()
                direct.append(time.perf_counter() - start)
                start = time.perf_counter()
                sql_execution_reward(
                    messages[index % len(QUERIES)], ground_truth=query, database=str(path)
                )
                reward.append(time.perf_counter() - start)
    for name, values in (("direct DuckDB", direct), ("sql_execution_reward", reward)):
        print(
            f"{name:22s} median {statistics.median(values) * 1e3:7.2f} ms"
            f"   p90 {percentile(values, 0.9) * 1e3:7.2f} ms"
        )
    overhead = statistics.median(reward) - statistics.median(direct)
    ratio = statistics.median(reward) / statistics.median(direct)
    print(f"overhead per query: {overhead * 1e3:.2f} ms (median), {ratio:.1f}x the direct time")


if __name__ == "__main__":
    main()
