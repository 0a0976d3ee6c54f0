"""Turns a letter into emails: the letter itself (in the chamber's language and conventions)
and the mails to the supporter (in their language), as OutgoingEmail for the outbox."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.campaigns.rendering import Templates, format_date, format_datetime
from service.campaigns.schemas import CampaignView
from service.delivery.schemas import Address, MessageKind, OutgoingEmail
from service.letters import messages
from service.representatives.models import ChamberId

# Civility is not in the data yet; without it a député is greeted in both forms.
FR_NEUTRAL = "Madame la Députée, Monsieur le Député"
FR_BY_CIVILITY = {"M.": "Monsieur le Député", "Mme": "Madame la Députée"}


def campaign_subject(view: CampaignView, email: str) -> str:
    """The campaign subject line for a supporter who did not write their own.

    Supporters are spread over the campaign's list so one office does not get a hundred
    identical subjects; the choice depends only on the supporter's address, so the preview
    shows exactly the subject that is later sent.
    """
    subjects = view.subjects or (view.title,)
    digest = hashlib.sha256(email.strip().casefold().encode()).digest()
    return subjects[int.from_bytes(digest[:4], "big") % len(subjects)]


def salutation(chamber_id: str, name: str, civility: str | None = None) -> str:
    if chamber_id == ChamberId.fr_an:
        return f"{FR_BY_CIVILITY.get(civility or '', FR_NEUTRAL)},"
    return f"Dear {name} MP,"


def sign_off(chamber_id: str, civility: str | None = None) -> str:
    if chamber_id == ChamberId.fr_an:
        form = FR_BY_CIVILITY.get(civility or "", FR_NEUTRAL)
        return f"Je vous prie d'agréer, {form}, l'expression de ma haute considération."
    return "Yours sincerely,"


@dataclass(frozen=True, slots=True)
class Recipient:
    """The representative a letter goes to."""

    id: str
    name: str
    email: str | None
    chamber_id: str
    constituency: str
    timezone: str
    civility: str | None = None
    language: str = "en"  # the chamber's: the language the letter is written in
    # False for a vacant seat or one with no official address yet.
    can_write: bool = True


@dataclass(frozen=True, slots=True)
class Draft:
    """What the supporter wrote, already validated."""

    name: str
    email: str
    postcode: str
    address: str
    message: str
    demands: tuple[int, ...]
    subject: str


@dataclass(frozen=True, slots=True)
class RenderedLetter:
    subject: str
    text: str
    html: str


def letter_context(view: CampaignView, recipient: Recipient, draft: Draft) -> dict[str, Any]:
    chosen = [view.demand(number) for number in draft.demands]
    return {
        "salutation": salutation(recipient.chamber_id, recipient.name, recipient.civility),
        "sign_off": sign_off(recipient.chamber_id, recipient.civility),
        "campaign": {
            "title": view.title,
            "sender_name": view.sender_name,
            "intro": view.letter_intro,
            "closing": view.letter_closing,
        },
        "representative": {"name": recipient.name, "constituency": recipient.constituency},
        "supporter": {"name": draft.name, "postcode": draft.postcode, "address": draft.address},
        "message": draft.message,
        "demands": [
            {"number": d.number, "title": d.title, "body": d.body} for d in chosen if d is not None
        ],
    }


def render_letter(
    templates: Templates, view: CampaignView, recipient: Recipient, draft: Draft
) -> RenderedLetter:
    text, html = templates.render_pair("letter", letter_context(view, recipient, draft))
    return RenderedLetter(subject=draft.subject, text=text, html=html)


def letter_email(
    letter_id: str, view: CampaignView, recipient: Recipient, draft: Draft, rendered: RenderedLetter
) -> OutgoingEmail:
    if not recipient.email:
        raise ValueError("a letter needs the representative's published address")
    return OutgoingEmail(
        kind=MessageKind.letter,
        sender=Address(view.sender_email, f"{draft.name} via {view.sender_name}"),
        to=Address(recipient.email, recipient.name),
        reply_to=Address(draft.email, draft.name),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        letter_id=letter_id,
    )


@dataclass(frozen=True, slots=True)
class SupporterMail:
    """What the confirmation, reminder and notice emails say besides the letter itself."""

    kind: MessageKind
    base: str  # "confirm" | "reminder" | "notice"
    lang: str
    confirm_url: str
    status_url: str
    expires_at: datetime
    written_at: datetime
    hold_message: str


def supporter_email(
    templates: Templates,
    mail: SupporterMail,
    letter_id: str,
    view: CampaignView,
    recipient: Recipient,
    draft: Draft,
    rendered: RenderedLetter,
) -> OutgoingEmail:
    context = {
        "supporter_name": draft.name,
        "representative_name": recipient.name,
        "campaign_title": view.title,
        "confirm_url": mail.confirm_url,
        "status_url": mail.status_url,
        "expires_on": format_datetime(mail.expires_at, mail.lang, recipient.timezone),
        "written_on": format_date(mail.written_at, mail.lang, recipient.timezone),
        "deadline_on": format_datetime(view.deadline, mail.lang, recipient.timezone),
        "hold_message": mail.hold_message,
        "letter_subject": rendered.subject,
        "letter_text": rendered.text,
    }
    text, html = templates.render_pair(mail.base, context)
    subject = messages.pick(messages.SUBJECTS[mail.base], mail.lang, representative=recipient.name)
    return OutgoingEmail(
        kind=mail.kind,
        sender=Address(view.sender_email, view.sender_name),
        to=Address(draft.email, draft.name),
        subject=subject,
        text=text,
        html=html,
        letter_id=letter_id,
    )
