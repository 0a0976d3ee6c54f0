"""A supporter's new letter: checked, counted against the rate limits, assessed, stored, and its
confirmation email (or a note about the address's first letter) queued, all in one
transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from service.campaigns.models import Campaign
from service.campaigns.schemas import CampaignView
from service.campaigns.service import campaign_snapshot, require_open
from service.config import LetterSettings, Settings
from service.db import use_case
from service.delivery.schemas import MessageKind
from service.errors import InvalidInput
from service.letters import guards
from service.letters.assessment import assess, hold_message
from service.letters.compose import Recipient, campaign_subject
from service.letters.consent import record_consent
from service.letters.events import SUPPORTER, record_event
from service.letters.guards import Hit
from service.letters.links import status_url
from service.letters.models import Letter, new_letter_id
from service.letters.one_letter import WRITTEN_BEFORE, confirmed_first
from service.letters.outbox import queue_supporter_mail
from service.letters.queries import campaign_view, recipient_of, templates_for
from service.letters.schemas import LetterIn, SubmitOut
from service.letters.states import HoldReason, LetterStatus
from service.letters.tokens import confirmation_token, token_hash

log = logging.getLogger("repmail.letters")
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def submit_letter(
    session: Session, settings: Settings, data: LetterIn, *, client_ip: str | None, now: datetime
) -> SubmitOut:
    """Store a new letter and queue its confirmation email, in one transaction.

    Every accepted submission is answered the same way, whether or not its address wrote
    to this representative before (see one_letter). Raises InvalidInput (honeypot, unknown
    or unwritable representative, unknown demand), NotFound (campaign), CampaignClosed,
    TooManyRequests."""
    with use_case(session):
        guards.refuse_honeypot(data.website)
        campaign, view, recipient = _target(session, data, now)
        key = guards.email_key(data.email)
        hits = _submission_hits(settings.letters, client_ip, key)
        guards.count_hits(session, secret=settings.secret_key, hits=hits, now=now)
        assert campaign.id is not None
        first = confirmed_first(session, campaign.id, recipient.id, key)
        fingerprint, hold, report = assess(
            session, settings, recipient.id, data.message, now, email_key=key, campaign=view
        )
        letter = _new_letter(
            settings,
            data,
            view,
            templates_for(session, view, recipient.language).subjects,
            recipient,
            key,
            client_ip,
            now,
            hold_reason=hold,
            similarity=report.score,
            fingerprint=fingerprint,
            # No reminder either for a letter whose confirmation is never sent.
            reminder_sent_at=now if first is not None else None,
        )
        # A plain INSERT: the use case renders from `letter` and never reads it back.
        session.connection().execute(_INSERT_LETTER, letter.model_dump())
        record_event(session, letter, None, LetterStatus.pending_confirmation, now, actor=SUPPORTER)
        record_consent(session, letter.id, letter.ui_lang, now)
        if first is None:
            queue_supporter_mail(
                session, settings, letter, recipient, campaign, MessageKind.confirmation, now
            )
        else:  # the address's owner learns it, by email; the answer below is the same
            queue_supporter_mail(
                session,
                settings,
                first,
                recipient,
                campaign,
                MessageKind.notice,
                now,
                base=WRITTEN_BEFORE,
            )
        session.commit()
        log.info("letter submitted", extra={"letter_id": letter.id, "held": bool(hold)})
        return SubmitOut(
            id=letter.id,
            status=LetterStatus.pending_confirmation,
            status_url=status_url(settings, letter.id),
            hold_reason=hold,
            message=hold_message(hold, letter.ui_lang, recipient.name, report.similar_letters),
        )


_INSERT_LETTER = Letter.__table__.insert()  # type: ignore[attr-defined]


def _target(
    session: Session, data: LetterIn, now: datetime
) -> tuple[Campaign, CampaignView, Recipient]:
    """The open campaign, in the representative's language, and a representative who can be
    written to; the demands chosen must be the campaign's."""
    campaign = campaign_snapshot(session, data.campaign)
    require_open(campaign, now)
    recipient = recipient_of(session, data.representative_id)
    if not recipient.can_write:
        raise InvalidInput(
            f"{recipient.name} cannot be written to yet: we have no official address for this "
            "seat, or it is vacant.",
            field="representative_id",
        )
    view = campaign_view(session, campaign, recipient.language)
    if any(not view.offers(n) for n in data.demands):
        raise InvalidInput(
            f"This campaign has demands 1 to {len(view.demands)}; choose among them.",
            field="demands",
        )
    return campaign, view, recipient


def _new_letter(
    settings: Settings,
    data: LetterIn,
    view: CampaignView,
    subjects: Sequence[str],
    recipient: Recipient,
    email_key: str,
    client_ip: str | None,
    now: datetime,
    *,
    hold_reason: HoldReason | None,
    similarity: float,
    fingerprint: bytes,
    reminder_sent_at: datetime | None,
) -> Letter:
    """The letter's record, with the assessment's findings. A plain record, not an ORM
    object: the use case inserts it with Core and never adds it to the session, and
    validating a table model cost more than the insert itself."""
    assert view.id is not None
    expires = now + timedelta(days=settings.letters.confirmation_valid_days)
    letter_id = new_letter_id()
    token = confirmation_token(settings.secret_key, letter_id, expires)
    return Letter.model_construct(
        id=letter_id,
        campaign_id=view.id,
        representative_id=recipient.id,
        language=recipient.language,
        ui_lang=data.lang.value if data.lang else recipient.language,
        name=data.name,
        email=data.email,
        email_key=email_key,
        postcode=data.postcode,
        address=data.address,
        message=data.message,
        # In the campaign's order (organisers may reorder the demands).
        demands=",".join(str(n) for n in view.in_order(data.demands)),
        subject=data.subject or campaign_subject(view, data.email, subjects),
        subject_is_own=bool(data.subject),
        consent_at=now,
        updates=data.updates,
        ip_hash=guards.ip_hash(settings.secret_key, client_ip) if client_ip else None,
        confirm_token_hash=token_hash(token),
        confirm_expires_at=expires,
        confirmation_sent_at=now,
        created_at=now,
        updated_at=now,
        hold_reason=hold_reason,
        similarity=similarity,
        fingerprint=fingerprint,
        reminder_sent_at=reminder_sent_at,
    )


def _submission_hits(cfg: LetterSettings, client_ip: str | None, email_key: str) -> list[Hit]:
    """What a submission counts against: its connection (when known) and its email address.
    A refused submission counts nothing (its transaction rolls back); a repeated one that
    re-sends a confirmation counts against the address it mails."""
    by_email = Hit(
        bucket="letters-email",
        key=email_key,
        limit=cfg.letters_per_email_per_day,
        window=DAY,
        message="Too many letters have been written with this email address today. "
        "Please try again tomorrow.",
    )
    if not client_ip:
        return [by_email]
    by_ip = Hit(
        bucket="letters-ip",
        key=client_ip,
        limit=cfg.letters_per_ip_per_hour,
        window=HOUR,
        message="Too many letters have been sent from your connection in the last hour. "
        "Please try again later.",
    )
    return [by_ip, by_email]
