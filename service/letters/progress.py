"""A campaign's progress for its page: the campaign in the page's language, and the letters
confirmed so far by the supporter's path (UK, France, French citizens abroad)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from service.campaigns.models import Campaign
from service.campaigns.schemas import CampaignOut
from service.campaigns.service import describe_campaign
from service.letters.models import Letter
from service.letters.states import COUNTED
from service.representatives.models import ChamberId, Representative

# Circonscriptions of French citizens abroad are numbered 099-01 to 099-11.
ABROAD_PREFIX = "099-"


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
