"""Sending unsent messages to a corrected address: an organiser fixed a representative's
email, and the letters already queued for them (snapshots carrying the old address) must go to
the new one. Rows the provider has, or a worker is sending, keep their address and history."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from service.delivery.models import OutboxMessage, domain_of, note
from service.delivery.states import OutboxState

# Rows nobody is sending yet: changing their recipient changes nothing already done.
_UNSENT = frozenset({OutboxState.queued, OutboxState.held})


def readdress(
    session: Session, outbox_id: str, to_email: str, *, actor: str, now: datetime
) -> bool:
    """Point one unsent row at `to_email` (locked, in the caller's transaction). False when
    it is already on its way or done: it keeps the address it was sent to."""
    message = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if message is None or OutboxState(message.state) not in _UNSENT:
        return False
    if message.to_email == to_email:
        return True
    message.to_email = to_email
    message.to_domain = domain_of(to_email)
    message.updated_at = now
    session.add(message)
    note(session, message, now=now, actor=actor, detail="recipient address corrected")
    return True
