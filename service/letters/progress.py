"""A campaign as pages and the API show it: its texts in one language, its dates, its goal and
how many letters count towards it, by the supporter's path (UK, France, French citizens
abroad). Letters belong to this package, so the counts are read here, not by campaigns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from service.campaigns.models import Campaign
from service.campaigns.schemas import CampaignOut, DemandOut
from service.campaigns.service import get_campaign, is_open, is_public, resolve
from service.errors import NotFound
from service.letters.models import Letter
from service.letters.states import COUNTED
from service.representatives.models import ChamberId, Representative

# Circonscriptions of French citizens abroad are numbered 099-01 to 099-11.
ABROAD_PREFIX = "099-"


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
    if not is_public(campaign):
        raise NotFound("There is no campaign with this name.", field="campaign")
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


@dataclass(frozen=True, slots=True)
class LetterCounts:
    uk: int = 0
    fr: int = 0
    abroad: int = 0

    @property
    def total(self) -> int:
        return self.uk + self.fr + self.abroad


@dataclass(frozen=True, slots=True)
class CampaignProgress:
    campaign: CampaignOut
    counts: LetterCounts


def campaign_progress(session: Session, slug: str, lang: str, now: datetime) -> CampaignProgress:
    """The campaign page's one read (NotFound for an unknown campaign)."""
    campaign = describe_campaign(session, slug, lang, now)
    return CampaignProgress(campaign=campaign, counts=letters_by_country(session, slug))


def letters_by_country(session: Session, campaign_slug: str) -> LetterCounts:
    path = case(
        (col(Representative.chamber_id) == ChamberId.uk_commons.value, "uk"),
        (col(Representative.constituency_id).startswith(ABROAD_PREFIX), "abroad"),
        else_="fr",
    )
    rows = session.exec(
        select(path, func.count())
        .select_from(Letter)
        .join(Campaign, col(Campaign.id) == Letter.campaign_id)
        .join(Representative, col(Representative.id) == Letter.representative_id)
        .where(Campaign.slug == campaign_slug, col(Letter.status).in_(COUNTED))
        .group_by(path)
    ).all()
    found = {str(name): int(count) for name, count in rows}
    return LetterCounts(uk=found.get("uk", 0), fr=found.get("fr", 0), abroad=found.get("abroad", 0))
