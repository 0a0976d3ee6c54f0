"""What letters know about a representative's queue when organisers change the
representative: the pace their held letters resume at (the campaign's rules, which delivery
does not read), and how many letters each status counts. Holding, releasing and
readdressing the rows themselves is delivery's (delivery.recipients)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.campaigns.models import Campaign
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.delivery.scheduler import Pacing
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.letters.models import Letter
from service.letters.plan import pacing_for
from service.letters.queries import recipient_of


def queue_pacing(session: Session, settings: Settings, representative_id: str) -> Pacing | None:
    """The pace the representative's waiting letters go at once released: their (first)
    campaign's, in the chamber's timezone. None when no letter waits."""
    campaign_id = session.exec(
        select(func.min(OutboxMessage.campaign_id)).where(
            OutboxMessage.pace_key == representative_id,
            OutboxMessage.kind == MessageKind.letter,
            col(OutboxMessage.state).in_([OutboxState.queued, OutboxState.held]),
        )
    ).one()
    campaign = session.get(Campaign, campaign_id) if campaign_id is not None else None
    if campaign is None:
        return None
    recipient = recipient_of(session, representative_id)
    return pacing_for(campaign, representative_id, recipient.timezone, settings.delivery)


def letter_counts(session: Session, representative_id: str) -> dict[str, int]:
    """Letters to the representative by status (every campaign)."""
    rows = session.exec(
        select(Letter.status, func.count())
        .where(Letter.representative_id == representative_id)
        .group_by(Letter.status)
    ).all()
    return {str(status): int(count) for status, count in rows}
