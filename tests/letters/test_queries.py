"""Reads the letter use cases share: a campaign's texts, demands and templates are read once
per revision of the campaign, however many letters render them; the next use case sees an
edit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.campaigns import catalog
from service.campaigns.models import Campaign, CampaignDemand
from service.campaigns.service import CampaignClosed
from service.clock import FakeClock
from service.config import Settings
from service.letters.schemas import LetterIn
from service.letters.service import submit_letter
from tests.letters.conftest import outbox_for

CAMPAIGN_TABLES = ("campaign_text", "campaign_demand", "campaign_template")


@contextmanager
def selects_from(engine: Engine) -> Iterator[Counter[str]]:
    """How many SELECTs read each campaign table while the block runs."""
    seen: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        head = statement.split(" WHERE ", 1)[0]
        for table in CAMPAIGN_TABLES:
            if statement.startswith("SELECT") and f"FROM {table}" in head:
                seen[table] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_letters_read_their_campaign_once_per_revision(
    engine: Engine,
    session: Session,
    settings: Settings,
    letter_in: Callable[..., LetterIn],
    clock: FakeClock,
) -> None:
    catalog.forget_all()
    # The letter is rendered twice (its own check, then inside the confirmation email).
    with selects_from(engine) as seen:
        result = submit_letter(session, settings, letter_in(), client_ip=None, now=clock.now())
    assert dict(seen) == dict.fromkeys(CAMPAIGN_TABLES, 1)
    [email] = outbox_for(session, result.id)
    assert "/confirm/" in email.text_body
    another = letter_in(email="another@example.org")
    with selects_from(engine) as seen:
        submit_letter(session, settings, another, client_ip=None, now=clock.now())
    assert dict(seen) == {}


def test_an_edit_moves_the_campaigns_revision(session: Session) -> None:
    campaign = session.exec(select(Campaign).where(Campaign.slug == "calais-border")).one()
    before = campaign.updated_at
    demand = session.exec(select(CampaignDemand).where(CampaignDemand.number == 2)).first()
    assert demand is not None
    demand.body = "A body the organisers rewrote."
    session.add(demand)
    session.flush()
    assert campaign.updated_at > before
    moved = campaign.updated_at
    campaign.goal += 1
    session.add(campaign)
    session.flush()
    assert campaign.updated_at > moved


def test_the_next_use_case_sees_an_edited_campaign(
    session: Session,
    settings: Settings,
    letter_in: Callable[..., LetterIn],
    clock: FakeClock,
) -> None:
    first = submit_letter(
        session, settings, letter_in(demands=[1]), client_ip=None, now=clock.now()
    )
    demand = session.exec(
        select(CampaignDemand).where(CampaignDemand.number == 1, CampaignDemand.lang == "en")
    ).one()
    old_title = demand.title
    demand.title = "A title the organisers just changed"
    session.add(demand)
    session.flush()
    second = submit_letter(
        session, settings, letter_in(demands=[1]), client_ip=None, now=clock.now()
    )
    [before] = outbox_for(session, first.id)
    [after] = outbox_for(session, second.id)
    assert old_title in before.text_body
    assert "A title the organisers just changed" in after.text_body


def test_the_next_use_case_sees_a_campaign_closed_by_an_edit(
    session: Session,
    settings: Settings,
    letter_in: Callable[..., LetterIn],
    clock: FakeClock,
) -> None:
    # The campaign row is kept per revision too: closing it must reach the next submission.
    submit_letter(session, settings, letter_in(), client_ip=None, now=clock.now())
    campaign = session.exec(select(Campaign).where(Campaign.slug == "calais-border")).one()
    campaign.closes_at = clock.now() - timedelta(minutes=1)
    session.add(campaign)
    session.flush()
    with pytest.raises(CampaignClosed):
        submit_letter(
            session,
            settings,
            letter_in(email="late@example.org"),
            client_ip=None,
            now=clock.now(),
        )
