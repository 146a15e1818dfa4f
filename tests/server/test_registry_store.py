"""The registry's SQLite store and what a restarted registry finds in it."""

from __future__ import annotations

import stat
from pathlib import Path

from reward_kit.server import ServerSettings
from reward_kit.server._registry._service import RegistryService
from reward_kit.server._registry._store import EvaluatorRecord, RegistryStore


def test_records_and_secrets_survive_reopening(tmp_path: Path) -> None:
    store = RegistryStore(tmp_path)
    record = EvaluatorRecord("acme", "exact", "rev1", display_name="Exact", entries={"e": "x"})
    assert store.insert(record)
    assert not store.insert(record)  # ids are unique per account
    store.put_secret("acme", "TOKEN", "v1")
    store.put_secret("acme", "TOKEN", "v2")
    store.close()
    database = tmp_path / "registry.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600  # it holds secrets

    reopened = RegistryStore(tmp_path)
    found = reopened.get("acme", "exact")
    assert found is not None and found.display_name == "Exact"
    assert found.to_resource()["name"] == "accounts/acme/evaluators/exact"
    assert reopened.get("other", "exact") is None
    assert reopened.secret_names("acme") == ["TOKEN"]
    assert reopened.secret_values("acme") == {"TOKEN": "v2"}
    assert reopened.page("acme", 0, 10)[1] == 1
    assert reopened.delete("acme", "exact") and not reopened.delete("acme", "exact")
    reopened.close()


def test_a_build_cut_short_by_a_restart_is_reported_failed(tmp_path: Path) -> None:
    store = RegistryStore(tmp_path)
    store.insert(EvaluatorRecord("acme", "building", "r", entries={"e": "src/main.py:evaluate"}))
    store.insert(EvaluatorRecord("acme", "awaiting-upload", "r"))
    store.close()
    service = RegistryService(tmp_path, ServerSettings())
    interrupted = service.store.get("acme", "building")
    assert interrupted is not None and interrupted.state == "BUILD_FAILED"
    assert "stopped while building" in interrupted.status_message
    waiting = service.store.get("acme", "awaiting-upload")
    assert waiting is not None and waiting.state == "BUILDING"
    service.store.close()
