"""A campaign as pages and the API show it: its texts in one language, its dates, its goal and
how many letters count towards it (letters belong to this package, so the count is read here,
not by campaigns)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from service.campaigns.schemas import CampaignOut, DemandOut
from service.campaigns.service import get_campaign, is_open, resolve
from service.letters.models import Letter
from service.letters.states import COUNTED


def letters_counted(session: Session, campaign_id: int) -> int:
    """Letters the supporters confirmed: the campaign's progress towards its goal."""
    count = session.exec(
        select(func.count())
        .select_from(Letter)
        .where(Letter.campaign_id == campaign_id, col(Letter.status).in_(COUNTED))
    ).one()
    return int(count)


def describe_campaign(session: Session, slug: str, lang: str, now: datetime) -> CampaignOut:
    """A campaign for a page or the API: its texts in `lang`, dates, goal and progress."""
    campaign = get_campaign(session, slug)
    view = resolve(session, campaign, lang)
    assert view.id is not None
    return CampaignOut(
        slug=view.slug,
        lang=view.lang,
        title=view.title,
        summary=view.summary,
        demands=[DemandOut(number=d.number, title=d.title, body=d.body) for d in view.demands],
        deadline=view.deadline,
        closes_at=view.closes_at,
        open=is_open(campaign, now),
        goal=view.goal,
        letters=letters_counted(session, view.id),
    )
