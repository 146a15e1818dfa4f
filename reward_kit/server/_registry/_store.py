"""Where the registry keeps its evaluators and secrets: one SQLite file and a code folder.

Layout under the registry folder::

    registry.sqlite3                         evaluators, secrets, account API keys (hashed)
    code/<account>/<evaluator>/<revision>/   src/ (the evaluator's code), venv/ (if any)

Each deployment of an evaluator gets a new revision folder, so a worker that imported the
previous code never runs it again under the new deployment's name.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS evaluators (
    account TEXT NOT NULL,
    evaluator_id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (account, evaluator_id)
);
CREATE TABLE IF NOT EXISTS secrets (
    account TEXT NOT NULL,
    key_name TEXT NOT NULL,
    value TEXT NOT NULL,
    create_time TEXT NOT NULL,
    PRIMARY KEY (account, key_name)
);
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    create_time TEXT NOT NULL
);
"""


def now() -> str:
    """The current time as RFC 3339 in UTC, as Fireworks' API writes times."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class EvaluatorRecord:
    """One evaluator as stored; ``to_resource`` gives its Fireworks-shaped JSON."""

    account: str
    evaluator_id: str
    revision: str
    display_name: str = ""
    description: str = ""
    state: str = "BUILDING"
    status_code: str = "OK"
    status_message: str = ""
    requirements: str = ""
    entry_point: str = ""
    criteria: list[dict[str, Any]] = field(default_factory=list)
    entries: dict[str, str] = field(default_factory=dict)
    """Reward name -> reference relative to the code folder (``main.py:evaluate``)."""
    site_packages: str | None = None
    network: bool = True
    """Whether the evaluator's workers may reach the network."""
    create_time: str = field(default_factory=now)
    update_time: str = field(default_factory=now)

    @property
    def name(self) -> str:
        """The resource name: ``accounts/<account>/evaluators/<id>``."""
        return f"accounts/{self.account}/evaluators/{self.evaluator_id}"

    def to_resource(self) -> dict[str, Any]:
        """The evaluator as Fireworks' evaluator API returns it."""
        return {
            "name": self.name,
            "displayName": self.display_name,
            "description": self.description,
            "createTime": self.create_time,
            "updateTime": self.update_time,
            "state": self.state,
            "criteria": self.criteria,
            "requirements": self.requirements,
            "entryPoint": self.entry_point,
            "status": {"code": self.status_code, "message": self.status_message},
        }


class RegistryStore:
    """Thread-safe access to the registry's SQLite file and code folders."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        database = self.root / "registry.sqlite3"
        self._lock = threading.Lock()
        self._db = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        os.chmod(database, 0o600)  # it holds secrets
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def code_dir(self, account: str, evaluator_id: str, revision: str) -> Path:
        """The folder of one revision of an evaluator (``src/`` and ``venv/`` inside)."""
        return self.root / "code" / account / evaluator_id / revision

    def get(self, account: str, evaluator_id: str) -> EvaluatorRecord | None:
        """The evaluator, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT record FROM evaluators WHERE account = ? AND evaluator_id = ?",
                (account, evaluator_id),
            ).fetchone()
        return EvaluatorRecord(**json.loads(row[0])) if row else None

    def page(self, account: str, offset: int, limit: int) -> tuple[list[EvaluatorRecord], int]:
        """A page of the account's evaluators by id, and how many there are in all."""
        with self._lock:
            rows = self._db.execute(
                "SELECT record FROM evaluators WHERE account = ? ORDER BY evaluator_id "
                "LIMIT ? OFFSET ?",
                (account, limit, offset),
            ).fetchall()
            (total,) = self._db.execute(
                "SELECT COUNT(*) FROM evaluators WHERE account = ?", (account,)
            ).fetchone()
        return [EvaluatorRecord(**json.loads(row[0])) for row in rows], int(total)

    def all_records(self) -> list[EvaluatorRecord]:
        """Every evaluator of every account."""
        with self._lock:
            rows = self._db.execute("SELECT record FROM evaluators").fetchall()
        return [EvaluatorRecord(**json.loads(row[0])) for row in rows]

    def insert(self, record: EvaluatorRecord) -> bool:
        """Add a new evaluator; False when one with that id exists already."""
        try:
            with self._lock:
                self._db.execute(
                    "INSERT INTO evaluators (account, evaluator_id, record) VALUES (?, ?, ?)",
                    (record.account, record.evaluator_id, json.dumps(asdict(record))),
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def save(self, record: EvaluatorRecord) -> bool:
        """Store changes to an evaluator (its state, entries...) if its revision is still the
        stored one; False when it was deleted or replaced meanwhile (a build that finished late
        must not overwrite its successor)."""
        record.update_time = now()
        with self._lock:
            cursor = self._db.execute(
                "UPDATE evaluators SET record = ? WHERE account = ? AND evaluator_id = ? "
                "AND json_extract(record, '$.revision') = ?",
                (json.dumps(asdict(record)), record.account, record.evaluator_id, record.revision),
            )
        return cursor.rowcount > 0

    def delete(self, account: str, evaluator_id: str) -> bool:
        """Remove an evaluator and its revision's code; False when there was none.

        Only the deleted revision's folder goes: a revision created meanwhile keeps its own.
        """
        with self._lock:
            row = self._db.execute(
                "DELETE FROM evaluators WHERE account = ? AND evaluator_id = ? RETURNING record",
                (account, evaluator_id),
            ).fetchone()
        if row is None:
            return False
        folder = self.code_dir(account, evaluator_id, json.loads(row[0])["revision"])
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):  # kept while a newer revision has files there
            folder.parent.rmdir()
        return True

    def put_secret(self, account: str, key_name: str, value: str) -> None:
        """Create or replace a secret."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO secrets (account, key_name, value, create_time) "
                "VALUES (?, ?, ?, ?)",
                (account, key_name, value, now()),
            )

    def secret_names(self, account: str) -> list[str]:
        """Names of the account's secrets (never their values)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key_name FROM secrets WHERE account = ? ORDER BY key_name", (account,)
            ).fetchall()
        return [row[0] for row in rows]

    def secret_values(self, account: str) -> dict[str, str]:
        """The account's secrets as environment variables for its evaluators."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key_name, value FROM secrets WHERE account = ?", (account,)
            ).fetchall()
        return {name: value for name, value in rows}

    def delete_secret(self, account: str, key_name: str) -> bool:
        """Remove a secret; False when there was none."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM secrets WHERE account = ? AND key_name = ?", (account, key_name)
            )
        return cursor.rowcount > 0

    def add_api_key(self, key_id: str, account: str, key_hash: str) -> None:
        """Store a new account key (its hash only)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO api_keys (key_id, account, key_hash, create_time) VALUES (?, ?, ?, ?)",
                (key_id, account, key_hash, now()),
            )

    def api_keys(self, account: str | None = None) -> list[tuple[str, str, str]]:
        """``(key id, account, create time)`` of every key, or of ``account``'s."""
        query = "SELECT key_id, account, create_time FROM api_keys"
        with self._lock:
            if account is None:
                rows = self._db.execute(query + " ORDER BY account, create_time").fetchall()
            else:
                rows = self._db.execute(
                    query + " WHERE account = ? ORDER BY create_time", (account,)
                ).fetchall()
        return [(str(a), str(b), str(c)) for a, b, c in rows]

    def revoke_api_key(self, key_id: str) -> bool:
        """Delete a key; False when there was none with that id."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM api_keys WHERE key_id = ?", (key_id,))
        return cursor.rowcount > 0

    def api_key_account(self, key_hash: str) -> str | None:
        """The account of the key with this hash, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT account FROM api_keys WHERE key_hash = ?", (key_hash,)
            ).fetchone()
        return str(row[0]) if row else None

    def has_api_keys(self) -> bool:
        """Whether any account key exists."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM api_keys LIMIT 1").fetchone() is not None

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
