"""A campaign's life: created as a draft (blank, or copied from another campaign), opened when
its organisers are ready, closed to new letters, reopened if need be. Letters already queued
are not touched by closing: like a campaign past its closing date, a closed one stops taking
letters and delivers those it has by the deadline. Nothing here commits."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from service.campaigns.models import Campaign, CampaignDemand, CampaignText
from service.errors import Conflict, InvalidInput

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$")
# Words the public site uses after /campaigns/ or for its own pages.
_RESERVED_SLUGS = frozenset({"new", "api", "console", "static", "find", "letters", "privacy"})
LANGUAGES = ("en", "fr")


class CampaignStatus(StrEnum):
    draft = "draft"  # being prepared: not shown to supporters
    open = "open"  # takes letters until its closing date
    closed = "closed"  # takes no new letters; queued ones are still delivered


# The moves organisers can make, and the action's name in the audit log.
TRANSITIONS: dict[tuple[CampaignStatus, CampaignStatus], str] = {
    (CampaignStatus.draft, CampaignStatus.open): "campaign.opened",
    (CampaignStatus.open, CampaignStatus.closed): "campaign.closed",
    (CampaignStatus.closed, CampaignStatus.open): "campaign.reopened",
}


class WrongState(Conflict):
    code = "wrong_state"


def check_slug(session: Session, slug: str) -> str:
    slug = slug.strip()
    if not SLUG.match(slug) or "--" in slug or slug in _RESERVED_SLUGS:
        raise InvalidInput(
            "Use 2 to 60 lower-case letters, digits and hyphens, like channel-rescue.",
            field="slug",
        )
    if session.exec(select(Campaign.id).where(Campaign.slug == slug)).first() is not None:
        raise Conflict("Another campaign already has this address.", field="slug")
    return slug


def _default_deadline(now: datetime, timezone: str) -> datetime:
    """Six weeks on, at 18:00 where the campaign's dates are shown."""
    local = (now + timedelta(weeks=6)).astimezone(ZoneInfo(timezone))
    return local.replace(hour=18, minute=0, second=0, microsecond=0)


def create_blank(
    session: Session, slug: str, sender_name: str, sender_email: str, now: datetime
) -> Campaign:
    """A draft with sensible defaults and empty texts in each language, to be written."""
    slug = check_slug(session, slug)
    deadline = _default_deadline(now, "Europe/Paris")
    campaign = Campaign(
        slug=slug,
        sender_name=sender_name,
        sender_email=sender_email,
        timezone="Europe/Paris",
        deadline=deadline,
        closes_at=deadline - timedelta(days=4),
        status=CampaignStatus.draft,
        created_at=now,
        updated_at=now,
    )
    session.add(campaign)
    session.flush()
    assert campaign.id is not None
    for lang in LANGUAGES:
        session.add(
            CampaignText(
                campaign_id=campaign.id,
                lang=lang,
                title=slug,
                summary="",
                letter_intro="",
                letter_closing="",
                subjects=[],
            )
        )
    session.flush()
    return campaign


def create_copy(session: Session, slug: str, source: Campaign, now: datetime) -> Campaign:
    """A draft with `source`'s settings, texts and demands still offered (renumbered from 1 in
    their order); not its letters, test mode or state. A deadline already past is replaced by
    the default one."""
    slug = check_slug(session, slug)
    assert source.id is not None
    deadline, closes_at = source.deadline, source.closes_at
    if deadline <= now:
        deadline = _default_deadline(now, source.timezone)
        closes_at = deadline - timedelta(days=4)
    campaign = Campaign(
        slug=slug,
        sender_name=source.sender_name,
        sender_email=source.sender_email,
        timezone=source.timezone,
        deadline=deadline,
        closes_at=closes_at,
        goal=source.goal,
        letters_per_hour=source.letters_per_hour,
        office_hours_only=source.office_hours_only,
        office_hours_start=source.office_hours_start,
        office_hours_end=source.office_hours_end,
        reply_after_days=source.reply_after_days,
        status=CampaignStatus.draft,
        created_at=now,
        updated_at=now,
    )
    session.add(campaign)
    session.flush()
    assert campaign.id is not None
    for text in session.exec(select(CampaignText).where(CampaignText.campaign_id == source.id)):
        session.add(
            CampaignText(
                **text.model_dump(exclude={"campaign_id", "subjects"}),
                campaign_id=campaign.id,
                subjects=list(text.subjects),
            )
        )
    offered = session.exec(
        select(CampaignDemand)
        .where(CampaignDemand.campaign_id == source.id, col(CampaignDemand.retired_at).is_(None))
        .order_by(col(CampaignDemand.position), col(CampaignDemand.number))
    ).all()
    numbers: dict[int, int] = {}
    for demand in offered:
        number = numbers.setdefault(demand.number, len(numbers) + 1)
        session.add(
            CampaignDemand(
                campaign_id=campaign.id,
                number=number,
                lang=demand.lang,
                title=demand.title,
                body=demand.body,
                position=number,
            )
        )
    session.flush()
    return campaign


def _missing_words(session: Session, campaign: Campaign) -> str | None:
    """Why the campaign cannot be shown to supporters yet, if it cannot."""
    texts = {
        t.lang: t
        for t in session.exec(select(CampaignText).where(CampaignText.campaign_id == campaign.id))
    }
    for lang in LANGUAGES:
        text = texts.get(lang)
        if text is None or not (text.title and text.summary and text.letter_intro):
            return "Write the title, summary and letter opening in English and French first."
    offered = session.exec(
        select(CampaignDemand.lang).where(
            CampaignDemand.campaign_id == campaign.id, col(CampaignDemand.retired_at).is_(None)
        )
    ).all()
    if not all(lang in offered for lang in LANGUAGES):
        return "Add at least one demand before opening the campaign."
    return None


def move(session: Session, campaign: Campaign, to: CampaignStatus, now: datetime) -> str:
    """Moves the locked campaign to `to`; returns the audit action of the move."""
    current = CampaignStatus(campaign.status)
    action = TRANSITIONS.get((current, to))
    if action is None:
        raise WrongState(_REFUSAL[to], field="status")
    if to is CampaignStatus.open:
        if now >= campaign.closes_at:
            raise InvalidInput(
                "The closing date has passed: set a later one before opening.", field="closes_at"
            )
        missing = _missing_words(session, campaign)
        if missing is not None:
            raise InvalidInput(missing, field="status")
    campaign.status = to
    session.add(campaign)
    session.flush()
    return action


_REFUSAL = {
    CampaignStatus.open: "This campaign is already open.",
    CampaignStatus.closed: "Only an open campaign can be closed.",
    CampaignStatus.draft: "A campaign cannot go back to being a draft.",
}
