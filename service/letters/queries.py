"""Reads shared by the letter use cases."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from service.campaigns.models import Campaign
from service.campaigns.rendering import Templates
from service.campaigns.schemas import CampaignView
from service.campaigns.service import resolve, template_overrides
from service.config import Settings
from service.errors import InvalidInput, NotFound
from service.letters.compose import Draft, Recipient
from service.letters.models import Letter, LetterEvent
from service.letters.states import DEAD
from service.representatives.models import Chamber, Constituency, Representative

T = TypeVar("T")
_READ_ONCE = "letters.read_once"


@contextmanager
def read_once(session: Session) -> Iterator[None]:
    """For the length of one use case, read each campaign's texts, demands and templates (and
    each chamber's language) at most once. They do not change while a letter use case runs,
    and one letter needs them up to three times: for itself, then for the supporter's email
    around it (a batch of reminders, once per letter). Outside it, every call reads afresh."""
    if _READ_ONCE in session.info:  # an enclosing use case keeps its own
        yield
        return
    session.info[_READ_ONCE] = {}
    try:
        yield
    finally:
        del session.info[_READ_ONCE]


def _once(session: Session, key: Hashable, read: Callable[[], T]) -> T:
    memo: dict[Hashable, Any] | None = session.info.get(_READ_ONCE)
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    value: T = memo[key]
    return value


def recipient_of(session: Session, representative_id: str) -> tuple[Representative, Recipient]:
    row = session.exec(
        select(Representative, Constituency, Chamber)
        .join(Constituency, col(Constituency.id) == Representative.constituency_id)
        .join(Chamber, col(Chamber.id) == Representative.chamber_id)
        .where(Representative.id == representative_id)
    ).first()
    if row is None:
        raise InvalidInput(
            "There is no representative with this id; look them up again.",
            field="representative_id",
        )
    rep, constituency, chamber = row
    return rep, Recipient(
        id=rep.id,
        name=rep.name,
        email=rep.email,
        chamber_id=rep.chamber_id,
        constituency=constituency.name,
        timezone=chamber.timezone,
        civility=getattr(rep, "civility", None),
    )


def letter_language(session: Session, chamber_id: str) -> str:
    def read() -> str:
        chamber = session.get(Chamber, chamber_id)
        return chamber.language if chamber else "en"

    return _once(session, ("language", chamber_id), read)


def find_letter(session: Session, letter_id: str, *, for_update: bool = False) -> Letter:
    statement = select(Letter).where(Letter.id == letter_id)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    letter = session.exec(statement).first()
    if letter is None:
        raise NotFound(
            "This letter no longer exists: unconfirmed letters are deleted when their link "
            "expires.",
            field="token",
        )
    return letter


def campaign_of(session: Session, letter: Letter) -> Campaign:
    campaign = session.get(Campaign, letter.campaign_id)
    if campaign is None:  # the foreign key makes this impossible
        raise NotFound("This letter's campaign no longer exists.", field="campaign")
    return campaign


def templates_for(session: Session, campaign_id: int, lang: str) -> Templates:
    return _once(
        session,
        ("templates", campaign_id, lang),
        lambda: Templates(lang, template_overrides(session, campaign_id, lang)),
    )


def campaign_view(session: Session, campaign: Campaign, lang: str) -> CampaignView:
    """The campaign in `lang` (campaigns.service.resolve), read once per use case."""
    return _once(session, ("view", campaign.id, lang), lambda: resolve(session, campaign, lang))


def draft_of(letter: Letter) -> Draft:
    return Draft(
        name=letter.name,
        email=letter.email,
        postcode=letter.postcode,
        address=letter.address,
        message=letter.message,
        demands=tuple(letter.demand_numbers),
        subject=letter.subject,
    )


def view_of(session: Session, letter: Letter, lang: str) -> CampaignView:
    return campaign_view(session, campaign_of(session, letter), lang)


def existing_letter(
    session: Session, campaign_id: int, representative_id: str, email_key: str
) -> Letter | None:
    return session.exec(
        select(Letter).where(
            Letter.campaign_id == campaign_id,
            Letter.representative_id == representative_id,
            Letter.email_key == email_key,
        )
    ).first()


def recent_fingerprints(
    session: Session,
    settings: Settings,
    representative_id: str,
    now: datetime,
    *,
    exclude_email_key: str | None = None,
    exclude_letter_id: str | None = None,
) -> Sequence[bytes]:
    cfg = settings.letters
    statement = select(Letter.fingerprint).where(
        Letter.representative_id == representative_id,
        col(Letter.created_at) >= now - timedelta(days=cfg.similarity_window_days),
        col(Letter.status).not_in(DEAD),
    )
    if exclude_email_key is not None:
        statement = statement.where(Letter.email_key != exclude_email_key)
    if exclude_letter_id is not None:
        statement = statement.where(Letter.id != exclude_letter_id)
    statement = statement.order_by(col(Letter.created_at).desc()).limit(
        cfg.similarity_max_candidates
    )
    return session.exec(statement).all()


def events_of(session: Session, letter_id: str) -> Sequence[LetterEvent]:
    return session.exec(
        select(LetterEvent)
        .where(LetterEvent.letter_id == letter_id)
        .order_by(col(LetterEvent.at), col(LetterEvent.id))
    ).all()
