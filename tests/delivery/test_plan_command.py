"""`repmail delivery plan [--campaign SLUG] [--apply]` (the projection itself is tested with
real letters in tests/letters/test_plan.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from service.campaigns.models import Campaign
from service.cli import app
from service.config import get_settings

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, outbox_db_url: str, db: Engine) -> Iterator[None]:
    monkeypatch.setenv("REPMAIL_ENV", "test")
    monkeypatch.setenv("REPMAIL_DATABASE_URL", outbox_db_url)
    monkeypatch.setenv("REPMAIL_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("REPMAIL_DELIVERY__DAILY_CEILING_PER_REPRESENTATIVE", "80")
    get_settings.cache_clear()
    now = datetime(2026, 11, 27, tzinfo=UTC)
    with Session(db) as session, session.begin():
        session.add(
            Campaign(
                slug="summit",
                sender_name="Summit",
                sender_email="letters@campaign.example",
                deadline=datetime(2026, 12, 18, 8, 0, tzinfo=UTC),
                closes_at=datetime(2026, 12, 14, 22, 59, tzinfo=UTC),
                letters_per_hour=12,
                office_hours_only=True,
                created_at=now,
                updated_at=now,
            )
        )
    yield
    with Session(db) as session, session.begin():
        session.execute(delete(Campaign).where(Campaign.slug == "summit"))  # type: ignore[arg-type]
    get_settings.cache_clear()


def test_plan_prints_each_campaign(env: None) -> None:
    result = runner.invoke(app, ["delivery", "plan"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "summit: deadline 2026-12-18 09:00 Europe/Paris (2026-12-18 08:00 UTC); "
        "every letter planned before 2026-12-18 07:30 UTC",
        "  settings: 12 letters/h per representative, office hours 09:00-18:00 Mon-Fri "
        "(chamber time); ceiling 80 per representative per 24 h",
        "  queued: none",
    ]


def test_plan_apply_and_an_unknown_campaign(env: None) -> None:
    assert (
        runner.invoke(app, ["delivery", "plan", "--campaign", "summit", "--apply"]).exit_code == 0
    )
    unknown = runner.invoke(app, ["delivery", "plan", "--campaign", "nope"])
    assert unknown.exit_code == 1 and "No campaign 'nope'" in unknown.output
