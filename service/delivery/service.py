"""Delivery use cases other domains call. None of them commits: each runs inside the caller's
transaction, so the outbox row is written with the change that causes it (or not at all)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.clock import SYSTEM_CLOCK
from service.db import lock_for_write
from service.delivery.models import (
    OutboxEvent,
    OutboxMessage,
    transition,
)
from service.delivery.provider_reports import apply_provider_outcome
from service.delivery.queue_news import move_of, publish
from service.delivery.recipients import recipient_hold
from service.delivery.scheduler import Pacing, book
from service.delivery.schemas import Address, OutboxStatus, OutgoingEmail, Unpaced
from service.delivery.states import OutboxState, require_move
from service.errors import InvalidInput, NotFound

log = logging.getLogger("repmail.delivery")

S = OutboxState


def enqueue(
    session: Session,
    email: OutgoingEmail,
    *,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
    hold: str | None = None,
    pacing: Pacing | None = None,
    campaign_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """Add `email` to the outbox (state queued, or held with the reason `hold`) and its first
    event. Nothing is sent here; a worker picks it up once it is due (not before
    `not_before`) and gives up on it at `expires_at`. With `pacing` (a letter to a
    representative), not_before is the letter's slot in that representative's schedule
    (scheduler.book). `campaign_id` says which campaign's plan the row belongs to. Returns
    the new row's id; the caller commits.

    Plain INSERTs rather than ORM objects: every submitted letter queues its confirmation
    here, and nothing in the use case reads the row back."""
    now = now or SYSTEM_CLOCK.now()
    _check_headers(email)
    if pacing is not None and not hold:
        lock_for_write(session)  # booking a slot writes anyway: lock before the first read
        hold = recipient_hold(session, pacing.key)
    state = S.held if hold else S.queued
    require_move(None, state)
    if pacing is not None and not hold:
        slot = book(session, pacing, now)
        not_before = max(not_before, slot) if not_before else slot
    due = max(now, not_before) if not_before else now
    row = OutboxMessage.row_for(
        email,
        state=state,
        pace_key=pacing.key if pacing else None,
        campaign_id=campaign_id,
        not_before=not_before,
        next_attempt_at=due,
        expires_at=expires_at,
        created_at=now,
        updated_at=now,
    )
    connection = session.connection()  # Core, not the ORM's execute: no objects involved
    connection.execute(_INSERT_MESSAGE, row)
    publish(session, [move_of(email.kind, campaign_id, row["pace_key"], None, state)])
    connection.execute(
        _INSERT_EVENT,
        {
            "outbox_id": row["id"],
            "at": now,
            "from_state": None,
            "to_state": state,
            "attempt": 0,
            "actor": "enqueue",
            "detail": hold[:500] if hold else None,
        },
    )
    log.info("outbox queued", extra={"outbox_id": row["id"], "state": state, "kind": email.kind})
    outbox_id: str = row["id"]
    return outbox_id


def enqueue_many(session: Session, emails: Sequence[Unpaced]) -> list[str]:
    """enqueue() for several emails nobody paces or holds (supporters' notices after a
    webhook batch): one INSERT of the rows and one of their first events. Returns the ids."""
    rows = []
    for unpaced in emails:
        _check_headers(unpaced.email)
        at = unpaced.at
        rows.append(
            OutboxMessage.row_for(
                unpaced.email,
                state=S.queued,
                campaign_id=unpaced.campaign_id,
                next_attempt_at=at,
                created_at=at,
                updated_at=at,
            )
        )
    if not rows:
        return []
    connection = session.connection()
    connection.execute(_INSERT_MESSAGE, rows)
    connection.execute(
        _INSERT_EVENT,
        [
            {
                "outbox_id": row["id"],
                "at": row["created_at"],
                "from_state": None,
                "to_state": S.queued,
                "attempt": 0,
                "actor": "enqueue",
                "detail": None,
            }
            for row in rows
        ],
    )
    log.info("outbox queued", extra={"count": len(rows), "kind": "several"})
    return [str(row["id"]) for row in rows]


_INSERT_MESSAGE = OutboxMessage.__table__.insert()  # type: ignore[attr-defined]
_INSERT_EVENT = OutboxEvent.__table__.insert()  # type: ignore[attr-defined]


def cancel(
    session: Session,
    outbox_id: str,
    reason: str,
    *,
    actor: str = "system",
    now: datetime | None = None,
) -> OutboxMessage:
    """Withdraw a message that has not been sent (queued or held). Raises InvalidTransition
    (a Conflict) once a worker holds it or the provider has it."""
    return _move(session, outbox_id, S.cancelled, detail=reason, actor=actor, now=now)


def hold(
    session: Session,
    outbox_id: str,
    reason: str,
    *,
    actor: str = "system",
    now: datetime | None = None,
) -> OutboxMessage:
    """Keep a queued message back until release() (moderation, a paused representative)."""
    return _move(session, outbox_id, S.held, detail=reason, actor=actor, now=now)


def release(
    session: Session,
    outbox_id: str,
    *,
    not_before: datetime | None = None,
    actor: str = "system",
    now: datetime | None = None,
) -> OutboxMessage:
    """Queue a held message again, due now or at `not_before`."""
    now = now or SYSTEM_CLOCK.now()
    message = _move(session, outbox_id, S.queued, detail="released", actor=actor, now=now)
    message.not_before = not_before or message.not_before
    message.next_attempt_at = max(now, not_before) if not_before else now
    return message


def requeue(
    session: Session,
    outbox_id: str,
    reason: str,
    *,
    actor: str = "operator",
    now: datetime | None = None,
) -> OutboxMessage:
    """Send a failed message again, once an operator has fixed the cause (a key, a sender)."""
    now = now or SYSTEM_CLOCK.now()
    message = _move(session, outbox_id, S.queued, detail=reason, actor=actor, now=now)
    message.attempts = 0
    message.next_attempt_at = now
    return message


def forget_letters(
    session: Session,
    letter_ids: Sequence[str],
    *,
    actor: str = "purge",
    now: datetime | None = None,
) -> int:
    """Erase the personal data (addresses, names, subject, bodies) of the outbox rows of
    these letters, which are being deleted; unsent rows are cancelled first. A row being sent
    at this moment is left for a later call. Returns how many rows were erased."""
    if not letter_ids:
        return 0
    now = now or SYSTEM_CLOCK.now()
    lock_for_write(session)
    rows = session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.letter_id).in_(list(letter_ids)),
            col(OutboxMessage.redacted_at).is_(None),
        )
        .with_for_update()
    ).all()
    erased = 0
    for row in rows:
        if row.state in (S.queued, S.held):
            transition(session, row, S.cancelled, now=now, actor=actor, detail="letter deleted")
            row.next_attempt_at = None
        if row.state == S.sending:
            continue
        row.sender_name = None
        row.to_email = "redacted@redacted.invalid"
        row.to_name = None
        row.to_domain = ""
        row.reply_to_email = None
        row.reply_to_name = None
        row.subject = "(erased)"
        row.text_body = ""
        row.html_body = None
        row.headers = {}
        row.redacted_at = now
        row.updated_at = now
        erased += 1
    if erased:
        log.info("outbox rows erased", extra={"count": erased})
    return erased


def record_provider_outcome(
    session: Session,
    outbox_id: str,
    state: OutboxState,
    *,
    detail: str | None = None,
    provider_message_id: str | None = None,
    actor: str = "tracking",
    now: datetime | None = None,
) -> bool:
    """Apply what the provider reported (sent/delivered/deferred/bounced/dropped). Returns
    False and changes nothing when the report is older than what is known (events arrive out
    of order: a late "deferred" after "delivered"). An ambiguous send that the provider
    reports on is settled here, so it is never sent twice."""
    if state not in {S.sent, S.delivered, S.deferred, S.bounced, S.dropped}:
        raise InvalidInput(f"{state} is not something a provider reports", field="state")
    now = now or SYSTEM_CLOCK.now()
    lock_for_write(session)
    message = _load(session, outbox_id)
    return apply_provider_outcome(
        session,
        message,
        state,
        detail=detail,
        provider_message_id=provider_message_id,
        actor=actor,
        now=now,
    )


def status_of(session: Session, outbox_id: str) -> OutboxStatus:
    return _status(_load(session, outbox_id, lock=False))


def letter_delivery(session: Session, letter_id: str) -> list[OutboxStatus]:
    """Every outbox row for a letter, oldest first (normally one)."""
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.letter_id == letter_id)
        .order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))
    ).all()
    return [_status(row) for row in rows]


def events_of(session: Session, outbox_id: str) -> Sequence[OutboxEvent]:
    return session.exec(
        select(OutboxEvent).where(OutboxEvent.outbox_id == outbox_id).order_by(col(OutboxEvent.id))
    ).all()


def _move(
    session: Session,
    outbox_id: str,
    target: OutboxState,
    *,
    detail: str,
    actor: str,
    now: datetime | None,
) -> OutboxMessage:
    now = now or SYSTEM_CLOCK.now()
    lock_for_write(session)
    message = _load(session, outbox_id)
    transition(session, message, target, now=now, actor=actor, detail=detail)
    if target in {S.cancelled, S.held}:
        message.next_attempt_at = None
    log.info("outbox moved", extra={"outbox_id": outbox_id, "state": target})
    return message


def _load(session: Session, outbox_id: str, *, lock: bool = True) -> OutboxMessage:
    query = select(OutboxMessage).where(OutboxMessage.id == outbox_id)
    if lock:  # wait for a worker's claim to commit, then see the state it left
        query = query.with_for_update()
    message = session.exec(query).first()
    if message is None:
        raise NotFound(f"no outbox message {outbox_id}")
    return message


def _status(message: OutboxMessage) -> OutboxStatus:
    return OutboxStatus(
        id=message.id,
        kind=message.kind,
        state=message.state,
        attempts=message.attempts,
        created_at=message.created_at,
        updated_at=message.updated_at,
        next_attempt_at=message.next_attempt_at,
        sent_at=message.sent_at,
        provider_message_id=message.provider_message_id,
        last_error=message.last_error,
        ambiguous=message.ambiguous_since is not None,
    )


def _check_headers(email: OutgoingEmail) -> None:
    """Header injection is refused here too, whatever the caller checked."""
    addresses: list[Address] = [email.sender, email.to]
    if email.reply_to:
        addresses.append(email.reply_to)
    values = [email.subject, *email.headers, *email.headers.values()]
    for address in addresses:
        values.extend([address.email, address.name or ""])
        if "@" not in address.email:
            raise InvalidInput("an email address is missing its @", field="email")
    if any("\r" in value or "\n" in value for value in values):
        raise InvalidInput("email headers must not contain line breaks", field="headers")


def recent_failures(session: Session, limit: int = 20) -> list[OutboxStatus]:
    """The latest messages that failed for good, with the provider's reason (for staff)."""
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.failed)
        .order_by(col(OutboxMessage.updated_at).desc())
        .limit(limit)
    ).all()
    return [_status(row) for row in rows]


def state_counts(session: Session) -> dict[str, int]:
    """How many outbox rows are in each state (ops, `repmail delivery status`)."""
    rows = session.exec(
        select(OutboxMessage.state, func.count()).group_by(col(OutboxMessage.state))
    ).all()
    return {str(state): int(count) for state, count in rows}
