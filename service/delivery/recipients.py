"""One recipient's mail (a representative's office), whatever the reason to act on it: an
organiser's pause, an address the provider reports failing, a spam report, a corrected
address. Three use cases, the only ones that touch a recipient's rows as a whole:

- hold_recipient: keep back the queued rows, and every row enqueued from now on (the switch
  is the recipient's pace row, delivery_pace.held_reason, which enqueue() reads);
- release_recipient: lift the hold; the held rows are queued again, at fresh slots of the
  recipient's pace when the caller gives it (their old slots passed while they waited);
- readdress_recipient: rows not yet sent that were addressed to the old address go to the
  new one; rows a worker or the provider has keep theirs, and their history.

None commits: each runs in the caller's transaction with the change that causes it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.delivery.models import DeliveryPace, OutboxMessage, domain_of, note, transition
from service.delivery.scheduler import Pacing, lock_pace, replan
from service.delivery.states import OutboxState
from service.errors import InvalidInput

log = logging.getLogger("repmail.delivery")
S = OutboxState
# Rows nobody is sending yet: changing their recipient changes nothing already done.
_UNSENT = (S.queued, S.held)


def recipient_hold(session: Session, key: str) -> str | None:
    """Why `key`'s mail is held, or None."""
    reason = session.exec(select(DeliveryPace.held_reason).where(DeliveryPace.key == key)).first()
    return reason or None


def hold_recipient(session: Session, key: str, reason: str, *, actor: str, now: datetime) -> int:
    """Hold `key`'s queued rows and every row enqueued for it from now on, for `reason` (a
    new reason replaces the old one; rows already held stay held). Returns how many queued
    rows were held."""
    pace = lock_pace(session, key, now)
    pace.held_reason = reason[:200]
    pace.updated_at = now
    session.add(pace)
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.pace_key == key, OutboxMessage.state == S.queued)
        .with_for_update()
    ).all()
    for row in rows:
        transition(session, row, S.held, now=now, actor=actor, detail=reason)
        row.next_attempt_at = None
        session.add(row)
    log.warning("recipient held", extra={"pace_key": key, "held": len(rows)})
    return len(rows)


def release_recipient(
    session: Session, key: str, *, actor: str, now: datetime, pacing: Pacing | None = None
) -> int:
    """Lift the hold on `key`: its held rows are queued again. With `pacing`, the
    recipient's queue is re-slotted from now at that pace (never all at once); without it,
    each row keeps its slot, due now if that has passed. Returns how many rows were
    released (0 when nothing was held)."""
    pace = lock_pace(session, key, now)
    pace.held_reason = None
    pace.updated_at = now
    session.add(pace)
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.pace_key == key, OutboxMessage.state == S.held)
        .with_for_update()
    ).all()
    for row in rows:
        transition(session, row, S.queued, now=now, actor=actor, detail="recipient released")
        row.next_attempt_at = max(now, row.not_before) if row.not_before else now
        session.add(row)
    if rows and pacing is not None:
        session.flush()
        replan(session, pacing, now)
    log.warning("recipient released", extra={"pace_key": key, "released": len(rows)})
    return len(rows)


@dataclass(frozen=True, slots=True)
class Readdressed:
    redirected: int  # unsent rows that will go to the new address
    on_their_way: int  # rows a worker had already taken: they keep the old address


def readdress_recipient(
    session: Session,
    key: str,
    old_email: str | None,
    new_email: str,
    *,
    actor: str,
    now: datetime,
) -> Readdressed:
    """Point `key`'s unsent rows addressed to `old_email` at `new_email`. Only rows to the
    old address move: a campaign in test mode keeps sending to its organiser."""
    if "@" not in new_email or any(c in new_email for c in "\r\n"):
        raise InvalidInput("The new address is not an email address.", field="email")
    if not old_email:
        return Readdressed(0, 0)
    same_address = func.lower(OutboxMessage.to_email) == old_email.lower()
    rows = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.pace_key == key,
            col(OutboxMessage.state).in_(_UNSENT),
            same_address,
        )
        .with_for_update()
    ).all()
    for row in rows:
        row.to_email = new_email
        row.to_domain = domain_of(new_email)
        row.updated_at = now
        session.add(row)
        note(session, row, now=now, actor=actor, detail="recipient address corrected")
    sending = session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.pace_key == key, OutboxMessage.state == S.sending, same_address)
    ).one()
    return Readdressed(len(rows), int(sending))


def held_counts(session: Session, keys: list[str]) -> dict[str, int]:
    """Rows held per recipient (for the worklist and the representatives' pages)."""
    if not keys:
        return {}
    rows = session.exec(
        select(OutboxMessage.pace_key, func.count())
        .where(col(OutboxMessage.pace_key).in_(keys), OutboxMessage.state == S.held)
        .group_by(col(OutboxMessage.pace_key))
    ).all()
    return {str(key): int(count) for key, count in rows}
