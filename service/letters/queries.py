"""Reads shared by the letter use cases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from service.campaigns import catalog
from service.campaigns.models import Campaign
from service.campaigns.schemas import CampaignView
from service.campaigns.service import resolve
from service.config import Settings
from service.errors import InvalidInput, NotFound
from service.letters.compose import Draft, Recipient
from service.letters.models import Letter, LetterEvent
from service.letters.states import DEAD
from service.letters.tokens import token_hash
from service.representatives.models import (
    Chamber,
    Constituency,
    Representative,
    RepresentativeStatus,
)
from service.representatives.names import shown_name
from service.studio.rendering import MailTemplates, active_templates


def recipient_of(session: Session, representative_id: str) -> Recipient:
    """The representative a letter goes to, with their chamber's language and timezone."""
    row = session.connection().execute(_RECIPIENT, {"id": representative_id}).first()
    if row is None:
        raise InvalidInput(
            "There is no representative with this id; look them up again.",
            field="representative_id",
        )
    return _recipient(row)


def recipients_of(session: Session, representative_ids: Sequence[str]) -> dict[str, Recipient]:
    """recipient_of for several letters' representatives in one query, by id (ids of no
    representative are left out)."""
    if not representative_ids:
        return {}
    rows = session.connection().execute(_RECIPIENTS, {"ids": sorted(set(representative_ids))})
    return {row.id: _recipient(row) for row in rows}


def _recipient(row: Any) -> Recipient:
    return Recipient(
        id=row.id,
        name=row.name,
        email=row.email,
        chamber_id=row.chamber_id,
        constituency=shown_name(row.constituency),
        timezone=row.timezone,
        civility=row.civility,
        language=row.language,
        can_write=row.status == RepresentativeStatus.active and bool(row.email),
        constituency_id=row.constituency_id,
        party=row.party,
    )


# Plain columns, not ORM entities: this runs for every letter and every page of the journey.
_RECIPIENT_ROW: Select[*tuple[Any, ...]] = (
    sa_select(
        col(Representative.id),
        col(Representative.name),
        col(Representative.email),
        col(Representative.chamber_id),
        col(Representative.status),
        col(Representative.civility),
        col(Representative.party),
        col(Representative.constituency_id),
        col(Constituency.name).label("constituency"),
        col(Chamber.timezone),
        col(Chamber.language),
    )
    .join(Constituency, col(Constituency.id) == Representative.constituency_id)
    .join(Chamber, col(Chamber.id) == Representative.chamber_id)
)
_RECIPIENT = _RECIPIENT_ROW.where(col(Representative.id) == bindparam("id"))
_RECIPIENTS = _RECIPIENT_ROW.where(col(Representative.id).in_(bindparam("ids", expanding=True)))


def find_letter(session: Session, letter_id: str, *, for_update: bool = False) -> Letter:
    letter = _first(session, select(Letter).where(Letter.id == letter_id), for_update)
    if letter is None:
        raise letter_gone()
    return letter


def letter_of_link(session: Session, token: str, *, for_update: bool = False) -> Letter | None:
    """The letter whose confirmation link is `token` (only the link's hash is stored)."""
    statement = select(Letter).where(Letter.confirm_token_hash == token_hash(token))
    return _first(session, statement, for_update)


def letter_gone() -> NotFound:
    return NotFound(
        "This letter no longer exists: unconfirmed letters are deleted when their link expires.",
        field="token",
    )


def _first(session: Session, statement: SelectOfScalar[Letter], for_update: bool) -> Letter | None:
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.exec(statement).first()


def campaign_of(session: Session, letter: Letter) -> Campaign:
    """The letter's campaign, as a read-only snapshot (campaigns.catalog)."""
    return campaign_by_id(session, letter.campaign_id)


def campaign_by_id(session: Session, campaign_id: int) -> Campaign:
    """A letter's campaign by its number (the letter's campaign_id), as campaign_of."""
    campaign = catalog.current_campaign(session, id=campaign_id)
    if campaign is None:  # the foreign key makes this impossible
        raise NotFound("This letter's campaign no longer exists.", field="campaign")
    return campaign


def templates_for(session: Session, view: CampaignView, lang: str) -> MailTemplates:
    """What mail of `view`'s campaign in `lang` is rendered with: its approved template
    versions over the built-in templates (studio), read once per campaign revision."""
    return catalog.campaign_templates(view, lang, lambda: active_templates(session, view.id, lang))


def campaign_view(session: Session, campaign: Campaign, lang: str) -> CampaignView:
    """The campaign in `lang` (campaigns.service.resolve), read once per campaign revision."""
    return catalog.campaign_view(campaign, lang, lambda: resolve(session, campaign, lang))


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


def recent_fingerprints(
    session: Session,
    settings: Settings,
    representative_id: str,
    now: datetime,
    *,
    exclude_email_key: str | None = None,
    exclude_letter_id: str | None = None,
) -> Sequence[bytes]:
    """Fingerprints of the live letters to one representative in the similarity window,
    newest first, other than the supporter's own (by email key, or by letter id)."""
    cfg = settings.letters
    return (
        session.connection()
        .execute(
            _RECENT_FINGERPRINTS,
            {
                "representative": representative_id,
                "since": now - timedelta(days=cfg.similarity_window_days),
                # No letter has an empty id or email key: "" excludes nothing.
                "email_key": exclude_email_key or "",
                "letter_id": exclude_letter_id or "",
                "limit": cfg.similarity_max_candidates,
            },
        )
        .scalars()
        .all()
    )


# Built once: it runs for every submission.
_RECENT_FINGERPRINTS: Select[*tuple[Any, ...]] = (
    sa_select(col(Letter.fingerprint))
    .where(
        col(Letter.representative_id) == bindparam("representative"),
        col(Letter.created_at) >= bindparam("since"),
        col(Letter.status).not_in(DEAD),
        col(Letter.email_key) != bindparam("email_key"),
        col(Letter.id) != bindparam("letter_id"),
    )
    .order_by(col(Letter.created_at).desc())
    .limit(bindparam("limit"))
)


def events_of(session: Session, letter_id: str) -> Sequence[LetterEvent]:
    return session.exec(
        select(LetterEvent)
        .where(LetterEvent.letter_id == letter_id)
        .order_by(col(LetterEvent.at), col(LetterEvent.id))
    ).all()
