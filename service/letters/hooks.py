"""What letters give the delivery worker and tracking at start-up (app and cli wire them): the
listener told when the provider accepted a letter's row, the one told what became of it
(delivered, or failed and why), and the periodic jobs that belong to letters. Delivery and
tracking import no letters; they call these through their own Protocols."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, col, select

from service.config import Settings
from service.delivery.jobs import Periodic
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.letters import messages
from service.letters.events import change_of, move
from service.letters.jobs import purge_expired, reject_missed, send_due_reminders
from service.letters.models import Letter, LetterEvent
from service.letters.moderation import record_delivery
from service.letters.outbox import queue_supporter_mail
from service.letters.plan import repace_overdue
from service.letters.privacy import scrub_after_retention
from service.letters.queries import campaign_of, recipient_of
from service.letters.replies import plan_surveys, send_due_surveys
from service.letters.states import LetterStatus, require_move
from service.stats import counting
from service.stats.counting import letters_changed


def tell_letters(session: Session, messages: Sequence[OutboxMessage], now: datetime) -> None:
    """delivery.queue.SentListener: each letter moves to "sent" with its outbox row, and
    the dashboard counts the send against its receiving domain."""
    counting.DELIVERY.sent(session, messages, now)
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
            ("replies", lambda s, now: send_due_surveys(s, now, settings=settings)),
            ("retention", lambda s, now: scrub_after_retention(s, settings, now)),
        ),
        interval_seconds=settings.delivery.jobs_interval_seconds,
    )


# Who moved a letter on the provider's word (the letter event's actor).
PROVIDER = "provider"


class DeliveryNews(Protocol):
    """What tracking reports about one letter (tracking.listeners.LetterOutcome)."""

    @property
    def letter_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def failure(self) -> str | None: ...


class LetterTracking:
    """tracking.listeners.LetterOutcomes: a delivered letter says so, with the time; a failed
    one is bounced, with the reason, and its supporter is told in their language."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def apply(self, session: Session, outcomes: Sequence[DeliveryNews]) -> None:
        ids = [outcome.letter_id for outcome in outcomes]
        letters = {
            letter.id: letter
            for letter in session.exec(select(Letter).where(col(Letter.id).in_(ids))).all()
        }
        history: list[dict[str, object]] = []
        delivered: list[tuple[Letter, datetime]] = []
        for outcome in outcomes:
            letter = letters.get(outcome.letter_id)
            if letter is None:  # deleted since (erasure): nothing to tell
                continue
            if outcome.failure is None:
                if self._delivered(session, letter, outcome.at, history):
                    delivered.append((letter, outcome.at))
            else:
                self._failed(session, letter, outcome.failure, outcome.at)
        if history:  # one executemany for the batch's deliveries
            session.connection().execute(LetterEvent.__table__.insert(), history)  # type: ignore[attr-defined]
        plan_surveys(session, delivered)  # "did they reply?" some days later

    def _delivered(
        self, session: Session, letter: Letter, at: datetime, history: list[dict[str, object]]
    ) -> bool:
        """Delivered letters are the bulk of a batch: their moves are checked like any other
        (require_move) and their history rows written together by apply()."""
        steps = [LetterStatus.sent] if letter.status == LetterStatus.queued else []
        if letter.status in (LetterStatus.queued, LetterStatus.sent):
            steps.append(LetterStatus.delivered)
        hold = letter.hold_reason
        for target in steps:  # queued first goes to sent: the worker's record has not landed
            current = LetterStatus(letter.status)
            require_move(current, target)
            letters_changed(
                session, [change_of(letter, (current, hold), (target, hold), at, target)]
            )
            history.append(
                {
                    "letter_id": letter.id,
                    "at": at,
                    "from_status": current,
                    "to_status": target,
                    "actor": PROVIDER,
                    "detail": None,
                }
            )
            letter.status = target
            letter.updated_at = at
        return bool(steps)

    def _failed(self, session: Session, letter: Letter, failure: str, at: datetime) -> None:
        if letter.status not in (LetterStatus.queued, LetterStatus.sent, LetterStatus.delivered):
            return
        move(session, letter, LetterStatus.bounced, at, failure, actor=PROVIDER)
        recipient = recipient_of(session, letter.representative_id)
        queue_supporter_mail(
            session,
            self.settings,
            letter,
            recipient,
            campaign_of(session, letter),
            MessageKind.notice,
            at,
            base="bounced",
            explanation=messages.bounce_reason(failure, letter.ui_lang, recipient.name),
        )
