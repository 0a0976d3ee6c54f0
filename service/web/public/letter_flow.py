"""What the letter pages show, assembled from the letters and campaigns use cases: who the
letter goes to, the campaign's demands, and the preview with its headers and similarity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from service.campaigns.service import campaign_snapshot
from service.config import Settings
from service.errors import DomainError
from service.letters.queries import campaign_view, recipient_of
from service.letters.schemas import LetterIn, SimilarityIn
from service.letters.service import check_similarity, preview_letter
from service.letters.similarity import words
from service.representatives.models import Representative
from service.representatives.schemas import ConstituencyOut, RepresentativeOut


@dataclass(frozen=True)
class WriteTarget:
    representative: RepresentativeOut
    # The letter's language: the chamber's, whatever the page's.
    letter_lang: str


def write_target(session: Session, representative_id: str) -> WriteTarget:
    """The representative a letter would go to (InvalidInput when there is none)."""
    recipient = recipient_of(session, representative_id)
    rep = session.get(Representative, representative_id)
    assert rep is not None  # recipient_of found it
    return WriteTarget(
        representative=RepresentativeOut(
            id=rep.id,
            name=rep.name,
            party=rep.party,
            chamber=rep.chamber_id,
            constituency=ConstituencyOut(id=rep.constituency_id, name=recipient.constituency),
            can_write=recipient.can_write,
        ),
        letter_lang=recipient.language,
    )


@dataclass(frozen=True)
class Preview:
    sender: str
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


def build_preview(
    session: Session,
    settings: Settings,
    data: LetterIn,
    target: WriteTarget,
    *,
    client_ip: str | None,
    now: datetime,
) -> Preview:
    """The letter exactly as the representative would receive it (`target`, as the page read
    it for `data.representative_id`); writes nothing but the similarity check's rate-limit
    counter."""
    rendered = preview_letter(session, data)
    view = campaign_view(session, campaign_snapshot(session, data.campaign), target.letter_lang)
    similar: int | None = None
    hold = repeats_campaign = False
    try:
        report = check_similarity(
            session,
            settings,
            SimilarityIn(
                representative_id=data.representative_id,
                message=data.message,
                campaign=data.campaign,
            ),
            client_ip=client_ip,
            now=now,
        )
        similar = report.similar_letters
        hold = report.score >= settings.letters.similarity_threshold
        repeats_campaign = report.campaign_text
    except DomainError:
        similar = None
    rep = target.representative
    return Preview(
        sender=f'"{data.name} via {view.sender_name}" <{view.sender_email}>',
        reply_to=f'"{data.name}" <{data.email}>',
        to=f"{rep.name} ({rep.constituency.name})",
        subject=rendered.subject,
        text=rendered.text,
        letter_lang=target.letter_lang,
        similar_letters=similar,
        similar_enough_to_hold=hold,
        personal_words=len(words(data.message)),
        repeats_campaign=repeats_campaign,
    )
