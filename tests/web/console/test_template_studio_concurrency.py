"""Two organisers act on one template at the same moment (PostgreSQL, where several
processes share the database): two drafts get two numbers, and of two approvals of one draft
exactly one counts, with one audit entry."""

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
from service.campaigns import catalog
from service.campaigns.models import Campaign
from service.config import Settings
from service.errors import DomainError
from service.studio.models import TemplateVersion
from service.studio.service import DraftIn
from service.web import template_studio

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TARGET = "campaign:calais-border/template:confirm"
BODY = "Hello {{ supporter_name }}: {{ confirm_url }}"


@pytest.fixture
def clean(engine: Engine) -> Iterator[None]:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's; SQLite serialises them")
    yield
    with Session(engine) as session:
        session.exec(delete(AuditEntry).where(col(AuditEntry.target) == TARGET))
        session.exec(delete(TemplateVersion).where(col(TemplateVersion.name) == "confirm"))
        campaign = session.exec(select(Campaign).where(Campaign.slug == "calais-border")).one()
        campaign.updated_at = datetime.now(UTC)  # a new revision: no process keeps the version
        session.commit()
    catalog.forget_all()


def _actor(n: int) -> Actor:
    return Actor(id=f"organiser-{n}", email=f"o{n}@example.org", role=Role.organiser)


def _at_once(engine: Engine, act: Callable[[Session, int], str]) -> list[str]:
    results: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def run(n: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                result = act(session, n)
            except DomainError as exc:
                result = exc.code
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def test_two_drafts_and_two_approvals_at_once(
    engine: Engine, settings: Settings, clean: None
) -> None:
    def save(session: Session, n: int) -> str:
        draft = DraftIn("en", BODY, note=f"draft {n}")
        version = template_studio.save_draft(
            session, _actor(n), "calais-border", "confirm", draft, NOW
        )
        return str(version.number)

    assert _at_once(engine, save) == ["1", "2"]

    def approve(session: Session, n: int) -> str:
        approval = template_studio.approve(
            session, settings, _actor(n), "calais-border", "confirm", 2, "", NOW
        )
        return approval.version.status

    assert _at_once(engine, approve) == ["already_approved", "approved"]
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(
                AuditEntry.target == TARGET, AuditEntry.action == "template.approved"
            )
        ).all()
    assert len(entries) == 1
