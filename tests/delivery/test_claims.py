"""Concurrent claimers never take the same row: FOR UPDATE SKIP LOCKED on PostgreSQL, the
single write lock on SQLite. Each claimer has its own connection and really commits."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.clock import FakeClock
from service.delivery import queue
from tests.delivery.support import queue_emails


def test_concurrent_claimers_never_share_a_row(db: Engine, clock: FakeClock) -> None:
    ids = queue_emails(db, clock, 120)
    start = threading.Barrier(6)

    def claimer(name: str) -> list[str]:
        mine: list[str] = []
        start.wait()
        while True:
            with Session(db) as session, session.begin():
                jobs = queue.claim(
                    session, worker_id=name, limit=4, now=clock.now(), lease_seconds=60
                )
            if not jobs:
                return mine
            mine.extend(job.outbox_id for job in jobs)
            time.sleep(0.002)  # "sending": lets the other claimers have their turn

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(claimer, [f"claimer-{n}" for n in range(6)]))
    claimed = Counter(outbox_id for result in results for outbox_id in result)
    assert set(claimed) == set(ids)
    assert max(claimed.values()) == 1
    assert sum(1 for result in results if result) > 1  # the work was actually shared


def test_skip_locked_does_not_wait_for_another_claim(db: Engine, clock: FakeClock) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises writers instead")
    queue_emails(db, clock, 6)
    with Session(db) as first:
        held = queue.claim(first, worker_id="first", limit=3, now=clock.now(), lease_seconds=60)
        # `first` has not committed: its rows are locked. A second claimer skips them.
        started = time.monotonic()
        with Session(db) as second, second.begin():
            other = queue.claim(
                second, worker_id="second", limit=6, now=clock.now(), lease_seconds=60
            )
        assert time.monotonic() - started < 2
        first.commit()
    assert len(held) == 3 and len(other) == 3
    assert not {job.outbox_id for job in held} & {job.outbox_id for job in other}
