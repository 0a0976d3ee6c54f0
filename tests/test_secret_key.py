from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.app import create_app
from service.bootstrap import prepare_database
from service.config import PLACEHOLDER_SECRET, Environment, Settings, with_secret_key
from service.db import create_db_engine
from service.secret_key import SecretKeyFileError, default_key_file, load_or_create_key


def _unconfigured(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        env=Environment.development,
        database_url=f"sqlite:///{tmp_path / 'db' / 'repmail.sqlite3'}",
        secret_key=PLACEHOLDER_SECRET,
    )


def test_first_start_generates_a_strong_key_beside_the_database(tmp_path: Path) -> None:
    settings = with_secret_key(_unconfigured(tmp_path))
    key_file = tmp_path / "db" / "secret_key"
    assert settings.secret_key != PLACEHOLDER_SECRET
    assert len(settings.secret_key) >= 48
    assert key_file.read_text().strip() == settings.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings.secret_key_source == f"file {key_file}"


def test_later_starts_reuse_the_kept_key(tmp_path: Path) -> None:
    first = with_secret_key(_unconfigured(tmp_path)).secret_key
    second = with_secret_key(_unconfigured(tmp_path)).secret_key
    assert first == second


def test_a_configured_key_is_used_as_given_and_nothing_is_written(tmp_path: Path) -> None:
    settings = _unconfigured(tmp_path).model_copy(update={"secret_key": "k" * 40})
    resolved = with_secret_key(settings)
    assert resolved.secret_key == "k" * 40
    assert resolved.secret_key_source == "REPMAIL_SECRET_KEY"
    assert not (tmp_path / "db").exists()


def test_a_named_key_file_is_used_for_postgresql(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        database_url="postgresql+psycopg://app@db.internal/repmail",
        secret_key_file=tmp_path / "keys" / "repmail.key",
    )
    resolved = with_secret_key(settings)
    assert (tmp_path / "keys" / "repmail.key").read_text().strip() == resolved.secret_key
    assert default_key_file("postgresql+psycopg://app@db/x") == Path("var/secret_key")


def test_a_loosened_key_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    key = load_or_create_key(path)
    path.chmod(0o644)
    assert load_or_create_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_truncated_key_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.write_text("short\n")
    path.chmod(0o600)
    with pytest.raises(SecretKeyFileError, match="delete it"):
        load_or_create_key(path)


def test_production_still_refuses_the_placeholder(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="REPMAIL_SECRET_KEY"):
        Settings(_env_file=None, env=Environment.production)


def test_the_app_says_which_key_source_it_uses_never_the_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = with_secret_key(_unconfigured(tmp_path))
    engine = create_db_engine(settings)
    prepare_database(engine, settings)
    with (
        caplog.at_level(logging.INFO, logger="repmail.http"),
        TestClient(create_app(settings, engine=engine)),
    ):
        pass
    engine.dispose()
    records = [r for r in caplog.records if r.getMessage() == "secret key"]
    assert records and records[0].__dict__["source"].startswith("file ")
    assert all(settings.secret_key not in repr(r.__dict__) for r in caplog.records)
