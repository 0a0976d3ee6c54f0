"""The first campaign (the Calais border), seeded once on first start. Its words are ours,
written for this service; organisers edit the rows afterwards, and a re-run never overwrites
them.

The dates are placeholders until the organisers set the summit's: letters must arrive by the
deadline, and new letters close a few days earlier so that pacing can deliver them all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from service.campaigns.models import Campaign, CampaignDemand, CampaignText
from service.config import Settings

SLUG = "calais-border"
TIMEZONE = "Europe/Paris"
DEADLINE = datetime(2026, 12, 18, 9, 0, tzinfo=ZoneInfo(TIMEZONE))
CLOSES_AT = datetime(2026, 12, 14, 23, 59, tzinfo=ZoneInfo(TIMEZONE))
GOAL = 5_000


class SeedText(TypedDict):
    title: str
    summary: str
    letter_intro: str
    letter_closing: str
    subjects: list[str]
    demands: list[tuple[str, str]]


TEXTS: dict[str, SeedText] = {
    "en": {
        "title": "Calais: a border that stops costing lives",
        "summary": (
            "More than 200 people have died at the border between France and the UK around "
            "Calais since 1999. Before the Franco-British summit, write to your MP or député "
            "and ask them to push for four changes that would protect children and families "
            "and make the crossing less deadly."
        ),
        "letter_intro": (
            "I am writing to you as one of your constituents ahead of the coming UK–France "
            "summit, where the arrangements at the Calais border are expected to be discussed. "
            "More than 200 people have lost their lives at this border since 1999, and the "
            "current approach leaves people stranded in northern France and at the mercy of "
            "smugglers. I would like you to urge the Government to use the summit to change "
            "course."
        ),
        "letter_closing": (
            "I would be grateful if you could raise these points with the ministers concerned "
            "before the summit, and let me know what you are able to do."
        ),
        "subjects": [
            "Calais border: please act before the UK–France summit",
            "A letter from your constituency about the Calais border",
            "Before the summit: safe routes and family reunification",
            "Please help end the deaths at Calais",
            "The Calais border and the coming summit",
        ],
        "demands": [
            (
                "Make family reunification work",
                "European states have a legal duty to let families be reunited. In practice "
                "it rarely happens, and the work is left to charities and volunteers rather "
                "than governments. The UK and France should make the procedure open, quick and "
                "publicly run.",
            ),
            (
                "Safe and legal routes",
                "Children, families and older people need a safe, legal way to reach the UK, "
                "so that nobody is pushed into a dangerous crossing. The scheme for "
                "unaccompanied children created by the Dubs amendment never filled the places "
                "it promised.",
            ),
            (
                "Decent reception in Calais and Dunkirk",
                "People waiting for a transfer need dignified reception centres in Calais and "
                "Dunkirk, with shelter, sanitation and access to advice, instead of the "
                "conditions they face today.",
            ),
            (
                "Fund child protection, not only fences",
                "A share of what the UK and France spend on border security in northern France "
                "should go to protecting children and to fighting human trafficking.",
            ),
        ],
    },
    # French typography: a narrow no-break space before « : ; ? ! » (\u202f).
    "fr": {
        "title": "Calais\u202f: pour une frontière qui ne tue plus",
        "summary": (
            "Depuis 1999, plus de 200 personnes sont mortes à la frontière franco-britannique, "
            "autour de Calais. Avant le sommet franco-britannique, écrivez à votre député ou à "
            "votre MP pour lui demander de défendre quatre mesures qui protégeraient les enfants "
            "et les familles et rendraient cette frontière moins meurtrière."
        ),
        "letter_intro": (
            "Je me permets de vous écrire à l'approche du sommet franco-britannique, au cours "
            "duquel la situation à la frontière de Calais doit être évoquée. Plus de 200 "
            "personnes ont perdu la vie à cette frontière depuis 1999, et les accords actuels "
            "laissent des personnes bloquées dans le nord de la France, à la merci des passeurs. "
            "Je vous demande d'inviter le Gouvernement à profiter de ce sommet pour changer de "
            "cap."
        ),
        "letter_closing": (
            "Je vous remercie par avance de bien vouloir porter ces demandes auprès des "
            "ministres concernés avant le sommet, et de me faire savoir ce que vous pourrez "
            "entreprendre."
        ),
        "subjects": [
            "Frontière de Calais\u202f: agir avant le sommet franco-britannique",
            "Un courrier de votre circonscription au sujet de Calais",
            "Avant le sommet\u202f: des voies sûres et le regroupement familial",
            "Pour que la frontière de Calais cesse de tuer",
            "La frontière de Calais et le prochain sommet",
        ],
        "demands": [
            (
                "Rendre le regroupement familial effectif",
                "Les États européens ont l'obligation légale de permettre aux familles d'être "
                "réunies. Dans les faits, les procédures restent rares et reposent sur des "
                "associations et des bénévoles plutôt que sur les pouvoirs publics. La France et "
                "le Royaume-Uni doivent rendre cette procédure accessible, rapide et prise en "
                "charge par l'État.",
            ),
            (
                "Des voies d'accès sûres et légales",
                "Les mineurs, les familles et les personnes âgées doivent pouvoir rejoindre le "
                "Royaume-Uni par une voie sûre et légale, sans être poussés vers des traversées "
                "dangereuses. Le dispositif britannique prévu pour les enfants non accompagnés "
                "(l'amendement Dubs) n'a jamais atteint le nombre de places annoncé.",
            ),
            (
                "Un accueil digne à Calais et à Dunkerque",
                "Les personnes qui attendent un transfert doivent disposer de centres d'accueil "
                "dignes à Calais et à Dunkerque, avec un abri, des sanitaires et un accès à "
                "l'information juridique, au lieu des conditions qu'elles subissent aujourd'hui.",
            ),
            (
                "Financer la protection de l'enfance, pas seulement les clôtures",
                "Une part des sommes que la France et le Royaume-Uni consacrent à la sécurité de "
                "la frontière dans le nord de la France doit aller à la protection de l'enfance "
                "et à la lutte contre la traite des êtres humains.",
            ),
        ],
    },
}


def seed_campaigns(session: Session, settings: Settings, now: datetime | None = None) -> bool:
    """Create the first campaign unless it exists; True when it was created. The caller
    commits."""
    if session.exec(select(Campaign).where(Campaign.slug == SLUG)).first() is not None:
        return False
    now = now or datetime.now(UTC)
    campaign = Campaign(
        slug=SLUG,
        sender_name=settings.campaigns.seed_sender_name,
        sender_email=settings.campaigns.seed_sender_email,
        timezone=TIMEZONE,
        deadline=DEADLINE,
        closes_at=CLOSES_AT,
        goal=GOAL,
        created_at=now,
        updated_at=now,
    )
    session.add(campaign)
    session.flush()
    assert campaign.id is not None
    for lang, text in TEXTS.items():
        session.add(
            CampaignText(
                campaign_id=campaign.id,
                lang=lang,
                title=text["title"],
                sender_name=(
                    settings.campaigns.seed_sender_name_fr
                    if lang == "fr"
                    else settings.campaigns.seed_sender_name
                ),
                summary=text["summary"],
                letter_intro=text["letter_intro"],
                letter_closing=text["letter_closing"],
                subjects=list(text["subjects"]),
            )
        )
        for number, (title, body) in enumerate(text["demands"], start=1):
            session.add(
                CampaignDemand(
                    campaign_id=campaign.id,
                    number=number,
                    lang=lang,
                    title=title,
                    body=body,
                    position=number,
                )
            )
    session.flush()
    return True
