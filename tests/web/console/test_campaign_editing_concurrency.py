"""Two organisers act on campaigns at the same moment (PostgreSQL, where several processes
share the database): two creating the same address get one campaign and one clear refusal;
two retiring the same demand retire it once, the second told it is already retired."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from service.accounts.audit import Actor
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.campaigns.models import Campaign, CampaignDemand, CampaignText
from service.errors import DomainError
from service.web import campaign_editing

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
SLUG = "race-campaign"


@pytest.fixture
def race(engine: Engine) -> Iterator[None]:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's; SQLite serialises them")
    yield
    with Session(engine) as session:
        ids = session.exec(select(Campaign.id).where(Campaign.slug == SLUG)).all()
        session.exec(delete(CampaignDemand).where(col(CampaignDemand.campaign_id).in_(ids)))
        session.exec(delete(CampaignText).where(col(CampaignText.campaign_id).in_(ids)))
        session.exec(delete(Campaign).where(col(Campaign.id).in_(ids)))
        session.exec(delete(AuditEntry).where(col(AuditEntry.target) == f"campaign:{SLUG}"))
        session.commit()


def _at_once(engine: Engine, act: Callable[[Session, Actor], object]) -> list[str]:
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def run(n: int) -> None:
        actor = Actor(id=f"organiser-{n}", email=f"o{n}@example.org", role=Role.organiser)
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                act(session, actor)
                result = "done"
            except DomainError as exc:
                result = f"{exc.status_code} {exc.message}"
            except Exception as exc:  # anything else would be a 500
                result = repr(exc)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_organisers_create_the_same_address(engine: Engine, race: None) -> None:
    outcomes = _at_once(
        engine,
        lambda session, actor: campaign_editing.create_campaign(
            session, actor, SLUG, NOW, copy_from="calais-border"
        ),
    )
    assert outcomes == ["409 Another campaign already has this address.", "done"]
    with Session(engine) as session:
        assert len(session.exec(select(Campaign).where(Campaign.slug == SLUG)).all()) == 1


def test_two_organisers_retire_the_same_demand(engine: Engine, race: None) -> None:
    with Session(engine) as session:
        actor = Actor(id="organiser-0", email="o0@example.org", role=Role.organiser)
        campaign_editing.create_campaign(session, actor, SLUG, NOW, copy_from="calais-border")
    outcomes = _at_once(
        engine,
        lambda session, actor: campaign_editing.retire_demand(session, actor, SLUG, 2, NOW),
    )
    assert outcomes == ["409 This demand is already retired.", "done"]
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.action == "campaign.demand_retired")
        ).all()
        assert [e.target for e in entries] == [f"campaign:{SLUG}"]
