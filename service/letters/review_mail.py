"""The email that tells a supporter what a moderator decided about their held letter, in the
supporter's language, with the moderator's reason and the letter's status link (where a
returned letter is rewritten). A campaign template like the other supporter emails
("rejected", "returned": templates/emails/<lang>/, or the studio's approved version), with
the reason as a value in its context: escaped in the HTML part, never read as a template."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Session

from service.config import Settings
from service.delivery import service as delivery
from service.delivery.schemas import MessageKind
from service.letters.models import Letter
from service.letters.outbox import supporter_mail
from service.letters.queries import campaign_of, recipient_of

DecisionMail = Literal["rejected", "returned"]


def queue_decision_mail(
    session: Session,
    settings: Settings,
    letter: Letter,
    kind: DecisionMail,
    reason: str,
    now: datetime,
) -> None:
    """Into the outbox, not paced (it goes before any letter), in the caller's transaction."""
    campaign = campaign_of(session, letter)
    email = supporter_mail(
        session,
        settings,
        letter,
        recipient_of(session, letter.representative_id),
        campaign,
        MessageKind.notice,
        base=kind,
        reason=reason,
    )
    delivery.enqueue(session, email, now=now, campaign_id=campaign.id)
