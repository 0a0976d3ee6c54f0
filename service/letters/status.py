"""What a supporter (or a page) sees of a letter: its status, history and text."""

from __future__ import annotations

from sqlmodel import Session

from service.campaigns.rendering import format_date
from service.delivery.schemas import MessageKind
from service.delivery.service import letter_delivery
from service.delivery.states import OutboxState
from service.letters import messages
from service.letters.assessment import hold_message
from service.letters.compose import Recipient
from service.letters.models import Letter
from service.letters.outbox import rendered_letter
from service.letters.queries import campaign_of, events_of
from service.letters.schemas import EventOut, LetterPreview, LetterStatusOut, RepresentativeBrief
from service.letters.states import LetterStatus


def status_view(session: Session, letter: Letter, recipient: Recipient) -> LetterStatusOut:
    campaign = campaign_of(session, letter)
    status = LetterStatus(letter.status)
    lang = letter.ui_lang
    reason = hold_message(letter.hold_reason, lang, recipient.name, 0)
    if status is LetterStatus.held:
        explanation = reason
    else:
        explanation = messages.pick(
            messages.STATUS[status],
            lang,
            representative=recipient.name,
            deadline=format_date(campaign.deadline, lang, recipient.timezone),
        )
        mail_trouble = (
            _confirmation_trouble(session, letter.id)
            if status is LetterStatus.pending_confirmation
            else None
        )
        if mail_trouble:
            # Never "we sent you an email" when we could not: the letter is kept, and the
            # supporter is told what happens next.
            explanation = messages.pick(
                messages.CONFIRMATION_TROUBLE[mail_trouble], lang, representative=recipient.name
            )
        if status is LetterStatus.pending_confirmation and reason:
            explanation = f"{explanation} {reason}"
    history = list(events_of(session, letter.id))
    failure = None
    if status is LetterStatus.bounced:
        # The bounce's event carries the provider's failure (tracking's reason code).
        failure = next((e.detail for e in reversed(history) if e.to_status == status), None)
        why = messages.bounce_reason(failure, lang, recipient.name)
        explanation = f"{why} {explanation}"
    rendered = rendered_letter(session, letter, recipient, campaign)
    return LetterStatusOut(
        confirmation_email=mail_trouble if status is not LetterStatus.held else None,
        delivery_problem=_delivery_problem(session, letter.id, lang),
        delivery_failure=failure if failure in messages.BOUNCE_REASONS else None,
        id=letter.id,
        status=status,
        campaign=campaign.slug,
        representative=RepresentativeBrief(
            id=recipient.id, name=recipient.name, constituency=recipient.constituency
        ),
        language=letter.language,
        demands=letter.demand_numbers,
        hold_reason=letter.hold_reason,
        explanation=explanation,
        created_at=letter.created_at,
        # To the hour, rounded down: the link's exact expiry is signed into its token, and
        # nothing shown beside a letter may give away any part of one.
        confirm_by=(
            letter.confirm_expires_at.replace(minute=0, second=0, microsecond=0)
            if status is LetterStatus.pending_confirmation
            else None
        ),
        events=[EventOut(status=LetterStatus(e.to_status), at=e.at) for e in history],
        letter=LetterPreview(subject=rendered.subject, text=rendered.text),
    )


def _confirmation_trouble(session: Session, letter_id: str) -> str | None:
    """ "delayed" while the letter's confirmation (or reminder) could not be sent yet and is
    being retried, "failed" when it was given up; None when it went, or simply has not been
    tried yet."""
    mails = [
        row
        for row in letter_delivery(session, letter_id)
        if row.kind in (MessageKind.confirmation, MessageKind.reminder)
    ]
    if not mails or any(row.sent_at is not None for row in mails):
        return None
    latest = mails[-1]
    if latest.state == OutboxState.failed:
        return "failed"
    if latest.attempts > 0 and latest.last_error:
        return "delayed"
    return None


def _delivery_problem(session: Session, letter_id: str, lang: str) -> str | None:
    """The provider's reason when the letter's latest send failed for good (400/401/403/413);
    staff see the same reason with `repmail delivery status` and in the outbox log."""
    sends = [row for row in letter_delivery(session, letter_id) if row.kind == MessageKind.letter]
    if not sends or sends[-1].state != OutboxState.failed:
        return None
    reason = (sends[-1].last_error or "no reason given")[:200]
    return messages.pick(messages.DELIVERY_FAILED, lang, reason=reason)
