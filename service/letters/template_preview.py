"""A template version previewed exactly as its email would be sent (subject, From, Reply-To,
To, text and HTML), against a real representative and the studio's invented supporter, in
both languages: the version in its own language, the templates in use in the other. The same
composition as a real letter (letters.compose), so what organisers see is what goes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from service.campaigns.models import Campaign
from service.campaigns.rendering import LANGUAGES, InvalidTemplate
from service.delivery.schemas import MessageKind, OutgoingEmail
from service.errors import InvalidInput
from service.letters import messages
from service.letters.compose import (
    Draft,
    Recipient,
    SupporterMail,
    campaign_subject,
    letter_email,
    render_letter,
    supporter_email,
)
from service.letters.queries import campaign_view, recipient_of, templates_for
from service.representatives.models import Chamber, Representative, RepresentativeStatus
from service.studio import checks, samples
from service.studio.models import TemplateVersion
from service.studio.rendering import draft_templates

KINDS = {
    "letter": MessageKind.letter,
    "confirm": MessageKind.confirmation,
    "reminder": MessageKind.reminder,
    "notice": MessageKind.notice,
    "follow_up": MessageKind.notice,
    "bounced": MessageKind.notice,
    "written_before": MessageKind.notice,
    "rejected": MessageKind.notice,
    "returned": MessageKind.notice,
}


@dataclass(frozen=True, slots=True)
class PreviewEmail:
    lang: str
    representative: str
    email: OutgoingEmail | None
    # Why this language could not be shown (a template in use that no longer renders).
    problem: str | None = None


def _sample_draft(lang: str, subject: str, demands: tuple[int, ...]) -> Draft:
    return Draft(
        name=samples.SAMPLE_NAME,
        email=samples.SAMPLE_EMAIL,
        postcode=samples.SAMPLE_POSTCODE[lang],
        address=samples.SAMPLE_ADDRESS[lang],
        message=samples.SAMPLE_MESSAGE[lang],
        demands=demands,
        subject=subject,
    )


def _representative_in(session: Session, lang: str) -> str | None:
    """Any writable representative of a chamber writing in `lang` (the letter's language is
    the chamber's), for the language the chosen one does not write in."""
    return session.exec(
        select(Representative.id)
        .join(Chamber, col(Chamber.id) == Representative.chamber_id)
        .where(
            Chamber.language == lang,
            Representative.status == RepresentativeStatus.active,
            col(Representative.email).is_not(None),
        )
        .order_by(col(Representative.name))
        .limit(1)
    ).first()


def preview_version(
    session: Session,
    campaign: Campaign,
    version: TemplateVersion,
    representative_id: str,
    base_url: str,
    now: datetime,
) -> list[PreviewEmail]:
    """One email per language; writes nothing."""
    chosen = recipient_of(session, representative_id)
    shown = []
    for lang in LANGUAGES:
        recipient = chosen
        if version.name == "letter" and chosen.language != lang:
            other = _representative_in(session, lang)
            if other is None:
                continue
            recipient = recipient_of(session, other)
        try:
            email = _email(session, campaign, version, recipient, lang, base_url, now)
        except InvalidTemplate as exc:
            shown.append(PreviewEmail(lang, recipient.name, None, exc.message))
            continue
        shown.append(PreviewEmail(lang, recipient.name, email))
    return shown


def _email(
    session: Session,
    campaign: Campaign,
    version: TemplateVersion,
    recipient: Recipient,
    lang: str,
    base_url: str,
    now: datetime,
) -> OutgoingEmail:
    letter_view = campaign_view(session, campaign, recipient.language)
    letter_templates = (
        draft_templates(session, letter_view, version)
        if version.name == "letter" and version.lang == recipient.language
        else templates_for(session, letter_view, recipient.language)
    )
    demands = tuple(d.number for d in letter_view.demands)
    draft = _sample_draft(
        lang,
        campaign_subject(letter_view, samples.SAMPLE_EMAIL, letter_templates.subjects),
        demands,
    )
    rendered = render_letter(letter_templates, letter_view, recipient, draft)
    if version.name == "letter":
        if not recipient.email:
            raise InvalidInput("This representative has no address to write to.", field="q")
        return letter_email("preview", letter_view, recipient, draft, rendered)
    view = campaign_view(session, campaign, lang)
    templates = (
        draft_templates(session, view, version)
        if version.lang == lang
        else templates_for(session, view, lang)
    )
    root = base_url.rstrip("/")
    mail = SupporterMail(
        kind=KINDS[version.name],
        base=checks.BASES[version.name],
        lang=lang,
        confirm_url=f"{root}/confirm/sample",
        status_url=f"{root}/letters/sample",
        expires_at=now + timedelta(days=7),
        written_at=now,
        # What the notice that a letter bounced says about why; nothing for the others.
        hold_message=(
            messages.bounce_reason("bounced", lang, recipient.name)
            if version.name == "bounced"
            else ""
        ),
        reason=samples.SAMPLE_REASON[lang] if version.name in ("rejected", "returned") else "",
    )
    return supporter_email(templates, mail, "preview", view, recipient, draft, rendered)
