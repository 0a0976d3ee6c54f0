"""The delivery worker: claims due outbox rows under a lease and sends them through a backend
on a small thread pool, so one worker keeps `concurrency` requests in flight.

Only the loop's own thread touches the database; the pool threads only call the backend.
`repmail worker` runs one per process (any number, on PostgreSQL); `repmail serve` runs one
in a background thread when the database is SQLite (embedded_worker)."""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from service.clock import SYSTEM_CLOCK, Clock
from service.config import DeliverySettings
from service.db import lock_for_write
from service.delivery import queue
from service.delivery.backends import EmailBackend, SendError, TransientSendError
from service.delivery.jobs import Periodic
from service.delivery.queue import Job, Outcome
from service.delivery.switches import pause_state

log = logging.getLogger("repmail.delivery.worker")
BATCH_WAIT_SECONDS = 0.02  # how long a finished send may wait for others to share a commit
# While the database is unreachable (a restart, a failover) the loop retries after poll,
# 2 * poll, 4 * poll, ... (with jitter) up to this, instead of every poll interval.
DATABASE_RETRY_CAP_SECONDS = 30.0
T = TypeVar("T")


@dataclass(slots=True)
class WorkerStats:
    claims: int = 0  # transactions that looked for due rows
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    ambiguous: int = 0
    stale: int = 0
    released: int = 0


def new_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        engine: Engine,
        backend: EmailBackend,
        settings: DeliverySettings,
        *,
        clock: Clock = SYSTEM_CLOCK,
        worker_id: str | None = None,
        concurrency: int | None = None,
        rng: random.Random | None = None,
        on_sent: queue.SentListener | None = None,
        periodic: Periodic | None = None,
    ) -> None:
        self.engine = engine
        self.backend = backend
        self.settings = settings
        self.clock = clock
        self.worker_id = worker_id or new_worker_id()
        self.concurrency = concurrency or settings.concurrency
        self.rng = rng or random.Random()
        # Wired at start-up by the application (service.letters.hooks): delivery imports no
        # other domain, so what a sent row means for a letter is the listener's business.
        self.on_sent = on_sent
        self.periodic = periodic
        self.stats = WorkerStats()
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="repmail-send")
        # The loop keeps up to one extra round claimed and waiting in the pool's queue, so
        # a freed slot starts its next send at once instead of waiting for a database trip.
        self._capacity = 2 * self.concurrency
        self._unrecorded: list[Outcome] = []  # sent, but the database was unavailable
        self._hold_until: datetime | None = None  # the provider asked us to slow down (429)
        self._paused = False  # as last read from the database

    @property
    def paused(self) -> bool:
        """Whether delivery was paused when this worker last looked (run loop only)."""
        return self._paused

    # -- one round at a time (tests, `repmail worker --once`) -----------------------------

    def step(self) -> int:
        """Reap, claim what is due (up to `concurrency`), send it all, record the outcomes.
        Returns how many rows were claimed."""
        self.reap()
        jobs = [] if self._holding() else self._claim(self.concurrency)
        futures = [self._pool.submit(self._send, job) for job in jobs]
        self._record([future.result() for future in futures])
        return len(jobs)

    def drain(self, max_steps: int = 100_000) -> int:
        """Step until nothing is due. Returns how many rows were claimed in all."""
        total = 0
        for _ in range(max_steps):
            claimed = self.step()
            total += claimed
            if not claimed:
                break
        return total

    # -- the long-running loop -------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Work until `stop` is set, then finish or release what is in flight."""
        log.info("worker started", extra={"worker": self.worker_id, "backend": self.backend.name})
        pending: dict[Future[Outcome], Job] = {}
        poll = self.settings.poll_interval_seconds
        reap_every = max(poll, min(self.settings.lease_seconds / 4, 15.0))
        next_reap = next_jobs = next_claim = 0.0
        finished: list[Outcome] = []
        database_errors = 0  # in a row
        while not stop.is_set():
            self._unrecorded.extend(finished)
            finished = []
            try:
                if time.monotonic() >= next_reap:
                    self.reap()
                    next_reap = time.monotonic() + reap_every
                if self.periodic and time.monotonic() >= next_jobs:
                    self.periodic.run(self.engine, owner=self.worker_id, clock=self.clock)
                    next_jobs = time.monotonic() + self.periodic.interval_seconds
                # Outcomes and new rows share one transaction; while lingering after a short
                # batch, both wait for the next one.
                claiming = time.monotonic() >= next_claim
                jobs: list[Job] = []
                if claiming:
                    room = self._capacity - len(pending)
                    jobs = self._exchange([], room)
                    self.stats.claims += 1
                    linger = 0.0 if len(jobs) >= room else self.settings.batch_linger_seconds
                    next_claim = time.monotonic() + linger
                if self._paused and pending:
                    self._release_unstarted(pending)
            except SQLAlchemyError as exc:
                # Lost connections included: the pool (pre-ping) reconnects on the next try;
                # outcomes not yet recorded are kept for it.
                database_errors += 1
                delay = self._database_retry_delay(database_errors)
                log.error(
                    "worker database error",
                    extra={
                        "worker": self.worker_id,
                        "in_a_row": database_errors,
                        "retry_in_s": round(delay, 2),
                        **_safe(exc),
                    },
                )
                stop.wait(delay)
                continue
            if database_errors:
                log.warning(
                    "worker database back",
                    extra={"worker": self.worker_id, "errors_in_a_row": database_errors},
                )
                database_errors = 0
            for job in jobs:
                pending[self._pool.submit(self._send, job)] = job
            if not pending:
                idle = claiming and not jobs  # nothing was due: poll as usual
                stop.wait(poll if idle else max(next_claim - time.monotonic(), 0.0))
                continue
            for future in self._collect(pending, poll):
                finished.append(future.result())
                del pending[future]
        self._record(finished, swallow=True)
        self._shutdown(pending)

    def _database_retry_delay(self, errors_in_a_row: int) -> float:
        poll = self.settings.poll_interval_seconds
        ceiling = max(
            poll, min(DATABASE_RETRY_CAP_SECONDS, poll * 2 ** min(errors_in_a_row - 1, 30))
        )
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)  # jitter: workers retry apart

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.backend.close()

    # -- database side: one transaction each ------------------------------------------------

    def reap(self) -> dict[str, int]:
        return self._transaction(
            lambda session: queue.reap(
                session, now=self.clock.now(), settings=self.settings, actor=self.worker_id
            )
        )

    def _claim(self, limit: int) -> list[Job]:
        jobs = self._transaction(
            lambda session: queue.claim(
                session,
                worker_id=self.worker_id,
                limit=limit,
                now=self.clock.now(),
                lease_seconds=self.settings.lease_seconds,
                domain_limit=self.settings.domain_concurrency,
                daily_ceiling=self.settings.daily_ceiling_per_representative,
            )
        )
        self.stats.claimed += len(jobs)
        return jobs

    def _record(self, outcomes: Sequence[Outcome], *, swallow: bool = False) -> None:
        batch = [*self._unrecorded, *outcomes]
        if not batch:
            return
        try:
            result = self._transaction(
                lambda session: queue.record(
                    session,
                    batch,
                    worker_id=self.worker_id,
                    backend=self.backend.name,
                    now=self.clock.now(),
                    settings=self.settings,
                    rng=self.rng,
                    on_sent=self.on_sent,
                )
            )
        except SQLAlchemyError as exc:
            # Keep them: recording later still wins, as long as no one took the rows over.
            self._unrecorded = batch
            if not swallow:
                raise
            log.error(
                "worker could not record outcomes", extra={"pending": len(batch), **_safe(exc)}
            )
            return
        self._unrecorded = []
        if result.hold_until is not None:
            self._hold_until = max(self._hold_until or result.hold_until, result.hold_until)
        self._count(result)

    def _count(self, result: queue.Recorded) -> None:
        for name in ("sent", "retried", "failed", "ambiguous", "stale"):
            setattr(self.stats, name, getattr(self.stats, name) + getattr(result, name))
        if result.paused_delivery:
            log.error("delivery paused by the worker", extra={"worker": self.worker_id})

    def _exchange(self, outcomes: Sequence[Outcome], limit: int) -> list[Job]:
        """Record finished sends and claim up to `limit` new rows in one transaction."""
        batch = [*self._unrecorded, *outcomes]
        self._unrecorded = []

        def work(session: Session) -> tuple[queue.Recorded | None, list[Job]]:
            now = self.clock.now()
            self._paused = pause_state(session).paused
            result = None
            if batch:
                result = queue.record(
                    session,
                    batch,
                    worker_id=self.worker_id,
                    backend=self.backend.name,
                    now=now,
                    settings=self.settings,
                    rng=self.rng,
                    on_sent=self.on_sent,
                )
                if result.hold_until is not None:
                    self._hold_until = max(self._hold_until or result.hold_until, result.hold_until)
            if limit <= 0 or self._paused or self._holding():
                return result, []
            jobs = queue.claim(
                session,
                worker_id=self.worker_id,
                limit=limit,
                now=now,
                lease_seconds=self.settings.lease_seconds,
                domain_limit=self.settings.domain_concurrency,
                daily_ceiling=self.settings.daily_ceiling_per_representative,
            )
            return result, jobs

        try:
            result, jobs = self._transaction(work)
        except SQLAlchemyError:
            self._unrecorded = batch  # recording later still wins unless the row moved on
            raise
        if result is not None:
            self._count(result)
        self.stats.claimed += len(jobs)
        return jobs

    def _release_unstarted(self, pending: dict[Future[Outcome], Job]) -> None:
        """Delivery was paused: rows claimed but not yet handed to the backend go back."""
        unstarted = {future: job for future, job in pending.items() if future.cancel()}
        for future in unstarted:
            del pending[future]
        released = self._transaction(
            lambda session: queue.release(
                session, list(unstarted.values()), worker_id=self.worker_id, now=self.clock.now()
            )
        )
        self.stats.released += released
        if released:
            log.warning("worker released rows: delivery paused", extra={"released": released})

    def _collect(self, pending: dict[Future[Outcome], Job], timeout: float) -> set[Future[Outcome]]:
        """Wait for the first send to finish, then briefly for a few more, so each database
        round trip settles a batch rather than a single row."""
        done, rest = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
        want = max(1, self.concurrency // 4)
        deadline = time.monotonic() + BATCH_WAIT_SECONDS
        while done and rest and len(done) < want:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            more, rest = wait(rest, timeout=left, return_when=FIRST_COMPLETED)
            done |= more
        return done

    def _transaction(self, work: Callable[[Session], T]) -> T:
        # Every worker transaction writes; on SQLite it takes the write lock before its first
        # read (pause_state), ahead of the requests' transactions.
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            lock_for_write(session, ahead=True)
            return work(session)

    # -- sending side: runs on the pool ----------------------------------------------------

    def _send(self, job: Job) -> Outcome:
        try:
            provider_id = self.backend.send(job.email, outbox_id=job.outbox_id)
        except SendError as error:
            return Outcome(job, error=error)
        except Exception as exc:  # a bug in a backend must not kill the worker
            log.error("backend crashed", extra={"outbox_id": job.outbox_id, **_safe(exc)})
            return Outcome(job, error=TransientSendError(f"internal error ({type(exc).__name__})"))
        return Outcome(job, provider_message_id=provider_id)

    def _holding(self) -> bool:
        if self._hold_until is None:
            return False
        if self.clock.now() >= self._hold_until:
            self._hold_until = None
            return False
        return True

    def _shutdown(self, pending: dict[Future[Outcome], Job]) -> None:
        unstarted = [job for future, job in pending.items() if future.cancel()]
        running = [future for future in pending if not future.cancelled()]
        done, still = wait(running, timeout=self.settings.shutdown_grace_seconds)
        try:
            self._record([future.result() for future in done])
            released = self._transaction(
                lambda session: queue.release(
                    session, unstarted, worker_id=self.worker_id, now=self.clock.now()
                )
            )
            self.stats.released += released
        except SQLAlchemyError as exc:
            log.error("worker could not settle its rows at shutdown", extra=_safe(exc))
        if still:
            # Their leases run out and they become ambiguous: never sent twice blindly.
            log.warning("worker stopped with sends in flight", extra={"in_flight": len(still)})
        log.info(
            "worker stopped",
            extra={"worker": self.worker_id}
            | {f.name: getattr(self.stats, f.name) for f in fields(self.stats)},
        )


def _safe(exc: BaseException) -> dict[str, str]:
    """What may be logged about an error: its type, never its message (SQLAlchemy puts the
    statement's parameters in it, a backend may put an address in it)."""
    cause = getattr(exc, "orig", None)
    return {"error": type(exc).__name__} | ({"cause": type(cause).__name__} if cause else {})
