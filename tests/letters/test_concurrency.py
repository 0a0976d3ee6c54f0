"""Letters submitted at the same moment. Two processes submitting the same letter: both are
stored (a submission never says whether its address wrote before), and when both are then
confirmed at the same moment exactly one becomes the writer's letter (PostgreSQL, where
several processes share the database). Many supporters at once, on either database: every
letter is stored."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from service.config import Settings
from service.delivery.models import OutboxEvent, OutboxMessage
from service.letters.models import Letter, LetterEvent, RateLimitCounter
from service.letters.schemas import LetterIn
from service.letters.service import confirm_letter, submit_letter
from service.stats.rebuild import rebuild
from tests.letters.conftest import (
    FR_REP,
    UK_REP,
    confirm_token_in,
    delete_committed_letters,
    personal_paragraph,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
EMAIL = "race@example.org"


@pytest.fixture
def postgres_only(engine: Engine) -> Iterator[None]:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's; SQLite serialises them")
    yield
    # Hourly and daily windows of the hits above (the day starts at midnight).
    delete_committed_letters(
        engine, col(Letter.email_key) == EMAIL, counters_since=NOW.replace(hour=0)
    )


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

    def run(action: Callable[[Session], str]) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                outcome = action(session)
            except Exception as exc:  # anything else would be a 500
                outcome = repr(exc)
        with lock:
            outcomes.append(outcome)

    def both_at_once(actions: list[Callable[[Session], str]]) -> list[str]:
        outcomes.clear()
        threads = [threading.Thread(target=run, args=(action,)) for action in actions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(outcomes)

    def submit(ip: str) -> Callable[[Session], str]:
        def action(session: Session) -> str:
            return submit_letter(session, settings, data, client_ip=ip, now=NOW).id

        return action

    ids = both_at_once([submit("203.0.113.1"), submit("203.0.113.2")])
    assert all(len(letter_id) == 32 for letter_id in ids), ids  # both stored

    with Session(engine) as session:
        mails = session.exec(select(OutboxMessage).where(col(OutboxMessage.letter_id).in_(ids)))
        tokens = [confirm_token_in(mail) for mail in mails]
    assert len(tokens) == 2  # both were first: each got its confirmation

    def confirm(token: str) -> Callable[[Session], str]:
        def action(session: Session) -> str:
            return str(confirm_letter(session, settings, token, now=NOW).id)

        return action

    shown = both_at_once([confirm(token) for token in tokens])
    with Session(engine) as session:
        statuses = sorted(str(session.get(Letter, i).status) for i in ids)  # type: ignore[union-attr]
    assert statuses == ["queued", "rejected"]
    # Both clicks show the one letter that counts.
    assert len(set(shown)) == 1 and shown[0] in ids


CROWD = "@crowd.example"


@pytest.fixture
def crowd(engine: Engine) -> Iterator[None]:
    yield
    with Session(engine) as session:
        ids = list(
            session.exec(select(Letter.id).where(col(Letter.email_key).endswith(CROWD))).all()
        )
        outbox = col(OutboxMessage.letter_id).in_(ids)
        outbox_ids = list(session.exec(select(OutboxMessage.id).where(outbox)).all())
        session.exec(delete(OutboxEvent).where(col(OutboxEvent.outbox_id).in_(outbox_ids)))
        session.exec(delete(OutboxMessage).where(outbox))
        session.exec(delete(LetterEvent).where(col(LetterEvent.letter_id).in_(ids)))
        session.exec(delete(Letter).where(col(Letter.id).in_(ids)))
        since = NOW.replace(hour=0)
        session.exec(delete(RateLimitCounter).where(col(RateLimitCounter.window_start) >= since))
        rebuild(session)  # deleted around the application: the counters follow
        session.commit()


def test_many_supporters_writing_at_once_are_all_stored(
    engine: Engine, settings: Settings, crowd: None
) -> None:
    """On SQLite a use case that read before another one committed could not write any more
    ("database is locked" at once, whatever busy_timeout says): a 500 for the supporter."""
    writers, each = 8, 3
    failures: list[str] = []
    stored: list[str] = []
    start = threading.Barrier(writers)

    def write(n: int) -> None:
        start.wait()
        for k in range(each):
            number = 100 + n * each + k
            data = LetterIn(
                campaign="calais-border",
                representative_id=(UK_REP, FR_REP)[number % 2],
                name=f"Supporter {number}",
                email=f"supporter{number}{CROWD}",
                postcode="B34 7AA",
                demands=[1, 2],
                message=personal_paragraph(number),
                consent=True,
            )
            with Session(engine, expire_on_commit=False) as session:
                try:
                    result = submit_letter(
                        session, settings, data, client_ip=f"198.51.100.{n}", now=NOW
                    )
                    stored.append(result.id)
                except Exception as exc:  # anything here would be a 500
                    failures.append(repr(exc)[:200])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(set(stored)) == writers * each
