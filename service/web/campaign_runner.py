"""Who runs the campaign a page is about, for the footer of every supporter's page and the
privacy page: the organisation's name (in the page's language), a contact, and the address
letters are sent from. An address is shown only once organisers have set a real one (never
the placeholder a campaign is seeded with); until then the pages word it neutrally."""

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
    # The organisation in the page's language (or its other one); else the campaign's name.
    name: str
    # None while not set, or still a placeholder: the pages then say it neutrally.
    sender_email: str | None
    contact_email: str | None


def real_address(address: str | None) -> str | None:
    """`address` when it is one supporters can use; None when unset or a placeholder."""
    return address if address and not is_placeholder_address(address) else None


def contact_of(settings: Settings, campaign: Campaign | None) -> str | None:
    """Where supporters write with questions: the campaign's contact, else the service's."""
    own = real_address(campaign.contact_email) if campaign is not None else None
    return own or real_address(settings.privacy.contact_email)


def organisation_of(campaign: Campaign, lang: str) -> str | None:
    """The organisation's name in `lang`, or in the other language when only that is set."""
    english, french = campaign.organisation_name, campaign.organisation_name_fr
    return (french or english) if lang == "fr" else (english or french)


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
    return CampaignRunner(
        name=organisation_of(campaign, lang) or view.sender_name,
        sender_email=real_address(view.sender_email),
        contact_email=contact_of(settings, campaign),
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
