"""`repmail worker --once`, `repmail delivery pause|resume|status`, `repmail send-test`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from service.cli import app
from service.clock import SystemClock
from service.config import get_settings
from service.delivery import switches
from service.delivery.models import OutboxMessage, transition
from service.delivery.states import OutboxState
from tests.delivery.support import queue_emails, row

runner = CliRunner()


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, outbox_db_url: str, db: Engine, tmp_path: Path
) -> Iterator[Path]:
    monkeypatch.setenv("REPMAIL_ENV", "test")
    monkeypatch.setenv("REPMAIL_DATABASE_URL", outbox_db_url)
    monkeypatch.setenv("REPMAIL_EMAIL_BACKEND", "file")
    monkeypatch.setenv("REPMAIL_OUTBOX_DIR", str(tmp_path))
    monkeypatch.setenv("REPMAIL_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_pause_status_resume(env: Path, db: Engine) -> None:
    queue_emails(db, SystemClock(), 2)  # type: ignore[arg-type]
    result = runner.invoke(app, ["delivery", "pause", "--reason", "complaint from an office"])
    assert result.exit_code == 0, result.output
    with Session(db) as session:
        assert switches.pause_state(session).reason == "complaint from an office"
    status = runner.invoke(app, ["delivery", "status"])
    assert "PAUSED" in status.output and "queued\t2" in status.output
    assert runner.invoke(app, ["delivery", "resume"]).exit_code == 0
    with Session(db) as session:
        assert switches.pause_state(session).paused is False


def test_worker_once_drains_what_is_due(env: Path, db: Engine) -> None:
    ids = queue_emails(db, SystemClock(), 3)  # type: ignore[arg-type]
    result = runner.invoke(app, ["worker", "--once", "--concurrency", "2"])
    assert result.exit_code == 0, result.output
    assert "sent 3" in result.output
    assert {row(db, i).state for i in ids} == {OutboxState.sent}
    assert sorted(p.name for p in env.iterdir()) == sorted(f"{i}.eml" for i in ids)


def test_send_test_goes_straight_through_the_backend(env: Path) -> None:
    result = runner.invoke(app, ["send-test", "me@example.org", "--from", "ops@campaign.example"])
    assert result.exit_code == 0, result.output
    [eml] = env.iterdir()
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert message["To"] == "me@example.org"
    assert message["From"].addresses[0].addr_spec == "ops@campaign.example"


def test_send_test_reports_a_refusal(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPMAIL_EMAIL_BACKEND", "smtp")
    monkeypatch.setenv("REPMAIL_SMTP_URL", "smtp://127.0.0.1:1?starttls=false")
    monkeypatch.setenv("REPMAIL_DELIVERY__SEND_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    result = runner.invoke(app, ["send-test", "me@example.org"])
    assert result.exit_code == 1
    assert "Not sent" in result.output


def test_status_lists_the_latest_failures_with_their_reason(env: Path, db: Engine) -> None:
    [outbox_id] = queue_emails(db, SystemClock(), 1)  # type: ignore[arg-type]
    with Session(db) as session:
        message = session.get(OutboxMessage, outbox_id)
        assert message is not None
        now = datetime.now(UTC)
        transition(session, message, OutboxState.sending, now=now, actor="test")
        transition(session, message, OutboxState.failed, now=now, actor="test")
        message.last_error = "403 sender not verified"
        session.add(message)
        session.commit()
    status = runner.invoke(app, ["delivery", "status"])
    assert status.exit_code == 0, status.output
    assert "latest failures (1):" in status.output
    assert outbox_id in status.output and "403 sender not verified" in status.output
