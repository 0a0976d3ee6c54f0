"""`repmail users ...` on a database of its own (the command line commits for real)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from service.accounts.models import Account, ApiToken, AuditEntry
from service.accounts.tokens import digest
from service.cli import app
from service.config import Environment, Settings, get_settings
from service.db import create_db_engine
from service.migrate import upgrade_database
from tests.conftest import DatabaseFactory


@pytest.fixture
def cli_database(databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = databases.create()
    engine = create_db_engine(Settings(env=Environment.test, database_url=url))
    upgrade_database(engine)
    engine.dispose()
    monkeypatch.setenv("REPMAIL_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_first_admin_token_list_and_disable(cli_database: str) -> None:
    runner = CliRunner()
    created = runner.invoke(
        app,
        ["users", "create", "Boss@Example.org", "--role", "admin", "--password-stdin"],
        input="correct horse battery staple\n",
    )
    assert created.exit_code == 0, created.output
    weak = runner.invoke(
        app,
        ["users", "create", "b@example.org", "--role", "staff", "--password-stdin"],
        input="password1234\n",
    )
    assert weak.exit_code == 1 and "too easy to guess" in weak.output
    token = runner.invoke(app, ["users", "token", "boss@example.org", "--name", "deploy"])
    assert token.exit_code == 0, token.output
    raw = token.stdout.strip().splitlines()[-1]
    assert raw.startswith("rmt_")
    listing = runner.invoke(app, ["users", "list"])
    assert "boss@example.org" in listing.stdout and "admin" in listing.stdout
    disabled = runner.invoke(app, ["users", "disable", "boss@example.org"])
    assert disabled.exit_code == 0
    assert runner.invoke(app, ["users", "disable", "nobody@example.org"]).exit_code == 1

    engine = create_db_engine(Settings(env=Environment.test, database_url=cli_database))
    with Session(engine) as session:
        account = session.exec(select(Account)).one()
        assert account.email == "boss@example.org" and account.disabled_at is not None
        assert account.password_hash and account.password_hash.startswith("$argon2id$")
        assert session.exec(select(ApiToken)).one().token_hash == digest(raw)
        actions = [e.action for e in session.exec(select(AuditEntry))]
        assert actions == ["account.created", "token.created", "account.disabled"]
    engine.dispose()
