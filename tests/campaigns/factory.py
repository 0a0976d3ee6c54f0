"""A second campaign for tests that need two open at once: its own sender, dates, texts and
demands (in English and French), and no template overrides (the defaults render it)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from service.campaigns.models import Campaign, CampaignDemand, CampaignText

RESCUE_SLUG = "channel-rescue"
RESCUE_DEADLINE = datetime(2027, 3, 26, 10, 0, tzinfo=UTC)
RESCUE_CLOSES_AT = datetime(2027, 3, 19, 22, 0, tzinfo=UTC)
RESCUE_TITLES = {"en": "Rescue at sea in the Channel", "fr": "Le sauvetage en mer dans la Manche"}
# Titles no demand of the first campaign shares, so a letter shows whose demands it carries.
RESCUE_DEMANDS = {
    "en": [
        ("Fund the rescue boats", "Coastguards on both sides need boats and crews all year."),
        ("Count every death", "Publish, every month, who died or went missing at sea."),
    ],
    "fr": [
        ("Financer les bateaux de secours", "Des bateaux et des équipages toute l'année."),
        ("Compter chaque mort", "Publier chaque mois les morts et disparus en mer."),
    ],
}


def add_rescue_campaign(session: Session, now: datetime) -> Campaign:
    """The second campaign, open from `now`; the caller commits (or rolls back)."""
    campaign = Campaign(
        slug=RESCUE_SLUG,
        sender_name="Channel Rescue",
        sender_email="letters@rescue.example",
        timezone="Europe/London",
        deadline=RESCUE_DEADLINE,
        closes_at=RESCUE_CLOSES_AT,
        goal=800,
        letters_per_hour=60,
        created_at=now,
        updated_at=now,
    )
    session.add(campaign)
    session.flush()
    assert campaign.id is not None
    for lang, title in RESCUE_TITLES.items():
        session.add(
            CampaignText(
                campaign_id=campaign.id,
                lang=lang,
                title=title,
                summary=(
                    "People drown in the Channel while help is hours away."
                    if lang == "en"
                    else "Des personnes se noient dans la Manche, loin de tout secours."
                ),
                letter_intro=(
                    "I am writing to you about rescue at sea in the Channel."
                    if lang == "en"
                    else "Je vous écris au sujet du sauvetage en mer dans la Manche."
                ),
                letter_closing=(
                    "I look forward to your reply."
                    if lang == "en"
                    else "Dans l'attente de votre réponse."
                ),
                subjects=[title],
            )
        )
        for number, (demand, body) in enumerate(RESCUE_DEMANDS[lang], start=1):
            session.add(
                CampaignDemand(
                    campaign_id=campaign.id, number=number, lang=lang, title=demand, body=body
                )
            )
    session.flush()
    return campaign
