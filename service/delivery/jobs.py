"""Periodic jobs run by the workers. Which jobs is the application's choice, wired at start-up
(service.letters.hooks: reminders, purge, missed deadlines, overdue letters re-slotted);
delivery only runs them.

Every worker asks every `interval`; a lease row (periodic_run) lets one of them at a time
run the jobs, and at most once per interval whatever the number of workers, on PostgreSQL
as on SQLite. A worker that dies while holding the lease loses it after LEASE."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from service.clock import Clock
from service.db import lock_for_write
from service.delivery.models import PeriodicRun

log = logging.getLogger("repmail.delivery.jobs")
LEASE = timedelta(minutes=10)
NAME = "periodic"

# One job: one transaction of its own (it commits), given the time.
Job = Callable[[Session, datetime], object]


@dataclass(frozen=True, slots=True)
class Periodic:
    jobs: Sequence[tuple[str, Job]]
    interval_seconds: float

    def run(self, engine: Engine, *, owner: str, clock: Clock) -> dict[str, object] | None:
        """Run every job if this worker gets the lease; None if another has it or the jobs
        ran less than an interval ago. A failing job is logged (its type) and the others
        still run."""
        now = clock.now()
        try:
            if not acquire(engine, owner=owner, now=now, interval=self.interval_seconds):
                return None
        except SQLAlchemyError as exc:  # the database is away: the worker's next round retries
            log.error("periodic jobs skipped", extra={"error": type(exc).__name__})
            return None
        results: dict[str, object] = {}
        try:
            for name, job in self.jobs:
                try:
                    with Session(engine, expire_on_commit=False) as session:
                        results[name] = job(session, now)
                except Exception as exc:
                    log.error(
                        "periodic job failed", extra={"job": name, "error": type(exc).__name__}
                    )
                    results[name] = None
        finally:
            release(engine, owner=owner, now=clock.now())
        return results


def acquire(engine: Engine, *, owner: str, now: datetime, interval: float) -> bool:
    """Take the lease when it is free and the jobs last started at least (about) an interval
    ago. One UPDATE decides: of two workers asking at once, one matches the row."""
    # A little slack so a worker whose timer fires a moment early is not turned away.
    last_start = now - timedelta(seconds=interval * 0.9)
    with Session(engine) as session, session.begin():
        lock_for_write(session, ahead=True)
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(PeriodicRun).values(name=NAME).on_conflict_do_nothing(index_elements=["name"])
        )
        taken = session.execute(
            update(PeriodicRun)
            .where(
                col(PeriodicRun.name) == NAME,
                or_(col(PeriodicRun.lease_until).is_(None), col(PeriodicRun.lease_until) <= now),
                or_(
                    col(PeriodicRun.started_at).is_(None), col(PeriodicRun.started_at) <= last_start
                ),
            )
            .values(owner=owner[:100], lease_until=now + LEASE, started_at=now)
        )
        return bool(getattr(taken, "rowcount", 0) == 1)


def release(engine: Engine, *, owner: str, now: datetime) -> None:
    with Session(engine) as session, session.begin():
        lock_for_write(session, ahead=True)
        session.execute(
            update(PeriodicRun)
            .where(col(PeriodicRun.name) == NAME, col(PeriodicRun.owner) == owner[:100])
            .values(lease_until=None, finished_at=now)
        )
