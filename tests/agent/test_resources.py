"""SQLite forks are isolated, writes are committed, the reward's handle is read-only."""

from __future__ import annotations

import pickle
import sqlite3

import pytest

from reward_kit.agent.resources import DictStateResource, ReadOnlyDB, SQLiteResource, seed_database


def test_forks_are_isolated_and_readonly_handles_refuse_writes(tmp_path):
    seed_database(tmp_path / "base.sqlite", "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
    base = SQLiteResource(tmp_path / "base.sqlite")
    one, two = base.fork(tmp_path / "one.sqlite"), base.fork(tmp_path / "two.sqlite")
    assert one.db.execute("INSERT INTO t VALUES (:x)", {"x": 2}) == 1
    one.close()  # commits
    two.close()
    readonly = pickle.loads(pickle.dumps(ReadOnlyDB(one.path)))
    assert readonly.fetch_all("SELECT x FROM t ORDER BY x") == [{"x": 1}, {"x": 2}]
    assert readonly.execute("SELECT COUNT(*) AS n FROM t").scalar() == 2
    assert ReadOnlyDB(two.path).fetch_val("SELECT COUNT(*) FROM t") == 1
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        readonly.execute("INSERT INTO t VALUES (3)")
    assert base.db.fetch_one("SELECT COUNT(*) AS n FROM t") == {"n": 1}
    base.close()


def test_dict_state_forks_are_copies():
    base = DictStateResource({"cart": []})
    fork = base.fork(None)  # type: ignore[arg-type]
    fork.get_state()["cart"].append("apple")
    assert base.snapshot() == {"cart": []} and fork.snapshot() == {"cart": ["apple"]}
