"""Holding one recipient's mail (a representative whose address fails, or who reported a
letter as spam) and letting it go again, possibly to a corrected address. The switch is
the recipient's pace row (delivery_pace.held_reason): enqueue() holds new rows while it
is set, so no letter is dropped, only kept back."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.delivery.models import (
    DeliveryPace,
    OutboxEvent,
    OutboxMessage,
    domain_of,
    transition,
)
from service.delivery.scheduler import lock_pace
from service.delivery.states import OutboxState
from service.errors import InvalidInput

log = logging.getLogger("repmail.delivery")
S = OutboxState


def recipient_hold(session: Session, key: str) -> str | None:
    """Why `key`'s mail is held, or None."""
    reason = session.exec(select(DeliveryPace.held_reason).where(DeliveryPace.key == key)).first()
    return reason or None


def hold_recipient(session: Session, key: str, reason: str, *, actor: str, now: datetime) -> int:
    """Hold `key`'s queued rows and every row enqueued for it from now on. Returns how many
    queued rows were held. The caller commits."""
    pace = lock_pace(session, key, now)
    pace.held_reason = reason[:200]
    pace.updated_at = now
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.pace_key == key, OutboxMessage.state == S.queued)
        .with_for_update()
    ).all()
    for row in rows:
        transition(session, row, S.held, now=now, actor=actor, detail=reason)
        row.next_attempt_at = None
    log.warning("recipient held", extra={"pace_key": key, "held": len(rows)})
    return len(rows)


def release_recipient(
    session: Session, key: str, *, actor: str, now: datetime, to_email: str | None = None
) -> int:
    """Lift the hold on `key`: the rows it held are queued again (with `to_email`, the
    corrected address, when given). Rows held for other reasons (moderation) stay held.
    Returns how many rows were released. The caller commits."""
    if to_email is not None and ("@" not in to_email or "\n" in to_email or "\r" in to_email):
        raise InvalidInput("The new address is not an email address.", field="email")
    pace = lock_pace(session, key, now)
    reason = pace.held_reason
    pace.held_reason = None
    pace.updated_at = now
    if reason is None:
        return 0
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.pace_key == key, OutboxMessage.state == S.held)
        .with_for_update()
    ).all()
    released = 0
    for row in rows:
        if not _held_for(session, row, reason):
            continue
        transition(session, row, S.queued, now=now, actor=actor, detail="recipient released")
        row.next_attempt_at = max(now, row.not_before) if row.not_before else now
        if to_email is not None:
            row.to_email = to_email
            row.to_domain = domain_of(to_email)
        released += 1
    log.warning("recipient released", extra={"pace_key": key, "released": released})
    return released


def held_counts(session: Session, keys: list[str]) -> dict[str, int]:
    """Rows held per recipient (for the worklist)."""
    if not keys:
        return {}
    rows = session.exec(
        select(OutboxMessage.pace_key, func.count())
        .where(col(OutboxMessage.pace_key).in_(keys), OutboxMessage.state == S.held)
        .group_by(col(OutboxMessage.pace_key))
    ).all()
    return {str(key): int(count) for key, count in rows}


def _held_for(session: Session, row: OutboxMessage, reason: str) -> bool:
    """Whether the row's latest move to held was for this recipient hold."""
    detail = session.exec(
        select(OutboxEvent.detail)
        .where(OutboxEvent.outbox_id == row.id, OutboxEvent.to_state == S.held)
        .order_by(col(OutboxEvent.id).desc())
        .limit(1)
    ).first()
    return detail == reason
