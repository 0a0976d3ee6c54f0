"""Which campaigns take letters now: the home page sends supporters to the open campaign, or
lets them choose when several are open at once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.campaigns.models import Campaign, CampaignText
from service.campaigns.schemas import CampaignView, OpenCampaignOut
from service.campaigns.service import is_open, resolve


def open_campaigns(session: Session, lang: str, now: datetime) -> list[CampaignView]:
    """Every campaign open at `now`, in `lang` where it has it, the nearest deadline first.

    A campaign whose texts are not written yet is left out: there is nothing to show of it.
    The table holds a handful of rows, so the open test is the one campaigns.service applies
    to each letter (in Python, whatever the database's handling of time zones)."""
    with_texts = select(CampaignText.campaign_id).distinct()
    campaigns = session.exec(
        select(Campaign)
        .where(col(Campaign.id).in_(with_texts))
        .order_by(col(Campaign.deadline), col(Campaign.slug))
    ).all()
    return [resolve(session, campaign, lang) for campaign in campaigns if is_open(campaign, now)]


def describe_open_campaigns(session: Session, lang: str, now: datetime) -> list[OpenCampaignOut]:
    """open_campaigns for the API."""
    return [
        OpenCampaignOut(
            slug=view.slug,
            lang=view.lang,
            title=view.title,
            summary=view.summary,
            deadline=view.deadline,
            closes_at=view.closes_at,
        )
        for view in open_campaigns(session, lang, now)
    ]
