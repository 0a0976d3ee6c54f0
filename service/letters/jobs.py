"""Periodic jobs the worker calls: the one reminder, purging what was never confirmed (and
erasing its mail from the outbox), and rejecting letters the deadline left behind. Each is
one transaction (it commits) and handles at most `job_batch_size` letters a call."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import exists, or_
from sqlmodel import Session, col, select

from service.campaigns.models import Campaign
from service.config import Settings, get_settings
from service.db import use_case
from service.delivery import service as delivery
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.letters import guards
from service.letters.events import SYSTEM, change_of, move
from service.letters.models import Letter, LetterEvent
from service.letters.outbox import queue_supporter_mail
from service.letters.queries import campaign_of, recipient_of
from service.letters.states import LetterStatus
from service.stats.counting import letters_changed

log = logging.getLogger("repmail.letters")
S = OutboxState
# Rate-limit windows are at most a day; older counters are dead weight.
COUNTER_RETENTION = timedelta(days=2)


def send_due_reminders(session: Session, now: datetime, *, settings: Settings | None = None) -> int:
    """Queue the one reminder for letters still unconfirmed `reminder_after_hours` after they
    were written, while their link and their campaign are still open. Returns how many."""
    settings = settings or get_settings()
    cfg = settings.letters
    with use_case(session):
        due = session.exec(
            select(Letter)
            .join(Campaign, col(Campaign.id) == Letter.campaign_id)
            .where(
                Letter.status == LetterStatus.pending_confirmation,
                col(Letter.reminder_sent_at).is_(None),
                col(Letter.created_at) <= now - timedelta(hours=cfg.reminder_after_hours),
                col(Letter.confirm_expires_at) > now,
                col(Campaign.deadline) > now,
            )
            .order_by(col(Letter.created_at))
            .limit(cfg.job_batch_size)
        ).all()
        for letter in due:
            recipient = recipient_of(session, letter.representative_id)
            campaign = campaign_of(session, letter)
            queue_supporter_mail(
                session, settings, letter, recipient, campaign, MessageKind.reminder, now
            )
            letter.reminder_sent_at = now
            session.add(letter)
        session.commit()
    if due:
        log.info("reminders queued", extra={"count": len(due)})
    return len(due)


def purge_expired(session: Session, now: datetime, *, settings: Settings | None = None) -> int:
    """Delete letters whose confirmation link expired unconfirmed (with their history), and
    rate-limit counters past use. Returns how many letters were deleted."""
    settings = settings or get_settings()
    with use_case(session):
        ids = session.exec(
            select(Letter.id)
            .where(
                col(Letter.status).in_([LetterStatus.pending_confirmation, LetterStatus.expired]),
                col(Letter.confirm_expires_at) <= now,
            )
            .limit(settings.letters.job_batch_size)
        ).all()
        if ids:
            for event in session.exec(
                select(LetterEvent).where(col(LetterEvent.letter_id).in_(ids))
            ):
                session.delete(event)
            session.flush()
            gone = session.exec(select(Letter).where(col(Letter.id).in_(ids))).all()
            letters_changed(
                session,
                [change_of(x, (str(x.status), x.hold_reason), None, now) for x in gone],
            )
            for letter in gone:
                session.delete(letter)
            session.flush()
        _forget_mail(session, ids, now, settings)
        guards.purge_counters(session, now - COUNTER_RETENTION)
        session.commit()
    if ids:
        log.info("unconfirmed letters purged", extra={"count": len(ids)})
    return len(ids)


def _forget_mail(
    session: Session, purged: Sequence[str], now: datetime, settings: Settings
) -> None:
    """The outbox rows of letters that no longer exist keep no personal data: unsent ones
    are cancelled, all are erased. Those purged here, and any left over (a row that was
    being sent at the time, a letter replaced by a new attempt once its link expired); the
    first row of such a letter is older than a confirmation link's life."""
    cfg = settings.letters
    orphans = session.exec(
        select(OutboxMessage.letter_id)
        .where(
            col(OutboxMessage.letter_id).is_not(None),
            col(OutboxMessage.created_at) <= now - timedelta(days=cfg.confirmation_valid_days),
            col(OutboxMessage.redacted_at).is_(None),
            OutboxMessage.state != OutboxState.sending,
            ~exists().where(col(Letter.id) == OutboxMessage.letter_id),
        )
        .distinct()
        .limit(cfg.job_batch_size)
    ).all()
    delivery.forget_letters(session, sorted({*purged, *(i for i in orphans if i)}), now=now)


def reject_missed(session: Session, now: datetime, *, settings: Settings | None = None) -> int:
    """Letters the deadline left behind (confirmed, held, or queued but not sent when their
    campaign's deadline passed) are rejected, and each supporter is told in their language.
    Returns how many."""
    settings = settings or get_settings()
    unsent = [S.queued, S.held, S.expired, S.cancelled, S.failed]
    with use_case(session):
        missed = session.exec(
            select(Letter)
            .join(Campaign, col(Campaign.id) == Letter.campaign_id)
            .outerjoin(OutboxMessage, col(OutboxMessage.id) == Letter.outbox_id)
            .where(
                col(Letter.status).in_(
                    [LetterStatus.confirmed, LetterStatus.held, LetterStatus.queued]
                ),
                col(Campaign.deadline) <= now,
                or_(col(OutboxMessage.id).is_(None), col(OutboxMessage.state).in_(unsent)),
            )
            .order_by(col(Letter.created_at))
            .limit(settings.letters.job_batch_size)
            .with_for_update(of=Letter)
        ).all()
        for letter in missed:
            move(session, letter, LetterStatus.rejected, now, "deadline passed", actor=SYSTEM)
            recipient = recipient_of(session, letter.representative_id)
            campaign = campaign_of(session, letter)
            queue_supporter_mail(
                session, settings, letter, recipient, campaign, MessageKind.notice, now
            )
        session.commit()
    if missed:
        log.warning("letters missed the deadline", extra={"count": len(missed)})
    return len(missed)
