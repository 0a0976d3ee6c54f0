from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.config import EmailBackendName, Environment, Settings


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="REPMAIL_SECRET_KEY"):
        Settings(env=Environment.production)


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(env=Environment.production, secret_key="short")


def test_production_accepts_a_real_secret() -> None:
    settings = Settings(env=Environment.production, secret_key="x" * 40)
    assert settings.env is Environment.production


def test_development_runs_with_the_placeholder() -> None:
    assert Settings(env=Environment.development).secret_key


def test_reads_stable_variable_names_and_nested_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPMAIL_DATABASE_URL", "sqlite:///./var/other.sqlite3")
    monkeypatch.setenv("REPMAIL_SENDGRID_API_KEY", "SG.test")
    monkeypatch.setenv("REPMAIL_LOOKUP__POSTCODES_IO_URL", "http://127.0.0.1:9/")
    settings = Settings()
    assert settings.database_url == "sqlite:///./var/other.sqlite3"
    assert settings.lookup.postcodes_io_url == "http://127.0.0.1:9/"
    # An API key alone switches the default backend to SendGrid.
    assert settings.effective_email_backend is EmailBackendName.sendgrid


def test_file_backend_is_the_embedded_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPMAIL_SENDGRID_API_KEY", raising=False)
    monkeypatch.delenv("REPMAIL_EMAIL_BACKEND", raising=False)
    assert Settings(_env_file=None).effective_email_backend is EmailBackendName.file
