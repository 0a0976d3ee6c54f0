"""campaigns.listing: which campaigns take letters now, in which order and language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from service.campaigns.listing import open_campaigns
from service.campaigns.models import Campaign
from service.campaigns.seed import SLUG, seed_campaigns
from service.config import Settings
from tests.campaigns.factory import RESCUE_SLUG, RESCUE_TITLES, add_rescue_campaign

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _slugs(session: Session, now: datetime = NOW, lang: str = "en") -> list[str]:
    return [view.slug for view in open_campaigns(session, lang, now)]


def test_open_campaigns_come_nearest_deadline_first(session: Session, settings: Settings) -> None:
    seed_campaigns(session, settings, NOW)
    add_rescue_campaign(session, NOW)
    assert _slugs(session) == [SLUG, RESCUE_SLUG]
    french = open_campaigns(session, "fr", NOW)
    assert french[1].title == RESCUE_TITLES["fr"] and french[1].lang == "fr"


def test_a_closed_campaign_is_left_out(session: Session, settings: Settings) -> None:
    seed_campaigns(session, settings, NOW)
    add_rescue_campaign(session, NOW)
    after_calais_closed = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
    assert _slugs(session, after_calais_closed) == [RESCUE_SLUG]
    assert _slugs(session, datetime(2027, 4, 1, tzinfo=UTC)) == []


def test_a_campaign_without_texts_is_left_out(session: Session, settings: Settings) -> None:
    seed_campaigns(session, settings, NOW)
    session.add(
        Campaign(
            slug="not-written-yet",
            sender_name="Someone",
            sender_email="someone@example.org",
            deadline=NOW + timedelta(days=3),
            closes_at=NOW + timedelta(days=2),
            created_at=NOW,
            updated_at=NOW,
        )
    )
    session.flush()
    assert _slugs(session) == [SLUG]
