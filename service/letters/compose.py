"""Turns a letter into emails: the letter itself (in the chamber's language and conventions)
and the mails to the supporter (in their language), as OutgoingEmail for the outbox."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.campaigns.rendering import format_date, format_datetime
from service.campaigns.schemas import CampaignView
from service.delivery.schemas import Address, MessageKind, OutgoingEmail
from service.letters import messages
from service.representatives.models import ChamberId
from service.studio.rendering import MailTemplates

# A député is addressed by their own title, from the civility in the Assemblée's data; only
# when the data has none is the letter opened in both forms rather than guess.
FR_NEUTRAL = "Madame la Députée, Monsieur le Député"
FR_BY_CIVILITY = {"M.": "Monsieur le Député", "Mme": "Madame la Députée"}
# The supporter's name on the letter's From: line, in the letter's language.
SENT_VIA = {"en": "{supporter} via {campaign}", "fr": "{supporter} via {campaign}"}
# Addresses reserved for examples and tests (RFC 2606, RFC 6761): a campaign whose sender is
# still one of these has not had its real address set by the organisers.
_RESERVED_DOMAINS = re.compile(r"(^|\.)(invalid|example|test|localhost)$|^example\.(com|net|org)$")
# A French code postal opens the last line of an address: "62100 Calais".
_FR_POSTCODE = re.compile(r"^\d{5}$")


def campaign_subject(view: CampaignView, email: str, subjects: Sequence[str] = ()) -> str:
    """The campaign subject line for a supporter who did not write their own: from
    `subjects` (the approved letter version's, when it has some), else the campaign's.

    Supporters are spread over the campaign's list so one office does not get a hundred
    identical subjects; the choice depends only on the supporter's address, so the preview
    shows exactly the subject that is later sent.
    """
    choices = tuple(subjects) or view.subjects or (view.title,)
    digest = hashlib.sha256(email.strip().casefold().encode()).digest()
    return choices[int.from_bytes(digest[:4], "big") % len(choices)]


def salutation(chamber_id: str, name: str, civility: str | None = None) -> str:
    if chamber_id == ChamberId.fr_an:
        return f"{FR_BY_CIVILITY.get(civility or '', FR_NEUTRAL)},"
    # UK practice: "MP" goes on the envelope and the address line, not after "Dear".
    return f"Dear {name},"


def sender_name(view: CampaignView, supporter: str, lang: str) -> str:
    """The name on the letter's From: line ("Ann Example via <the campaign's name>")."""
    return SENT_VIA.get(lang, SENT_VIA["en"]).format(supporter=supporter, campaign=view.sender_name)


def is_placeholder_address(address: str) -> bool:
    """True for a sender address kept for examples (the seed's letters@repmail.invalid):
    nothing is shown to supporters as the campaign's address until organisers set theirs."""
    domain = address.rpartition("@")[2].strip().casefold().rstrip(".")
    return not domain or bool(_RESERVED_DOMAINS.search(domain))


def _squeezed(value: str) -> str:
    return re.sub(r"\s+", "", value).casefold()


def postal_lines(address: str, postcode: str) -> list[str]:
    """The supporter's address as the lines a letter is signed with: the parts they typed
    (commas and line breaks start new lines), then the postcode where the country puts it:
    a French code postal before the town ("62100 Calais"), any other postcode on its own last
    line. A postcode the supporter already typed in the address is not printed again."""
    parts = [part.strip() for part in re.split(r"[,\n]", address) if part.strip()]
    code = postcode.strip()
    if not code or _squeezed(code) in _squeezed(address):
        return parts
    if _FR_POSTCODE.match(code):
        if len(parts) >= 2:
            return [*parts[:-1], f"{code} {parts[-1]}"]
        return [*parts, code]
    return [*parts, code]


def sign_off(chamber_id: str, civility: str | None = None) -> str:
    if chamber_id == ChamberId.fr_an:
        form = FR_BY_CIVILITY.get(civility or "", FR_NEUTRAL)
        return f"Je vous prie d'agréer, {form}, l'expression de ma haute considération."
    return "Yours sincerely,"


@dataclass(frozen=True, slots=True)
class Recipient:
    """The representative a letter goes to; `constituency` is its name as shown
    (representatives.names.shown_name). Built in one place: letters.queries.recipient_of."""

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
    # For the pages that show the representative (letters.drafting.WriteTarget).
    constituency_id: str = ""
    party: str = ""


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
    # The approved letter version it was rendered with; None: the built-in letter.
    template_version: int | None = None


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
        "supporter": {
            "name": draft.name,
            "postcode": draft.postcode,
            "address": draft.address,
            "lines": postal_lines(draft.address, draft.postcode),
        },
        "message": draft.message,
        "demands": [
            {"number": d.number, "title": d.title, "body": d.body} for d in chosen if d is not None
        ],
    }


def render_letter(
    templates: MailTemplates, view: CampaignView, recipient: Recipient, draft: Draft
) -> RenderedLetter:
    text, html = templates.render_pair("letter", letter_context(view, recipient, draft))
    return RenderedLetter(
        subject=draft.subject, text=text, html=html, template_version=templates.letter_version
    )


def letter_email(
    letter_id: str, view: CampaignView, recipient: Recipient, draft: Draft, rendered: RenderedLetter
) -> OutgoingEmail:
    if not recipient.email:
        raise ValueError("a letter needs the representative's published address")
    return OutgoingEmail(
        kind=MessageKind.letter,
        sender=Address(view.sender_email, sender_name(view, draft.name, recipient.language)),
        to=Address(recipient.email, recipient.name),
        reply_to=Address(draft.email, draft.name),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        letter_id=letter_id,
    )


@dataclass(frozen=True, slots=True)
class SupporterMail:
    """What the emails to a supporter say besides the letter itself."""

    kind: MessageKind
    base: str  # the template: "confirm", "reminder", "notice", "bounced", "rejected", ...
    lang: str
    confirm_url: str
    status_url: str
    expires_at: datetime
    written_at: datetime
    hold_message: str
    # A moderator's words to the supporter (the decision emails): a value in the context,
    # escaped in HTML like any other, never read as a template.
    reason: str = ""


def supporter_email(
    templates: MailTemplates,
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
        "reason": mail.reason,
    }
    text, html = templates.render_pair(mail.base, context)
    # The approved version's own subject line, else the built-in one.
    subject = templates.subject(mail.base, context) or messages.pick(
        messages.SUBJECTS[mail.base], mail.lang, representative=recipient.name
    )
    return OutgoingEmail(
        kind=mail.kind,
        sender=Address(view.sender_email, view.sender_name),
        to=Address(draft.email, draft.name),
        subject=subject,
        text=text,
        html=html,
        letter_id=letter_id,
    )
