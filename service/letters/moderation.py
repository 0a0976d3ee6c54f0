"""Organisers' decisions on held letters, and the hook delivery and tracking use to report
progress. Each decision records who took it and uses the settings it is given."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from service.config import Settings
from service.db import use_case
from service.errors import Conflict
from service.letters.compose import Recipient
from service.letters.events import SYSTEM, move
from service.letters.models import Letter
from service.letters.outbox import queue_letter
from service.letters.queries import campaign_of, find_letter, recipient_of
from service.letters.schemas import LetterStatusOut
from service.letters.states import LetterStatus
from service.letters.status import status_view


def release_letter(
    session: Session, settings: Settings, letter_id: str, *, actor: str, now: datetime
) -> LetterStatusOut:
    """An organiser (`actor`) sends a held letter on."""
    with use_case(session):
        letter = find_letter(session, letter_id, for_update=True)
        recipient = release_held(session, settings, letter, actor=actor, now=now)
        session.commit()
        return status_view(session, letter, recipient)


def release_held(
    session: Session, settings: Settings, letter: Letter, *, actor: str, now: datetime
) -> Recipient:
    """The release itself, inside the caller's transaction (the letter locked by the caller)."""
    recipient = recipient_of(session, letter.representative_id)
    if letter.status != LetterStatus.held:
        raise Conflict("Only a held letter can be released.", field="status")
    if not recipient.can_write:
        raise Conflict(f"{recipient.name} cannot be written to yet.", field="representative_id")
    if now >= campaign_of(session, letter).deadline:
        raise Conflict(
            "The campaign's deadline has passed: this letter can no longer be sent.",
            field="status",
        )
    queue_letter(session, letter, recipient, now, "released", settings.delivery, actor=actor)
    return recipient


def reject_letter(
    session: Session, letter_id: str, *, actor: str, now: datetime
) -> LetterStatusOut:
    """An organiser (`actor`) decides a held letter is not sent."""
    with use_case(session):
        letter = find_letter(session, letter_id, for_update=True)
        recipient = recipient_of(session, letter.representative_id)
        move(session, letter, LetterStatus.rejected, now, "rejected", actor=actor)
        session.commit()
        return status_view(session, letter, recipient)


def record_delivery(
    session: Session, letter_id: str, status: LetterStatus, *, now: datetime, actor: str = SYSTEM
) -> bool:
    """For delivery and tracking: move a letter to sent/delivered/bounced inside the caller's
    transaction (no commit). False when the letter is gone or already past that state."""
    letter = session.get(Letter, letter_id)
    if letter is None or status == letter.status:
        return False
    move(session, letter, status, now, actor=actor)
    return True
