"""Who runs the campaign a page is about, for the footer of every supporter's page: the
organisation's name (in the page's language), a contact, and the address letters are sent
from, once organisers have set the real one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from service.campaigns import catalog
from service.campaigns.models import Campaign
from service.campaigns.service import is_open, resolve
from service.config import Settings
from service.errors import NotFound
from service.letters.compose import is_placeholder_address


@dataclass(frozen=True, slots=True)
class CampaignRunner:
    name: str
    # None while it is still the address a campaign is seeded with (nothing to show yet).
    sender_email: str | None
    contact_email: str | None


def campaign_runner(
    session: Session, settings: Settings, slug: str | None, lang: str
) -> CampaignRunner | None:
    """The campaign named by the page's address, or else the one campaign taking letters;
    None when the page is about no campaign in particular (several open, none open)."""
    campaign = catalog.current_campaign(session, slug=slug) if slug else _the_open_one(session)
    if campaign is None:
        return None
    try:
        view = catalog.campaign_view(campaign, lang, lambda: resolve(session, campaign, lang))
    except NotFound:  # a campaign with no texts yet: the footer simply names nobody
        return None
    contact = settings.privacy.contact_email
    return CampaignRunner(
        name=view.sender_name,
        sender_email=None if is_placeholder_address(view.sender_email) else view.sender_email,
        contact_email=None if is_placeholder_address(contact) else contact,
    )


def _the_open_one(session: Session) -> Campaign | None:
    now = datetime.now(UTC)
    slugs = session.exec(select(Campaign.slug).order_by(col(Campaign.slug))).all()
    open_ones = [
        found
        for slug in slugs
        if (found := catalog.current_campaign(session, slug=slug)) is not None
        and is_open(found, now)
    ]
    return open_ones[0] if len(open_ones) == 1 else None
