"""What letters give the delivery worker at start-up (app and cli wire them): the listener told
when the provider accepted a letter's row, and the periodic jobs that belong to letters.
Delivery imports no other domain; it calls these through its own Protocols."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from service.config import Settings
from service.delivery.jobs import Periodic
from service.delivery.models import OutboxMessage
from service.letters.jobs import purge_expired, reject_missed, send_due_reminders
from service.letters.models import Letter
from service.letters.moderation import record_delivery
from service.letters.plan import repace_overdue
from service.letters.privacy import scrub_after_retention
from service.letters.states import LetterStatus


def tell_letters(session: Session, messages: Sequence[OutboxMessage], now: datetime) -> None:
    """delivery.queue.SentListener: each letter moves to "sent" with its outbox row."""
    ids = [message.letter_id for message in messages if message.letter_id]
    # One query loads them all; record_delivery then finds each in the session.
    session.exec(select(Letter).where(col(Letter.id).in_(ids))).all()
    for letter_id in ids:
        record_delivery(session, letter_id, LetterStatus.sent, now=now)


def letter_jobs(settings: Settings) -> Periodic:
    """The jobs `repmail worker` and the embedded worker run."""
    return Periodic(
        jobs=(
            ("reminders", lambda s, now: send_due_reminders(s, now, settings=settings)),
            ("missed_deadlines", lambda s, now: reject_missed(s, now, settings=settings)),
            ("purge", lambda s, now: purge_expired(s, now, settings=settings)),
            ("overdue", lambda s, now: repace_overdue(s, settings.delivery, now)),
            ("retention", lambda s, now: scrub_after_retention(s, settings, now)),
        ),
        interval_seconds=settings.delivery.jobs_interval_seconds,
    )
