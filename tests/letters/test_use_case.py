"""db.use_case, as the letter use cases run it: a use case is a transaction of its own, even
when the page that calls it has read from the same session first. On SQLite such a read
opens a snapshot, and a write from that snapshot fails at once ("database is locked") if
anything else committed in between: the delivery worker sending mail, another supporter's
letter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from service.config import Settings
from service.db import use_case
from service.letters.drafting import write_target
from service.letters.guards import Hit, count_hit
from service.letters.models import RateLimitCounter
from service.letters.paragraph import check_similarity
from service.letters.schemas import SimilarityIn
from tests.letters.conftest import UK_REP, personal_paragraph

# An hour no other test counts in, so its committed counters can be removed afterwards.
NOW = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


@pytest.fixture
def committed_counters(engine: Engine) -> Iterator[None]:
    yield
    with Session(engine) as session:
        session.exec(
            delete(RateLimitCounter).where(
                col(RateLimitCounter.window_start) >= NOW.replace(minute=0),
                col(RateLimitCounter.window_start) < NOW + timedelta(hours=1),
            )
        )
        session.commit()


def _commit_elsewhere(engine: Engine) -> None:
    """Another writer of the same database commits (here: a rate-limit hit of its own)."""
    with Session(engine) as other:
        hit = Hit("test-elsewhere", "192.0.2.44", 100, timedelta(hours=1), "slow down")
        count_hit(other, secret="another-secret-long-enough-for-tests", hit=hit, now=NOW)
        other.commit()


def test_a_use_case_after_the_pages_reads_survives_a_commit_in_between(
    engine: Engine, settings: Settings, committed_counters: None
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        target = write_target(session, UK_REP)  # the compose page's read
        _commit_elsewhere(engine)
        report = check_similarity(
            session,
            settings,
            SimilarityIn(representative_id=UK_REP, message=personal_paragraph(901)),
            client_ip="192.0.2.45",
            now=NOW,
        )
    assert target.representative.id == UK_REP
    assert report.similar_letters == 0


def _counters(engine: Engine, bucket: str) -> list[RateLimitCounter]:
    with Session(engine) as session:
        return list(
            session.exec(select(RateLimitCounter).where(RateLimitCounter.bucket == bucket)).all()
        )


def test_a_nested_use_case_stays_in_its_callers_transaction(
    engine: Engine, committed_counters: None
) -> None:
    with Session(engine, expire_on_commit=False) as session, use_case(session):
        hit = Hit("test-outer", "192.0.2.46", 100, timedelta(hours=1), "slow down")
        count_hit(session, secret="a-secret-long-enough-for-the-tests", hit=hit, now=NOW)
        with use_case(session):  # as a confirmation books its delivery slot
            pass
        session.rollback()  # the outer use case is refused after all
    assert _counters(engine, "test-outer") == []


def test_what_the_caller_has_not_yet_written_is_not_committed_early(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        write_target(session, UK_REP)
        session.add(
            RateLimitCounter(bucket="test-pending", key_hash="k", window_start=NOW, count=1)
        )
        with use_case(session):
            pass
        session.rollback()
    assert _counters(engine, "test-pending") == []
