"""Letter use cases, one transaction each (each commits once, or rolls back whatever it wrote
when it refuses): submit, confirm, status, revise, similarity, preview, the organisers'
release and reject, and the periodic jobs for the worker (send_due_reminders, purge_expired,
reject_missed).
The JSON routes and the web pages call the same functions."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.campaigns.models import Campaign
from service.campaigns.service import campaign_snapshot, require_open
from service.config import LetterSettings, Settings
from service.delivery.schemas import MessageKind
from service.errors import InvalidInput
from service.letters import guards
from service.letters.compose import (
    Draft,
    Recipient,
    RenderedLetter,
    campaign_subject,
    render_letter,
)
from service.letters.guards import Hit
from service.letters.jobs import purge_expired, reject_missed, send_due_reminders
from service.letters.models import Letter, new_letter_id
from service.letters.moderation import record_delivery, reject_letter, release_letter
from service.letters.paragraph import check_similarity, revise_message
from service.letters.queries import (
    campaign_of,
    campaign_view,
    events_of,
    existing_letter,
    find_letter,
    letter_gone,
    letter_of_link,
    recipient_of,
    templates_for,
)
from service.letters.schemas import (
    LetterIn,
    LetterStatusOut,
    SubmitOut,
)
from service.letters.states import HoldReason, LetterStatus
from service.letters.status import status_view
from service.letters.steps import (
    DuplicateLetter,
    assess,
    hold_message,
    move,
    queue_letter,
    queue_supporter_mail,
    record_event,
    status_url,
    use_case,
)
from service.letters.tokens import (
    LinkExpired,
    confirmation_token,
    read_confirmation_token,
    read_status_token,
    token_hash,
)

__all__ = [
    "DuplicateLetter",
    "check_similarity",
    "confirm_letter",
    "confirmation_status",
    "letter_status",
    "preview_letter",
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
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def submit_letter(
    session: Session, settings: Settings, data: LetterIn, *, client_ip: str | None, now: datetime
) -> SubmitOut:
    """Store a new letter and queue its confirmation email, in one transaction.

    Raises InvalidInput (honeypot, unknown or unwritable representative, unknown demand),
    NotFound (campaign), CampaignClosed, TooManyRequests, DuplicateLetter (after re-sending
    the confirmation of a still-pending first letter, at most every few minutes)."""
    with use_case(session):
        guards.refuse_honeypot(data.website)
        campaign = campaign_snapshot(session, data.campaign)
        require_open(campaign, now)
        recipient = recipient_of(session, data.representative_id)
        if not recipient.can_write:
            raise InvalidInput(
                f"{recipient.name} cannot be written to yet: we have no official address for this "
                "seat, or it is vacant.",
                field="representative_id",
            )
        language = recipient.language
        view = campaign_view(session, campaign, language)
        unknown = [n for n in data.demands if view.demand(n) is None]
        if unknown:
            raise InvalidInput(
                f"This campaign has demands 1 to {len(view.demands)}; choose among them.",
                field="demands",
            )
        cfg = settings.letters
        key = guards.email_key(data.email)
        guards.count_hits(
            session, secret=settings.secret_key, hits=_submission_hits(cfg, client_ip, key), now=now
        )
        assert view.id is not None
        first = existing_letter(session, view.id, recipient.id, key)
        if first is not None:
            never_confirmed = first.status in (
                LetterStatus.pending_confirmation,
                LetterStatus.expired,
            )
            if never_confirmed and first.confirm_expires_at <= now:
                _delete(session, first)  # its link is dead: this attempt replaces it
            else:
                _refuse_duplicate(session, settings, first, recipient, campaign, now)
        fingerprint, hold, report = assess(
            session, settings, recipient.id, data.message, now, email_key=key
        )
        own = bool(data.subject)
        subject = data.subject or campaign_subject(view, data.email)
        ui_lang = data.lang.value if data.lang else language
        expires = now + timedelta(days=cfg.confirmation_valid_days)
        letter_id = new_letter_id()
        # A plain record, not an ORM object: the use case inserts it with Core and never adds
        # it to the session, and validating a table model cost more than the insert itself.
        letter = Letter.model_construct(
            id=letter_id,
            campaign_id=view.id,
            representative_id=recipient.id,
            language=language,
            ui_lang=ui_lang,
            name=data.name,
            email=data.email,
            email_key=key,
            postcode=data.postcode,
            address=data.address,
            message=data.message,
            demands=",".join(str(n) for n in data.demands),
            subject=subject,
            subject_is_own=own,
            consent_at=now,
            updates=data.updates,
            ip_hash=guards.ip_hash(settings.secret_key, client_ip) if client_ip else None,
            hold_reason=hold,
            similarity=report.score,
            fingerprint=fingerprint,
            confirm_token_hash=token_hash(
                confirmation_token(settings.secret_key, letter_id, expires)
            ),
            confirm_expires_at=expires,
            confirmation_sent_at=now,
            created_at=now,
            updated_at=now,
        )
        try:
            # A plain INSERT: the use case renders from `letter` and never reads it back.
            session.connection().execute(_INSERT_LETTER, letter.model_dump())
        except IntegrityError:  # a concurrent first attempt won the race
            raise DuplicateLetter(
                f"You have already written to {recipient.name} for this campaign.",
                status=LetterStatus.pending_confirmation,
                resent=False,
            ) from None
        record_event(session, letter.id, None, LetterStatus.pending_confirmation, now)
        queue_supporter_mail(
            session, settings, letter, recipient, campaign, MessageKind.confirmation, now
        )
        session.commit()
        log.info("letter submitted", extra={"letter_id": letter.id, "held": bool(hold)})
        return SubmitOut(
            id=letter.id,
            status=LetterStatus.pending_confirmation,
            status_url=status_url(settings, letter.id),
            hold_reason=hold,
            message=hold_message(hold, ui_lang, recipient.name, report.similar_letters),
        )


_INSERT_LETTER = Letter.__table__.insert()  # type: ignore[attr-defined]


def _delete(session: Session, letter: Letter) -> None:
    for event in events_of(session, letter.id):
        session.delete(event)
    session.flush()  # no ORM relationship orders these deletes: the events go first
    session.delete(letter)
    session.flush()


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


def _refuse_duplicate(
    session: Session,
    settings: Settings,
    first: Letter,
    recipient: Recipient,
    campaign: Campaign,
    now: datetime,
) -> None:
    """A second attempt: point the supporter to the first letter, by email only (the answer
    to whoever asked reveals nothing about it), re-sending a pending confirmation at most
    every `resend_interval_minutes`."""
    resent = False
    interval = timedelta(minutes=settings.letters.resend_interval_minutes)
    status = LetterStatus(first.status)
    if status is LetterStatus.pending_confirmation and now - first.confirmation_sent_at >= interval:
        queue_supporter_mail(
            session, settings, first, recipient, campaign, MessageKind.confirmation, now
        )
        first.confirmation_sent_at = now
        session.add(first)
        session.commit()
        resent = True
    if status is LetterStatus.pending_confirmation:
        follow = (
            "We have sent you the confirmation email again: open its link to send your letter."
            if resent
            else "We sent you its confirmation email a few minutes ago: please check your "
            "inbox, and your spam folder."
        )
    else:
        follow = "The link to follow your letter is in the emails we sent you."
    raise DuplicateLetter(
        f"You have already written to {recipient.name} for this campaign. {follow}",
        status=status,
        resent=resent,
    )


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
            move(session, letter, LetterStatus.rejected, now, "deadline passed")
            queue_supporter_mail(
                session, settings, letter, recipient, campaign, MessageKind.notice, now
            )
        else:
            move(session, letter, LetterStatus.confirmed, now)
            letter.confirmed_at = now
            if not recipient.can_write:
                letter.hold_reason = HoldReason.representative_unavailable
            if letter.hold_reason:
                move(session, letter, LetterStatus.held, now, letter.hold_reason)
            else:
                queue_letter(session, letter, recipient, now, "confirmed", settings.delivery)
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
        move(session, letter, LetterStatus.expired, now, "link expired")
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


def preview_letter(session: Session, data: LetterIn) -> RenderedLetter:
    """The letter as it would be sent (for a page's preview step); writes nothing."""
    campaign = campaign_snapshot(session, data.campaign)
    recipient = recipient_of(session, data.representative_id)
    language = recipient.language
    view = campaign_view(session, campaign, language)
    draft = Draft(
        name=data.name,
        email=data.email,
        postcode=data.postcode,
        address=data.address,
        message=data.message,
        demands=tuple(n for n in data.demands if view.demand(n) is not None),
        subject=data.subject or campaign_subject(view, data.email),
    )
    return render_letter(templates_for(session, view, language), view, recipient, draft)
