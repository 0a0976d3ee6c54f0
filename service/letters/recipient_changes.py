"""What a representative's letters do when organisers change the representative: a pause keeps
their queued letters back in the outbox (the letters stay queued; past the deadline the usual
job rejects them and tells their writers), a resume gives each a fresh slot in the
representative's schedule, and a corrected address redirects the letters not yet sent. None
of these commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.config import Settings
from service.delivery import readdress, scheduler
from service.delivery import service as delivery
from service.delivery.models import OutboxMessage
from service.delivery.states import InvalidTransition, OutboxState
from service.letters.models import Letter
from service.letters.plan import pacing_for
from service.letters.queries import campaign_of, recipient_of
from service.letters.states import LetterStatus

PAUSED = "representative paused by the organisers"


def _queued(session: Session, representative_id: str) -> list[tuple[Letter, OutboxMessage]]:
    rows = session.exec(
        select(Letter, OutboxMessage)
        .join(OutboxMessage, col(OutboxMessage.id) == Letter.outbox_id)
        .where(
            Letter.representative_id == representative_id,
            Letter.status == LetterStatus.queued,
        )
        .order_by(col(OutboxMessage.not_before), col(Letter.id))
    ).all()
    return [(letter, message) for letter, message in rows]


def hold_queued(session: Session, representative_id: str, *, actor: str, now: datetime) -> int:
    """Keep back every queued letter to the representative; returns how many. A letter a
    worker is sending at this moment cannot be stopped and goes."""
    held = 0
    for _letter, message in _queued(session, representative_id):
        if message.state != OutboxState.queued:
            continue
        try:
            delivery.hold(session, message.id, PAUSED, actor=actor, now=now)
        except InvalidTransition:
            continue
        held += 1
    return held


def release_held(
    session: Session, settings: Settings, representative_id: str, *, actor: str, now: datetime
) -> int:
    """Queue again the letters a pause kept back, each at a new slot of the representative's
    pace (their old slots passed while they waited)."""
    recipient = recipient_of(session, representative_id)
    released = 0
    for letter, message in _queued(session, representative_id):
        if message.state != OutboxState.held:
            continue
        pacing = pacing_for(
            campaign_of(session, letter), recipient.id, recipient.timezone, settings.delivery
        )
        slot = scheduler.book(session, pacing, now)
        delivery.release(session, message.id, not_before=slot, actor=actor, now=now)
        released += 1
    return released


@dataclass(frozen=True, slots=True)
class Redirected:
    redirected: int  # unsent letters that will go to the new address
    on_their_way: int  # letters a worker had already taken: they keep the old address


def redirect_unsent(
    session: Session,
    representative_id: str,
    old_email: str | None,
    email: str,
    *,
    actor: str,
    now: datetime,
) -> Redirected:
    """Only rows addressed to the old address move: a campaign in test mode keeps sending
    to its organiser."""
    redirected = on_their_way = 0
    for _letter, message in _queued(session, representative_id):
        if not old_email or message.to_email.lower() != old_email.lower():
            continue
        if readdress.readdress(session, message.id, email, actor=actor, now=now):
            redirected += 1
        else:
            on_their_way += 1
    return Redirected(redirected, on_their_way)


def letter_counts(session: Session, representative_id: str) -> dict[str, int]:
    """Letters to the representative by status (every campaign)."""
    rows = session.exec(
        select(Letter.status, func.count())
        .where(Letter.representative_id == representative_id)
        .group_by(Letter.status)
    ).all()
    return {str(status): int(count) for status, count in rows}
