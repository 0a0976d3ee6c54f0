"""What a supporter (or a page) sees of a letter: its status, history and text."""

from __future__ import annotations

from sqlmodel import Session

from service.campaigns.rendering import format_date
from service.letters import messages
from service.letters.compose import Recipient
from service.letters.models import Letter
from service.letters.queries import campaign_of, events_of
from service.letters.schemas import EventOut, LetterPreview, LetterStatusOut, RepresentativeBrief
from service.letters.states import LetterStatus
from service.letters.steps import hold_message, rendered_letter


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
        if status is LetterStatus.pending_confirmation and reason:
            explanation = f"{explanation} {reason}"
    rendered = rendered_letter(session, letter, recipient)
    return LetterStatusOut(
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
        confirm_by=(
            letter.confirm_expires_at if status is LetterStatus.pending_confirmation else None
        ),
        events=[
            EventOut(status=LetterStatus(e.to_status), at=e.at)
            for e in events_of(session, letter.id)
        ],
        letter=LetterPreview(subject=rendered.subject, text=rendered.text),
    )
