"""Letter use cases, one transaction each (each commits once, or rolls back whatever it wrote
when it refuses): submit (submission.py), confirm, status, revise and similarity
(paragraph.py), preview, the organisers' release and reject (moderation.py), and the periodic
jobs for the worker (jobs.py). The JSON routes and the web pages call the same functions."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from service.config import Settings
from service.db import use_case
from service.delivery.schemas import MessageKind
from service.letters.events import SUPPORTER, SYSTEM, move, set_hold_reason
from service.letters.jobs import purge_expired, reject_missed, send_due_reminders
from service.letters.moderation import record_delivery, reject_letter, release_letter
from service.letters.one_letter import claim_confirmation
from service.letters.outbox import queue_letter, queue_supporter_mail
from service.letters.paragraph import check_similarity, revise_message
from service.letters.queries import (
    campaign_of,
    find_letter,
    letter_gone,
    letter_of_link,
    recipient_of,
)
from service.letters.schemas import LetterStatusOut
from service.letters.states import HoldReason, LetterStatus
from service.letters.status import status_view
from service.letters.submission import submit_letter
from service.letters.tokens import LinkExpired, read_confirmation_token, read_status_token

__all__ = [
    "check_similarity",
    "confirm_letter",
    "confirmation_status",
    "letter_status",
    "purge_expired",
    "record_delivery",
    "reject_letter",
    "reject_missed",
    "release_letter",
    "revise_message",
    "send_due_reminders",
    "submit_letter",
]

log = logging.getLogger("repmail.letters")


def confirm_letter(
    session: Session, settings: Settings, token: str, *, now: datetime
) -> LetterStatusOut:
    """The supporter's click. Queues the letter for the representative (or holds it for
    review, or rejects it when the deadline has passed). A link that was already used changes
    nothing and shows the letter's status. Raises NotFound (forged, or purged) and
    LinkExpired (410; the letter is marked expired)."""
    with use_case(session):
        try:
            letter_id = read_confirmation_token(settings.secret_key, token, now)
        except LinkExpired:
            confirmed_earlier = _expire(session, token, now)
            if confirmed_earlier is None:
                raise
            return confirmed_earlier
        letter = letter_of_link(session, token, for_update=True)
        if letter is None or letter.id != letter_id:
            raise letter_gone()
        recipient = recipient_of(session, letter.representative_id)
        if letter.status != LetterStatus.pending_confirmation:
            return status_view(session, letter, recipient)
        campaign = campaign_of(session, letter)
        if now >= campaign.deadline:
            move(session, letter, LetterStatus.rejected, now, "deadline passed", actor=SYSTEM)
            queue_supporter_mail(
                session, settings, letter, recipient, campaign, MessageKind.notice, now
            )
        else:
            first = claim_confirmation(session, letter, now)
            if first is not None:  # this address's letter to them was confirmed before
                move(session, letter, LetterStatus.rejected, now, "written before", actor=SYSTEM)
                session.commit()
                return status_view(session, first, recipient)
            move(session, letter, LetterStatus.confirmed, now, actor=SUPPORTER)
            if not recipient.can_write:
                set_hold_reason(session, letter, HoldReason.representative_unavailable, now)
            if letter.hold_reason:
                move(session, letter, LetterStatus.held, now, letter.hold_reason, actor=SYSTEM)
            else:
                queue_letter(
                    session, letter, recipient, now, "confirmed", settings.delivery, actor=SUPPORTER
                )
        session.commit()
        log.info("letter confirmed", extra={"letter_id": letter.id, "status": letter.status})
        return status_view(session, letter, recipient)


def confirmation_status(
    session: Session, settings: Settings, token: str, *, now: datetime
) -> LetterStatusOut:
    """Where the letter behind a confirmation link is, changing nothing. The page at the link
    shows this and asks for the click that confirms (confirm_letter): mail scanners that open
    every link in an email must not send letters. Raises NotFound (forged, or purged) and
    LinkExpired (the link ran out before the letter was confirmed)."""
    try:
        letter_id: str | None = read_confirmation_token(settings.secret_key, token, now)
        expired: LinkExpired | None = None
    except LinkExpired as exc:
        letter_id, expired = None, exc
    letter = letter_of_link(session, token)
    if letter is None or (letter_id is not None and letter.id != letter_id):
        raise letter_gone()
    never_confirmed = letter.status in (LetterStatus.pending_confirmation, LetterStatus.expired)
    if expired is not None and never_confirmed:
        raise expired
    return status_view(session, letter, recipient_of(session, letter.representative_id))


def _expire(session: Session, token: str, now: datetime) -> LetterStatusOut | None:
    """An expired (but genuine) link: a letter confirmed in time just shows its status;
    one never confirmed is marked expired (and the caller refuses the click)."""
    letter = letter_of_link(session, token)
    if letter is None:
        return None
    if letter.status == LetterStatus.pending_confirmation:
        move(session, letter, LetterStatus.expired, now, "link expired", actor=SYSTEM)
        session.commit()
        return None
    if letter.status == LetterStatus.expired:
        return None
    recipient = recipient_of(session, letter.representative_id)
    return status_view(session, letter, recipient)


def letter_status(session: Session, settings: Settings, token: str) -> LetterStatusOut:
    """Where a letter is, from its long-lived status link. Raises NotFound."""
    letter = find_letter(session, read_status_token(settings.secret_key, token))
    recipient = recipient_of(session, letter.representative_id)
    return status_view(session, letter, recipient)
