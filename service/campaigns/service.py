"""Use cases over campaigns: find one, resolve it into a language, check it is open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

# catalog: its before_flush hook moves updated_at on every edit of a campaign.
from service.campaigns import catalog
from service.campaigns.models import Campaign, CampaignDemand, CampaignTemplate, CampaignText
from service.campaigns.schemas import CampaignView, DemandView
from service.errors import Conflict, NotFound


class CampaignClosed(Conflict):
    code = "campaign_closed"


_BY_SLUG = select(Campaign).where(Campaign.slug == bindparam("slug"))  # built once


def get_campaign(session: Session, slug: str) -> Campaign:
    """The campaign as an ORM object of `session`, for code that edits it."""
    return _found(session.exec(_BY_SLUG, params={"slug": slug}).first())


def campaign_snapshot(session: Session, slug: str) -> Campaign:
    """The campaign as a read-only snapshot shared across requests (campaigns.catalog), for
    the use cases that only read it: one plain read of its row."""
    return _found(catalog.current_campaign(session, slug=slug))


def _found(campaign: Campaign | None) -> Campaign:
    if campaign is None:
        raise NotFound("There is no campaign with this name.", field="campaign")
    return campaign


def resolve(session: Session, campaign: Campaign, lang: str) -> CampaignView:
    """The campaign in `lang`; falls back to any language it has, so a page never breaks."""
    assert campaign.id is not None
    texts = {
        t.lang: t
        for t in session.exec(select(CampaignText).where(CampaignText.campaign_id == campaign.id))
    }
    if not texts:
        raise NotFound("This campaign has no texts yet.", field="campaign")
    text = texts.get(lang) or texts.get("en") or next(iter(texts.values()))
    demands = session.exec(
        select(CampaignDemand)
        .where(CampaignDemand.campaign_id == campaign.id, CampaignDemand.lang == text.lang)
        .order_by(col(CampaignDemand.position), col(CampaignDemand.number))
    ).all()
    return CampaignView(
        id=campaign.id,
        slug=campaign.slug,
        lang=text.lang,
        title=text.title,
        summary=text.summary,
        letter_intro=text.letter_intro,
        letter_closing=text.letter_closing,
        subjects=tuple(text.subjects or ()),
        demands=tuple(
            DemandView(d.number, d.title, d.body) for d in demands if d.retired_at is None
        ),
        retired=tuple(
            DemandView(d.number, d.title, d.body) for d in demands if d.retired_at is not None
        ),
        sender_name=text.sender_name or campaign.sender_name,
        sender_email=campaign.sender_email,
        timezone=campaign.timezone,
        deadline=campaign.deadline,
        closes_at=campaign.closes_at,
        goal=campaign.goal,
        updated_at=campaign.updated_at,
    )


def template_overrides(session: Session, campaign_id: int, lang: str) -> dict[str, str]:
    rows = session.exec(
        select(CampaignTemplate).where(
            CampaignTemplate.campaign_id == campaign_id, CampaignTemplate.lang == lang
        )
    )
    return {row.name: row.source for row in rows}


def is_public(campaign: Campaign) -> bool:
    """Shown to supporters: every campaign but a draft (a closed one says it has closed)."""
    return campaign.status != "draft"


def is_open(campaign: Campaign, now: datetime) -> bool:
    """Taking letters: opened by its organisers, and before its closing date."""
    return campaign.status == "open" and now < campaign.closes_at and now < campaign.deadline


def require_open(campaign: Campaign, now: datetime) -> None:
    if not is_open(campaign, now):
        raise CampaignClosed(
            "This campaign has closed and no longer takes new letters. Thank you for your support.",
            field="campaign",
        )
