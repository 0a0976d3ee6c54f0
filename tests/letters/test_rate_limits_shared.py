"""Rate limits live in the database: separate sessions (as separate processes would have)
share one count, and concurrent hits never let more than the limit through."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete

from service.letters.guards import Hit, TooManyRequests, count_hit
from service.letters.models import RateLimitCounter

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SECRET = "a-secret-key-that-is-long-enough-for-the-tests"


@pytest.fixture
def bucket(engine: Engine) -> Iterator[str]:
    name = f"test-{threading.get_ident() % 10_000}"
    yield name
    with Session(engine) as session:
        session.exec(delete(RateLimitCounter).where(col(RateLimitCounter.bucket) == name))
        session.commit()


def _hit(engine: Engine, bucket: str, limit: int) -> bool:
    with Session(engine) as session:
        try:
            hit = Hit(bucket, "198.51.100.7", limit, timedelta(hours=1), "slow down")
            count_hit(session, secret=SECRET, hit=hit, now=NOW)
        except TooManyRequests:
            session.rollback()
            return False
        session.commit()
        return True


def test_two_sessions_share_one_count(engine: Engine, bucket: str) -> None:
    results = [_hit(engine, bucket, limit=3) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_concurrent_hits_never_exceed_the_limit(engine: Engine, bucket: str) -> None:
    results: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        allowed = _hit(engine, bucket, limit=5)
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 3 + [True] * 5
