"""What a worker does to the outbox, one transaction per call (the worker commits): claim due
rows under a lease, record send outcomes fenced by the attempt number, reap lost leases and
ambiguous sends, and release rows at shutdown.

Claims lock with FOR UPDATE SKIP LOCKED on PostgreSQL, so any number of workers share the
table without taking the same row. On SQLite every call first takes the database's single
write lock, so a claim's read and write cannot interleave with another writer's."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, String, cast, exists, literal, not_, or_
from sqlmodel import Session, col, select

from service.config import DeliverySettings
from service.db import lock_for_write
from service.delivery import limits
from service.delivery.backends.base import (
    AmbiguousSendError,
    PermanentSendError,
    SendError,
    TransientSendError,
)
from service.delivery.backoff import retry_delay
from service.delivery.models import (
    CAMPAIGN_SWITCH_PREFIX,
    GLOBAL_SWITCH,
    DeliveryControl,
    OutboxMessage,
    note,
    transition,
)
from service.delivery.schemas import MessageKind, OutgoingEmail
from service.delivery.states import OutboxState
from service.delivery.switches import pause

log = logging.getLogger("repmail.delivery.worker")
S = OutboxState
REAP_BATCH = 500


@dataclass(frozen=True, slots=True)
class Job:
    outbox_id: str
    attempt: int  # the fencing token: only this attempt's outcome may settle the row
    email: OutgoingEmail


@dataclass(frozen=True, slots=True)
class Outcome:
    job: Job
    provider_message_id: str | None = None
    error: SendError | None = None


# Told, inside the recording transaction, which letters' outbox rows the provider accepted
# (the worker passes letters' record_delivery through this).
SentListener = Callable[[Session, Sequence[OutboxMessage], datetime], None]


@dataclass(slots=True)
class Recorded:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    ambiguous: int = 0
    stale: int = 0
    paused_delivery: bool = False
    # The earliest moment the provider asked us to hold back until (429), if any.
    hold_until: datetime | None = None


def claim(
    session: Session,
    *,
    worker_id: str,
    limit: int,
    now: datetime,
    lease_seconds: float,
    domain_limit: int | None = None,
    daily_ceiling: int | None = None,
) -> list[Job]:
    """Lease up to `limit` due rows to `worker_id` (none while delivery is paused). Letters
    also respect `domain_limit` (in flight per receiving domain, all workers together) and,
    as a backstop to their slots, `daily_ceiling` (per representative in 24 hours)."""
    if limit <= 0:
        return []
    lock_for_write(session, ahead=True)
    paused = exists().where(col(DeliveryControl.paused), col(DeliveryControl.name) == GLOBAL_SWITCH)
    # A paused campaign's rows wait (the switches are a handful of rows).
    campaign_paused = exists().where(
        col(DeliveryControl.paused),
        col(DeliveryControl.name)
        == literal(CAMPAIGN_SWITCH_PREFIX) + cast(col(OutboxMessage.campaign_id), String),
    )
    conditions: list[ColumnElement[bool]] = [
        col(OutboxMessage.state) == S.queued,
        col(OutboxMessage.next_attempt_at) <= now,
        or_(col(OutboxMessage.expires_at).is_(None), col(OutboxMessage.expires_at) > now),
        not_(paused),
        or_(col(OutboxMessage.campaign_id).is_(None), not_(campaign_paused)),
    ]
    room = limits.domain_room(session, domain_limit) if domain_limit else None
    if room:
        conditions.append(limits.not_full(room))
    # Lock ids first (a narrow sort if the planner sorts at all), then load those rows.
    ids = session.exec(
        select(OutboxMessage.id)
        .where(*conditions)
        .order_by(col(OutboxMessage.priority), col(OutboxMessage.next_attempt_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not ids:
        return []
    rows = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids))
        .order_by(col(OutboxMessage.priority), col(OutboxMessage.next_attempt_at))
    ).all()
    rows = limits.within(session, rows, room, daily_ceiling, now=now, actor=worker_id)
    lease_until = now + timedelta(seconds=lease_seconds)
    jobs = []
    for row in rows:
        row.attempts += 1
        transition(session, row, S.sending, now=now, actor=worker_id)
        row.lease_owner = worker_id
        row.lease_expires_at = lease_until
        row.ambiguous_since = None
        jobs.append(Job(row.id, row.attempts, row.as_email()))
    return jobs


def record(
    session: Session,
    outcomes: Sequence[Outcome],
    *,
    worker_id: str,
    backend: str,
    now: datetime,
    settings: DeliverySettings,
    rng: random.Random,
    on_sent: SentListener | None = None,
) -> Recorded:
    """Settle each claimed row from its send outcome. A row whose attempt number moved on
    (another worker took it over and sent again) is not touched: the late outcome is only
    noted in its event log."""
    result = Recorded()
    if not outcomes:
        return result
    lock_for_write(session, ahead=True)
    ids = [outcome.job.outbox_id for outcome in outcomes]
    rows = {
        row.id: row
        for row in session.exec(
            select(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).with_for_update()
        ).all()
    }
    letters_sent: list[OutboxMessage] = []
    for outcome in outcomes:
        row = rows.get(outcome.job.outbox_id)
        if row is None:
            continue
        if row.state != S.sending or row.attempts != outcome.job.attempt:
            _note_stale(session, row, outcome, worker_id=worker_id, now=now)
            result.stale += 1
            continue
        _settle(session, row, outcome, result, worker_id, backend, now, settings, rng)
        if row.state == S.sent and row.kind == MessageKind.letter and row.letter_id:
            letters_sent.append(row)
    if on_sent and letters_sent:
        _tell(on_sent, session, letters_sent, now)
    if result.paused_delivery:
        pause(session, reason=_pause_reason(outcomes), actor=worker_id, now=now)
    return result


def _settle(
    session: Session,
    row: OutboxMessage,
    outcome: Outcome,
    result: Recorded,
    worker_id: str,
    backend: str,
    now: datetime,
    settings: DeliverySettings,
    rng: random.Random,
) -> None:
    row.lease_owner = None
    row.lease_expires_at = None
    row.backend = backend
    error = outcome.error
    if error is None:
        transition(session, row, S.sent, now=now, actor=worker_id)
        row.provider_message_id = outcome.provider_message_id
        row.sent_at = now
        row.next_attempt_at = None
        row.ambiguous_since = None
        row.last_error = None
        result.sent += 1
        log.info("outbox sent", extra={"outbox_id": row.id, "attempt": row.attempts})
        return
    row.last_error = error.reason
    if isinstance(error, AmbiguousSendError):
        window = settings.ambiguity_window_for(row.kind)
        transition(
            session,
            row,
            S.sending,
            now=now,
            actor=worker_id,
            detail=f"outcome unknown ({error.reason}); waiting {window}s for provider evidence",
        )
        row.ambiguous_since = now
        row.next_attempt_at = now + timedelta(seconds=window)
        result.ambiguous += 1
        log.warning("outbox send ambiguous", extra={"outbox_id": row.id, "attempt": row.attempts})
        return
    if isinstance(error, TransientSendError) and (
        error.rate_limited or row.attempts < settings.max_attempts
    ):
        delay = retry_delay(
            error, row.attempts, now=now, settings=settings, rng=rng, kind=MessageKind(row.kind)
        )
        transition(
            session, row, S.queued, now=now, actor=worker_id, detail=f"retry: {error.reason}"
        )
        row.next_attempt_at = now + timedelta(seconds=delay)
        result.retried += 1
        if error.rate_limited:
            hold = row.next_attempt_at
            result.hold_until = min(result.hold_until or hold, hold)
        log.info(
            "outbox retry",
            extra={"outbox_id": row.id, "attempt": row.attempts, "delay_s": round(delay, 1)},
        )
        return
    if isinstance(error, PermanentSendError):
        detail = error.reason
        result.paused_delivery |= error.account_level
    else:
        detail = f"gave up after {row.attempts} attempts: {error.reason}"
    transition(session, row, S.failed, now=now, actor=worker_id, detail=detail)
    row.last_error = detail[:500]
    row.next_attempt_at = None
    result.failed += 1
    log.warning("outbox failed", extra={"outbox_id": row.id, "attempt": row.attempts})


def reap(
    session: Session, *, now: datetime, settings: DeliverySettings, actor: str
) -> dict[str, int]:
    """Housekeeping any worker may run: leases that ran out become ambiguous sends (the worker
    may have died mid-request); ambiguous sends with no provider event after the window are
    queued again; unsent rows past their deadline expire."""
    lock_for_write(session)
    counts = {"lease_lost": 0, "resend": 0, "gave_up": 0, "expired": 0}
    for row in _locked(
        session,
        OutboxMessage.state == S.sending,
        col(OutboxMessage.lease_expires_at) <= now,
    ):
        transition(
            session,
            row,
            S.sending,
            now=now,
            actor=actor,
            detail=f"lease of {row.lease_owner} expired; outcome of attempt {row.attempts} unknown",
        )
        row.lease_owner = None
        row.lease_expires_at = None
        row.ambiguous_since = now
        row.next_attempt_at = now + timedelta(seconds=settings.ambiguity_window_for(row.kind))
        counts["lease_lost"] += 1
    # Still "sending" after the window means no provider event settled it.
    for row in _locked(
        session,
        OutboxMessage.state == S.sending,
        col(OutboxMessage.lease_owner).is_(None),
        col(OutboxMessage.ambiguous_since).is_not(None),
        col(OutboxMessage.next_attempt_at) <= now,
    ):
        if row.attempts >= settings.max_attempts:
            detail = f"gave up after {row.attempts} attempts; the last outcome is unknown"
            transition(session, row, S.failed, now=now, actor=actor, detail=detail)
            row.last_error = detail
            row.next_attempt_at = None
            counts["gave_up"] += 1
            continue
        window = settings.ambiguity_window_for(row.kind)
        detail = f"no provider event within {window}s; sending again"
        transition(session, row, S.queued, now=now, actor=actor, detail=detail)
        row.ambiguous_since = None
        row.next_attempt_at = now
        counts["resend"] += 1
    for row in _locked(
        session,
        col(OutboxMessage.state).in_([S.queued, S.held]),
        col(OutboxMessage.expires_at) <= now,
    ):
        transition(session, row, S.expired, now=now, actor=actor, detail="deadline passed")
        row.next_attempt_at = None
        counts["expired"] += 1
    if any(counts.values()):
        log.warning("outbox reaped", extra=counts)
    return counts


def release(session: Session, jobs: Sequence[Job], *, worker_id: str, now: datetime) -> int:
    """Give back rows this worker claimed but never started sending (shutdown)."""
    if not jobs:
        return 0
    lock_for_write(session)
    attempts = {job.outbox_id: job.attempt for job in jobs}
    released = 0
    for row in session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(list(attempts)), OutboxMessage.state == S.sending)
        .with_for_update()
    ).all():
        if row.attempts != attempts[row.id] or row.lease_owner != worker_id:
            continue
        row.attempts -= 1  # this attempt never started
        transition(session, row, S.queued, now=now, actor=worker_id, detail="released unsent")
        row.lease_owner = None
        row.lease_expires_at = None
        row.next_attempt_at = now
        released += 1
    return released


def _locked(session: Session, *conditions: object) -> Sequence[OutboxMessage]:
    return session.exec(
        select(OutboxMessage)
        .where(*conditions)  # type: ignore[arg-type]
        .limit(REAP_BATCH)
        .with_for_update(skip_locked=True)
    ).all()


def _tell(
    listener: SentListener, session: Session, rows: Sequence[OutboxMessage], now: datetime
) -> None:
    """A listener's failure must not undo the outcomes (that would resend the letters): it
    runs in a savepoint, one for the batch, then one per row if the batch fails; errors are
    logged, not raised."""
    try:
        with session.begin_nested():
            listener(session, rows, now)
        return
    except Exception:
        if len(rows) == 1:
            log.error("sent listener failed", extra={"outbox_id": rows[0].id})
            return
    for row in rows:
        try:
            with session.begin_nested():
                listener(session, [row], now)
        except Exception as exc:
            log.error(
                "sent listener failed", extra={"outbox_id": row.id, "error": type(exc).__name__}
            )


def _note_stale(
    session: Session, row: OutboxMessage, outcome: Outcome, *, worker_id: str, now: datetime
) -> None:
    if outcome.error is None:
        what = f"accepted as {outcome.provider_message_id}"
        # An ambiguous send that did go out: keep the id so tracking can match its events.
        if row.provider_message_id is None and row.state in (S.sent, S.delivered, S.deferred):
            row.provider_message_id = outcome.provider_message_id
    else:
        what = f"failed: {outcome.error.reason}"
    detail = f"late outcome of attempt {outcome.job.attempt} ignored ({what})"
    note(session, row, now=now, actor=worker_id, detail=detail)
    log.warning(
        "outbox stale outcome",
        extra={"outbox_id": row.id, "attempt": outcome.job.attempt, "state": row.state},
    )


def _pause_reason(outcomes: Sequence[Outcome]) -> str:
    for outcome in outcomes:
        error = outcome.error
        if isinstance(error, PermanentSendError) and error.account_level:
            return f"paused automatically: {error.reason}"
    return "paused automatically"
