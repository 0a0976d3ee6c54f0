"""Applying what the provider reports (SendGrid events) to outbox rows: one row at a time
(service.record_provider_outcome) or a whole webhook batch's rows at once (provider_rows,
then apply_provider_outcome per row), inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from service.db import lock_for_write
from service.delivery.models import OutboxMessage, transition
from service.delivery.states import OutboxState, can_move
from service.errors import InvalidInput

S = OutboxState
PROVIDER_REPORTS = frozenset({S.sent, S.delivered, S.deferred, S.bounced, S.dropped})


def provider_rows(session: Session, outbox_ids: Sequence[str]) -> list[OutboxMessage]:
    """The rows a batch of provider events is about, locked for the caller's transaction
    (one query for the whole batch); ids of no row are left out."""
    if not outbox_ids:
        return []
    lock_for_write(session)
    return list(
        session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.id).in_(sorted(set(outbox_ids))))
            .order_by(col(OutboxMessage.id))  # one lock order for every caller
            .with_for_update()
        ).all()
    )


def apply_provider_outcome(
    session: Session,
    message: OutboxMessage,
    state: OutboxState,
    *,
    detail: str | None = None,
    provider_message_id: str | None = None,
    actor: str = "tracking",
    now: datetime,
) -> bool:
    """record_provider_outcome for a row the caller loaded (provider_rows)."""
    if state not in PROVIDER_REPORTS:
        raise InvalidInput(f"{state} is not something a provider reports", field="state")
    return _apply_outcome(session, message, state, detail, provider_message_id, actor, now)


def _apply_outcome(
    session: Session,
    message: OutboxMessage,
    state: OutboxState,
    detail: str | None,
    provider_message_id: str | None,
    actor: str,
    now: datetime,
) -> bool:
    if not can_move(OutboxState(message.state), state):
        return False
    transition(session, message, state, now=now, actor=actor, detail=detail)
    message.lease_owner = None
    message.lease_expires_at = None
    message.ambiguous_since = None
    message.next_attempt_at = None
    message.provider_message_id = message.provider_message_id or provider_message_id
    message.sent_at = message.sent_at or now
    return True
