"""Handing a letter's emails to the outbox: the letter itself, paced to its representative
before the campaign's deadline, and the supporter's confirmation, reminder and notice."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sqlmodel import Session

from service.campaigns.models import Campaign
from service.campaigns.rendering import InvalidTemplate
from service.config import DeliverySettings, Settings
from service.delivery import service as delivery
from service.delivery.schemas import Address, MessageKind, OutgoingEmail
from service.errors import ServiceUnavailable
from service.letters.assessment import hold_message
from service.letters.compose import (
    Recipient,
    RenderedLetter,
    SupporterMail,
    letter_email,
    render_letter,
    supporter_email,
)
from service.letters.events import move
from service.letters.links import confirm_url, status_url
from service.letters.models import Letter
from service.letters.plan import pacing_for
from service.letters.queries import campaign_of, campaign_view, draft_of, templates_for
from service.letters.states import LetterStatus

log = logging.getLogger("repmail.letters")


def rendered_letter(
    session: Session, letter: Letter, recipient: Recipient, campaign: Campaign
) -> RenderedLetter:
    view = campaign_view(session, campaign, letter.language)
    try:
        return render_letter(
            templates_for(session, view, letter.language), view, recipient, draft_of(letter)
        )
    except InvalidTemplate as exc:
        log.error("letter template failed", extra={"campaign": view.slug, "reason": exc.message})
        raise ServiceUnavailable(
            "This campaign's letter cannot be prepared at the moment; please try again later.",
            field="campaign",
        ) from None


# The template (and subject) of each kind of mail to a supporter.
SUPPORTER_TEMPLATES = {
    MessageKind.confirmation: "confirm",
    MessageKind.reminder: "reminder",
    MessageKind.notice: "notice",  # the letter missed the campaign's deadline
}


def queue_supporter_mail(
    session: Session,
    settings: Settings,
    letter: Letter,
    recipient: Recipient,
    campaign: Campaign,
    kind: MessageKind,
    now: datetime,
    *,
    base: str | None = None,
    explanation: str | None = None,
    link: str | None = None,
) -> None:
    """Confirmation and reminder expire with the confirmation link; a notice does not.
    None is paced: they go before any letter. `base` picks another template than the kind's
    (a notice that the letter bounced), which says `explanation` where a held letter's
    email says why it is held, and `link` replaces the confirmation link (the reply question's
    signed address, on which its template builds the answers)."""
    email = supporter_mail(
        session,
        settings,
        letter,
        recipient,
        campaign,
        kind,
        base=base,
        explanation=explanation,
        link=link,
    )
    expires = None if kind is MessageKind.notice else letter.confirm_expires_at
    delivery.enqueue(session, email, now=now, expires_at=expires, campaign_id=campaign.id)


def supporter_mail(
    session: Session,
    settings: Settings,
    letter: Letter,
    recipient: Recipient,
    campaign: Campaign,
    kind: MessageKind,
    *,
    base: str | None = None,
    explanation: str | None = None,
    link: str | None = None,
    reason: str = "",
) -> OutgoingEmail:
    """The email queue_supporter_mail queues, rendered (for callers queueing several at once:
    delivery.enqueue_many, and for the moderators' decisions, with their `reason`)."""
    rendered = rendered_letter(session, letter, recipient, campaign)
    view = campaign_view(session, campaign, letter.ui_lang)
    mail = SupporterMail(
        kind=kind,
        base=base or SUPPORTER_TEMPLATES[kind],
        lang=letter.ui_lang,
        confirm_url=link or confirm_url(settings, letter),
        status_url=status_url(settings, letter.id),
        expires_at=letter.confirm_expires_at,
        written_at=letter.created_at,
        hold_message=(
            explanation
            if explanation is not None
            else hold_message(letter.hold_reason, letter.ui_lang, recipient.name, 0)
        ),
        reason=reason,
    )
    try:
        return supporter_email(
            templates_for(session, view, letter.ui_lang),
            mail,
            letter.id,
            view,
            recipient,
            draft_of(letter),
            rendered,
        )
    except InvalidTemplate as exc:
        log.error("supporter template failed", extra={"campaign": view.slug, "reason": exc.message})
        raise ServiceUnavailable(
            "We cannot prepare your confirmation email at the moment; please try again later.",
            field="campaign",
        ) from None


def queue_letter(
    session: Session,
    letter: Letter,
    recipient: Recipient,
    now: datetime,
    detail: str,
    settings: DeliverySettings,
    *,
    actor: str,
) -> None:
    """Into the outbox, at the letter's slot in its representative's schedule (paced so
    that the campaign's letters land before its deadline, when they can)."""
    campaign = campaign_of(session, letter)
    rendered = rendered_letter(session, letter, recipient, campaign)
    view = campaign_view(session, campaign, letter.language)
    pacing = pacing_for(campaign, recipient.id, recipient.timezone, settings)
    email = letter_email(letter.id, view, recipient, draft_of(letter), rendered)
    if campaign.test_recipient:
        # Test mode: the organiser receives what the representative would have.
        email = replace(
            email,
            to=Address(campaign.test_recipient, recipient.name),
            subject=f"[TEST] {email.subject}",
        )
    letter.template_version = rendered.template_version
    letter.outbox_id = delivery.enqueue(
        session,
        email,
        now=now,
        expires_at=campaign.deadline,
        pacing=pacing,
        campaign_id=campaign.id,
    )
    move(session, letter, LetterStatus.queued, now, detail, actor=actor)
