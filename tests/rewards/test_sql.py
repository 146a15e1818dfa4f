"""The SQL execution reward: result-set comparison, and hostile queries that must change nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from reward_kit.rewards.sql import sql_execution_reward  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sql") / "flights.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "CREATE TABLE airports AS SELECT * FROM (VALUES "
            "(1, 'Heathrow', 'London', 'UK', 25.0), (2, 'Gatwick', 'London', 'UK', 46.5), "
            "(3, 'Orly', 'Paris', 'France', 89.0), (4, 'Tegel', 'Berlin', 'Germany', NULL)) "
            "AS t(id, name, city, country, elevation)"
        )
        connection.execute(
            "CREATE TABLE routes AS SELECT * FROM (VALUES (1, 3), (3, 1), (2, 4), (1, 4)) "
            "AS t(src, dst)"
        )
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def score(db: Path, answer: str, reference: object, **options: object):
    messages = [{"role": "user", "content": "?"}, {"role": "assistant", "content": answer}]
    return sql_execution_reward(messages, ground_truth=reference, database=str(db), **options)


LONDON = "SELECT name, elevation FROM airports WHERE city = 'London'"


def test_same_result_set_scores_one_whatever_the_order_or_column_order(db: Path) -> None:
    result = score(db, "```sql\nSELECT elevation, name FROM airports WHERE id <= 2;\n```", LONDON)
    assert result.score == 1.0, result.reason
    assert result.metrics["columns"].reason == "by content"
    assert set(result.metrics) == {"extraction", "safety", "execution", "columns", "rows"}
    assert score(db, "<sql>SELECT name, elevation FROM airports WHERE id IN (2, 1)</sql>",
                 LONDON).score == 1.0  # fmt: skip


def test_order_matters_only_when_the_reference_orders(db: Path) -> None:
    ordered = "SELECT name FROM airports ORDER BY id"
    assert score(db, "SELECT name FROM airports ORDER BY id DESC", ordered).score == 0.0
    result = score(db, "SELECT name FROM airports ORDER BY id DESC", ordered)
    assert "another order" in result.metrics["rows"].reason
    assert score(db, "SELECT name FROM airports ORDER BY id DESC", ordered[:-12]).score == 1.0


def test_column_names_count_only_when_asked(db: Path) -> None:
    answer = "SELECT name AS airport, elevation AS height FROM airports WHERE city = 'London'"
    assert score(db, answer, LONDON).score == 1.0
    result = score(db, answer, LONDON, check_column_names=True)
    assert result.score == 0.0 and result.metrics["columns"].success is False


def test_numbers_within_tolerance_and_nulls_only_equal_nulls(db: Path) -> None:
    assert score(db, "SELECT avg(elevation) FROM airports", [[53.5000000001]]).score == 1.0
    assert score(db, "SELECT avg(elevation) FROM airports", [[53.6]]).score == 0.0
    nulls = "SELECT name, elevation FROM airports WHERE city = 'Berlin'"
    assert score(db, nulls, [{"name": "Tegel", "elevation": None}]).score == 1.0
    coalesced = "SELECT name, coalesce(elevation, 0) FROM airports WHERE city = 'Berlin'"
    assert score(db, coalesced, [{"name": "Tegel", "elevation": None}]).score == 0.0


def test_wrong_rows_score_zero_unless_partial_credit(db: Path) -> None:
    answer = "SELECT name FROM airports WHERE country = 'UK' OR city = 'Paris'"
    reference = "SELECT name FROM airports WHERE country = 'UK'"
    strict = score(db, answer, reference)
    assert strict.score == 0.0 and strict.metrics["rows"].success is False
    assert score(db, answer, reference, partial_credit=True).score == pytest.approx(0.8)
    duplicated = "SELECT name FROM airports, routes WHERE country = 'UK' AND src = 1"
    assert score(db, duplicated, reference).score == 0.0  # duplicates are not the same rows


def test_failures_are_named_by_stage(db: Path) -> None:
    assert score(db, "I do not know.", LONDON).metrics["extraction"].success is False
    broken = score(db, "SELECT nme FROM airports", LONDON)
    assert broken.metrics["execution"].success is False and broken.is_score_valid
    assert score(db, "SELECT name FROM airports", LONDON).metrics["columns"].success is False
    literal = score(db, "SELECT 'Heathrow', 25.0 UNION ALL SELECT 'Gatwick', 46.5", LONDON)
    assert literal.score == 0.0 and "none of the database's tables" in literal.reason


def test_bad_references_and_sources_are_invalid_not_zero(db: Path, tmp_path: Path) -> None:
    assert not score(db, LONDON, "SELECT nope FROM airports").is_score_valid
    assert not score(db, LONDON, None).is_score_valid
    assert not score(tmp_path / "missing.duckdb", LONDON, LONDON).is_score_valid


def test_csv_tables_are_loaded_once_into_a_cached_database(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "cities.csv").write_text("name,population\nOslo,700000\nBergen,290000\n")
    messages = [{"role": "assistant", "content": "SELECT name FROM cities WHERE population > 1e6"}]
    tables = {"cities": str(tmp_path / "cities.csv")}
    assert sql_execution_reward(messages, ground_truth=[], tables=tables).score == 1.0
    assert len(list((tmp_path / "cache").rglob("*.duckdb"))) == 1
    folder = sql_execution_reward(messages, ground_truth=[[1]], database=str(tmp_path))
    assert folder.score == 0.0 and folder.is_score_valid


REFUSED = [
    "DROP TABLE airports",
    "DELETE FROM airports",
    "INSERT INTO airports VALUES (9, 'x', 'y', 'z', 1.0)",
    "UPDATE airports SET name = 'pwned'",
    "CREATE TABLE stolen AS SELECT * FROM airports",
    "SELECT * INTO stolen FROM airports",
    "ALTER TABLE airports RENAME TO a2",
    "ATTACH '/tmp/reward_kit_evil.duckdb' AS evil",
    "DETACH flights",
    "COPY airports TO '/tmp/reward_kit_out.csv'",
    "COPY (SELECT * FROM airports) TO '/tmp/reward_kit_out.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '/tmp/reward_kit_export'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "FORCE INSTALL httpfs FROM community",
    "SET enable_external_access = true",
    "RESET lock_configuration",
    "PRAGMA database_list",
    "CALL pragma_version()",
    "CHECKPOINT",
    "SELECT * FROM read_csv('/etc/passwd')",
    "sElEcT * fRoM \"ReAd_CsV\"('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd', header = false)",
    "SELECT * FROM '/etc/passwd'",
    'SELECT * FROM "/etc/passwd"',
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_parquet('https://example.com/data.parquet')",
    "SELECT * FROM read_json_auto('http://127.0.0.1:1/x.json')",
    "SELECT * FROM read_csv(concat('/et', 'c/pa', 'sswd'))",
    "SELECT (SELECT count(*) FROM read_csv('/etc/passwd')) FROM airports",
    "SELECT * FROM airports UNION ALL SELECT * FROM read_csv('/etc/passwd')",
    "WITH a AS (WITH b AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM b) SELECT * FROM a",
    "SELECT getenv('HOME') FROM airports",
    "SELECT current_setting('home_directory') FROM airports",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM query('DROP TABLE airports')",
    "SELECT * FROM sqlite_scan('/tmp/x.db', 't')",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM other.main.airports",
    "SELECT name FROM airports; DROP TABLE airports",
    "SELECT name FROM airports;\n-- harmless\nDELETE FROM airports",
    "SELECT name FROM airports WHERE id = $1",
]


@pytest.mark.parametrize("query", REFUSED)
def test_hostile_statements_are_refused_with_the_reason(db: Path, query: str) -> None:
    before = digest(db)
    result = score(db, query, LONDON)
    assert result.score == 0.0 and result.is_score_valid, result
    assert result.metrics["safety"].success is False, result.reason
    assert result.reason.startswith("safety failed: refused: ")
    assert digest(db) == before
    assert not Path("/tmp/reward_kit_out.csv").exists()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT name FROM airports -- */ ; DROP TABLE airports",
        "SELECT name FROM airports /* ; DROP TABLE airports */",
        "SELECT 'x; DROP TABLE airports' AS name FROM airports",
        'SELECT "name" FROM "AIRPORTS"',
    ],
)
def test_comments_quotes_and_case_hide_nothing(db: Path, query: str) -> None:
    before = digest(db)
    result = score(db, query, LONDON)
    assert result.score == 0.0 and result.metrics["safety"].success, result.reason
    assert digest(db) == before
    with duckdb.connect(str(db), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM airports").fetchone() == (4,)


def test_an_exploding_cross_join_hits_the_row_cap_or_the_time_limit(db: Path) -> None:
    join = "airports a, airports b, routes c, routes d, airports e, routes f"
    capped = score(db, f"SELECT a.name FROM {join}", LONDON, max_rows=100)
    assert capped.score == 0.0 and "more than 100 rows" in capped.reason
    many = ", ".join(f"routes r{i}" for i in range(24))
    slow = score(db, f"SELECT count(*) FROM {many}", LONDON, timeout=1.0)
    assert slow.score == 0.0 and slow.is_score_valid
    assert slow.reason == "execution failed: timed out after 1s"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT count(*) FROM range(1000000000000) AS t(i), airports",
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) "
        "SELECT count(*) FROM t, airports",
    ],
)
def test_sleep_like_queries_are_stopped(db: Path, query: str) -> None:
    result = score(db, query, LONDON, timeout=1.0)
    assert result.score == 0.0 and result.is_score_valid
    assert result.metrics["execution"].success is False
    assert score(db, LONDON, LONDON).score == 1.0  # a fresh worker took over


def test_the_connection_itself_refuses_writes_and_files(db: Path) -> None:
    from reward_kit.rewards._sql import worker

    connection = worker._database(str(db)).connection
    for statement in [
        "CREATE TABLE t (a INT)",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SET enable_external_access = true",
        "ATTACH ':memory:' AS other",
    ]:
        with pytest.raises(duckdb.Error):
            connection.execute(statement)
    worker._open.pop(str(db)).connection.close()
