"""A campaign as pages and the API show it: its texts in one language, its dates, its goal and
how many letters count towards it, by the supporter's path (UK, France, French citizens
abroad), read from the dashboard's counters (service.stats), the figures staff see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from service.campaigns.schemas import CampaignOut, DemandOut
from service.campaigns.service import get_campaign, is_open, is_public, resolve
from service.errors import NotFound
from service.stats.figures import counted_by_country, counted_total, stepped_goal


def letters_counted(session: Session, campaign_id: int) -> int:
    """Letters the supporters confirmed: the campaign's progress towards its goal (read from
    the dashboard's counters, the same figures staff see)."""
    return counted_total(session, campaign_id)


def describe_campaign(
    session: Session, slug: str, lang: str, now: datetime, *, counted: int | None = None
) -> CampaignOut:
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
        letters=counted if counted is not None else letters_counted(session, view.id),
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
    goal: int  # the campaign's goal until reached, then the next step up (stepped_goal)


def campaign_progress(session: Session, slug: str, lang: str, now: datetime) -> CampaignProgress:
    """The campaign page's one read (NotFound for an unknown campaign)."""
    campaign = get_campaign(session, slug)
    assert campaign.id is not None
    found = counted_by_country(session, campaign.id)
    counts = LetterCounts(uk=found["uk"], fr=found["fr"], abroad=found["abroad"])
    described = describe_campaign(session, slug, lang, now, counted=counts.total)
    return CampaignProgress(
        campaign=described, counts=counts, goal=stepped_goal(counts.total, described.goal)
    )
