"""Where deploy finds its key, account and base URL; the key never shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from reward_kit.deploy import CredentialsError, load_credentials


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FIREWORKS_API_KEY", "FIREWORKS_ACCOUNT_ID", "FIREWORKS_API_BASE"):
        monkeypatch.delenv(name, raising=False)


def test_environment_wins_over_auth_ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ini = tmp_path / "auth.ini"
    ini.write_text("api_key = from-file\naccount_id = file-account\n")
    monkeypatch.setenv("FIREWORKS_API_KEY", "from-env")
    monkeypatch.setenv("FIREWORKS_API_BASE", "http://127.0.0.1:8000/")
    credentials = load_credentials(auth_file=ini)
    assert credentials.api_key == "from-env"
    assert credentials.account_id == "file-account"
    assert credentials.api_base == "http://127.0.0.1:8000"
    assert "from-env" not in repr(credentials) and "from-env" not in str(credentials)


def test_auth_ini_with_a_section(tmp_path: Path) -> None:
    ini = tmp_path / "auth.ini"
    ini.write_text("[default]\napi_key = k\naccount_id = acct\n")
    credentials = load_credentials(auth_file=ini)
    assert (credentials.api_key, credentials.account_id) == ("k", "acct")
    assert credentials.api_base == "https://api.fireworks.ai"


def test_missing_credentials_say_where_to_put_them(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="FIREWORKS_API_KEY"):
        load_credentials(auth_file=tmp_path / "none.ini")
    with pytest.raises(CredentialsError, match="FIREWORKS_ACCOUNT_ID"):
        load_credentials(api_key="k", auth_file=tmp_path / "none.ini")
    with pytest.raises(CredentialsError, match="http"):
        load_credentials(api_key="k", account_id="a", api_base="ftp://x")
