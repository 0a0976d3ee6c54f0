"""Two processes submitting the same letter at once: one is stored, the other is told it is
a duplicate; nothing fails (PostgreSQL, where several processes share the database)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from service.config import Settings
from service.delivery.models import OutboxEvent, OutboxMessage
from service.letters.models import Letter, LetterEvent, RateLimitCounter
from service.letters.schemas import LetterIn
from service.letters.service import DuplicateLetter, submit_letter
from tests.letters.conftest import UK_REP

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
EMAIL = "race@example.org"


@pytest.fixture
def postgres_only(engine: Engine) -> Iterator[None]:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's; SQLite serialises them")
    yield
    with Session(engine) as session:
        ids = list(session.exec(select(Letter.id).where(Letter.email_key == EMAIL)).all())
        outbox = list(
            session.exec(
                select(OutboxMessage.id).where(col(OutboxMessage.letter_id).in_(ids))
            ).all()
        )
        session.exec(delete(OutboxEvent).where(col(OutboxEvent.outbox_id).in_(outbox)))
        session.exec(delete(OutboxMessage).where(col(OutboxMessage.id).in_(outbox)))
        session.exec(delete(LetterEvent).where(col(LetterEvent.letter_id).in_(ids)))
        session.exec(delete(Letter).where(col(Letter.id).in_(ids)))
        # Hourly and daily windows of the hits above (the day starts at midnight).
        since = NOW.replace(hour=0)
        session.exec(delete(RateLimitCounter).where(col(RateLimitCounter.window_start) >= since))
        session.commit()


def test_the_same_letter_submitted_twice_at_once(
    engine: Engine, settings: Settings, postgres_only: None
) -> None:
    data = LetterIn(
        campaign="calais-border",
        representative_id=UK_REP,
        name="Race Condition",
        email=EMAIL,
        postcode="B34 7AA",
        address="1 Fast Lane",
        demands=[1],
        message="Both of my clicks arrived at the same moment, and that is fine.",
        consent=True,
    )
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def submit(ip: str) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                submit_letter(session, settings, data, client_ip=ip, now=NOW)
                outcome = "stored"
            except DuplicateLetter:
                outcome = "duplicate"
            except Exception as exc:  # anything else would be a 500
                outcome = repr(exc)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=submit, args=(f"203.0.113.{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["duplicate", "stored"]
