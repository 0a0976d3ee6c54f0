"""A letter before it is stored, for the pages that write it: who it would go to in which
campaign (the letter form), and the letter exactly as it would be sent (the preview).

The representative is read once per request (write_target, through letters.queries.recipient_of
like every other use case), and passed along to the letter's rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from service.campaigns.schemas import CampaignOut, CampaignView
from service.campaigns.service import campaign_snapshot
from service.config import Settings
from service.db import database_errors_as_domain_errors, use_case
from service.errors import InvalidInput
from service.letters.assessment import assess
from service.letters.compose import (
    Draft,
    Recipient,
    RenderedLetter,
    campaign_subject,
    is_placeholder_address,
    render_letter,
    sender_name,
)
from service.letters.guards import TooManyRequests
from service.letters.paragraph import count_similarity_check
from service.letters.progress import describe_campaign
from service.letters.queries import campaign_view, recipient_of, templates_for
from service.letters.schemas import LetterIn
from service.letters.similarity import words
from service.letters.states import HoldReason
from service.representatives.schemas import ConstituencyOut, RepresentativeOut


@dataclass(frozen=True)
class WriteTarget:
    """The representative as the letter addresses them, and as the pages show them."""

    recipient: Recipient

    @property
    def representative(self) -> RepresentativeOut:
        r = self.recipient
        return RepresentativeOut(
            id=r.id,
            name=r.name,
            party=r.party,
            chamber=r.chamber_id,
            constituency=ConstituencyOut(id=r.constituency_id, name=r.constituency),
            can_write=r.can_write,
        )

    @property
    def letter_lang(self) -> str:
        """The letter's language: the chamber's, whatever the page's."""
        return self.recipient.language


@dataclass(frozen=True)
class LetterPage:
    """What the letter form needs: the campaign (in the page's language) and the recipient."""

    campaign: CampaignOut
    target: WriteTarget


def write_target(session: Session, representative_id: str) -> WriteTarget:
    """The representative a letter would go to (InvalidInput when there is none)."""
    return WriteTarget(recipient_of(session, representative_id))


def letter_page(
    session: Session, representative_id: str, campaign_slug: str, lang: str, now: datetime
) -> LetterPage:
    """The letter form's context; InvalidInput for an unknown representative, NotFound for an
    unknown campaign. Writes nothing."""
    target = write_target(session, representative_id)
    return LetterPage(campaign=describe_campaign(session, campaign_slug, lang, now), target=target)


@dataclass(frozen=True)
class Preview:
    # The From: line's name, and its address once the campaign's real one is set (None while
    # it is the placeholder a campaign is seeded with: the page words it neutrally).
    sender_name: str
    sender_email: str | None
    reply_to: str
    to: str
    subject: str
    text: str
    letter_lang: str
    # None when the check could not run (rate limit); the letter is still checked on submit.
    similar_letters: int | None
    similar_enough_to_hold: bool
    personal_words: int
    # The paragraph mostly repeats the campaign's own texts (it would be held).
    repeats_campaign: bool = False


@dataclass(frozen=True)
class DraftPreview:
    page: LetterPage
    preview: Preview


def preview_draft(
    session: Session,
    settings: Settings,
    data: LetterIn,
    lang: str,
    *,
    client_ip: str | None,
    now: datetime,
) -> DraftPreview:
    """The preview page's use case: the letter form's context (letter_page, the page in
    `lang`), and the letter exactly as the representative would receive it, with how much it
    reads like other letters to them. Writes nothing but the similarity check's rate-limit
    counter; a busy database is DatabaseUnavailable."""
    with database_errors_as_domain_errors():
        context = letter_page(session, data.representative_id, data.campaign, lang, now)
        offered = {demand.number for demand in context.campaign.demands}
        if any(number not in offered for number in data.demands):
            raise InvalidInput("Choose among this campaign's demands.", field="demands")
        preview = _preview(session, settings, data, context.target, client_ip=client_ip, now=now)
    return DraftPreview(page=context, preview=preview)


def _preview(
    session: Session,
    settings: Settings,
    data: LetterIn,
    target: WriteTarget,
    *,
    client_ip: str | None,
    now: datetime,
) -> Preview:
    view, rendered = _render(session, data, target.recipient)
    # Only the counting writes: on SQLite the write lock is not held while rendering.
    with use_case(session):
        similar, hold, repeats = _similarity(
            session, settings, data, view, client_ip=client_ip, now=now
        )
    rep = target.representative
    return Preview(
        sender_name=sender_name(view, data.name, target.letter_lang),
        sender_email=None if is_placeholder_address(view.sender_email) else view.sender_email,
        reply_to=f'"{data.name}" <{data.email}>',
        # A comma, not brackets: a circonscription's name has its own ("Nord (13ᵉ …)").
        to=f"{rep.name}, {rep.constituency.name}",
        subject=rendered.subject,
        text=rendered.text,
        letter_lang=target.letter_lang,
        similar_letters=similar,
        similar_enough_to_hold=hold,
        personal_words=len(words(data.message)),
        repeats_campaign=repeats,
    )


def preview_letter(session: Session, data: LetterIn) -> RenderedLetter:
    """The letter as its representative would receive it, for programs; writes nothing."""
    return _render(session, data, recipient_of(session, data.representative_id))[1]


def _render(
    session: Session, data: LetterIn, recipient: Recipient
) -> tuple[CampaignView, RenderedLetter]:
    view = campaign_view(session, campaign_snapshot(session, data.campaign), recipient.language)
    templates = templates_for(session, view, recipient.language)
    return view, render_letter(templates, view, recipient, _draft(data, view, templates.subjects))


def _draft(data: LetterIn, view: CampaignView, subjects: tuple[str, ...]) -> Draft:
    return Draft(
        name=data.name,
        email=data.email,
        postcode=data.postcode,
        address=data.address,
        message=data.message,
        demands=view.in_order(data.demands),
        subject=data.subject or campaign_subject(view, data.email, subjects),
    )


def _similarity(
    session: Session,
    settings: Settings,
    data: LetterIn,
    view: CampaignView,
    *,
    client_ip: str | None,
    now: datetime,
) -> tuple[int | None, bool, bool]:
    """(similar letters, whether that would hold the letter, whether it repeats the
    campaign's own texts); (None, False, False) past the connection's allowance of checks,
    whose counting is then undone with the rest."""
    try:
        count_similarity_check(session, settings, client_ip=client_ip, now=now)
    except TooManyRequests:
        session.rollback()
        return None, False, False
    _, hold, report = assess(
        session, settings, data.representative_id, data.message, now, campaign=view
    )
    session.commit()
    return (
        report.similar_letters,
        report.score >= settings.letters.similarity_threshold,
        hold == HoldReason.campaign_text,
    )
