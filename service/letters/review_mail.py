"""The email that tells a supporter what a moderator decided about their held letter, in the
supporter's language, with the moderator's reason and the letter's status link. Written here
rather than as a campaign template: the reason is free text from a moderator, and the wording
around it is the service's, not the campaign's."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from service.config import Settings
from service.delivery import service as delivery
from service.delivery.schemas import Address, MessageKind, OutgoingEmail
from service.letters.links import status_url
from service.letters.messages import pick
from service.letters.models import Letter
from service.letters.queries import campaign_of, campaign_view, recipient_of

DecisionMail = Literal["rejected", "returned"]

SUBJECTS: dict[DecisionMail, dict[str, str]] = {
    "rejected": {
        "en": "Your letter to {representative} will not be sent",
        "fr": "Votre lettre à {representative} ne sera pas envoyée",
    },
    "returned": {
        "en": "Your letter to {representative}: please make it your own",
        "fr": "Votre lettre à {representative} : merci de vous l'approprier",
    },
}

OPENINGS: dict[DecisionMail, dict[str, str]] = {
    "rejected": {
        "en": (
            "The organisers of {campaign} read your letter to {representative} and decided "
            "not to send it. They wrote:"
        ),
        "fr": (
            "L'équipe de la campagne {campaign} a lu votre lettre à {representative} et a "
            "décidé de ne pas l'envoyer. Voici son message :"
        ),
    },
    "returned": {
        "en": (
            "The organisers of {campaign} read your letter to {representative} and ask you to "
            "rewrite your personal paragraph in your own words before it is sent. They wrote:"
        ),
        "fr": (
            "L'équipe de la campagne {campaign} a lu votre lettre à {representative} et vous "
            "demande de réécrire votre paragraphe personnel avec vos propres mots avant son "
            "envoi. Voici son message :"
        ),
    },
}

CLOSINGS: dict[DecisionMail, dict[str, str]] = {
    "rejected": {
        "en": "You can see your letter and its history here: {url}",
        "fr": "Vous pouvez consulter votre lettre et son historique ici : {url}",
    },
    "returned": {
        "en": (
            "Open this link to rewrite it; as soon as it reads as your own, it goes on to "
            "{representative}: {url}"
        ),
        "fr": (
            "Ouvrez ce lien pour la réécrire ; dès qu'elle est bien la vôtre, elle part à "
            "{representative} : {url}"
        ),
    },
}

GREETING = {"en": "Hello {name},", "fr": "Bonjour {name},"}


def decision_email(
    kind: DecisionMail,
    *,
    lang: str,
    supporter: Address,
    sender: Address,
    campaign: str,
    representative: str,
    reason: str,
    url: str,
    letter_id: str,
) -> OutgoingEmail:
    values = {"campaign": campaign, "representative": representative, "url": url}
    paragraphs = [
        pick(GREETING, lang, name=supporter.name or ""),
        pick(OPENINGS[kind], lang, **values),
        reason,
        pick(CLOSINGS[kind], lang, **values),
        sender.name or "",
    ]
    text = "\n\n".join(paragraphs) + "\n"
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs if p)
    return OutgoingEmail(
        kind=MessageKind.notice,
        sender=sender,
        to=supporter,
        subject=pick(SUBJECTS[kind], lang, representative=representative),
        text=text,
        html=f'<!doctype html><html lang="{lang}"><body>{body}</body></html>',
        letter_id=letter_id,
    )


def queue_decision_mail(
    session: Session,
    settings: Settings,
    letter: Letter,
    kind: DecisionMail,
    reason: str,
    now: datetime,
) -> None:
    """Into the outbox, not paced (it goes before any letter), in the caller's transaction."""
    campaign = campaign_of(session, letter)
    view = campaign_view(session, campaign, letter.ui_lang)
    email = decision_email(
        kind,
        lang=letter.ui_lang,
        supporter=Address(letter.email, letter.name),
        sender=Address(view.sender_email, view.sender_name),
        campaign=view.title,
        representative=recipient_of(session, letter.representative_id).name,
        reason=reason,
        url=status_url(settings, letter.id),
        letter_id=letter.id,
    )
    delivery.enqueue(session, email, now=now, campaign_id=campaign.id)
