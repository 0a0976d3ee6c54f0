"""A letter between the form and the send button: kept on the server for a few hours so that
the preview is a page of its own (POST, then redirect, then GET). Back, reload and the
language switch then work on it, and nothing typed is lost on the way.

A draft is read only with the browser that wrote it: the page binds it to that browser's
form-protection cookie, so the link alone (from a history, a shared screen) shows nothing.
Drafts hold personal data: they go when the letter is sent, and any expired ones are deleted
whenever a new draft is saved."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, delete
from sqlmodel import Field, Session, SQLModel, col

import service.db  # noqa: F401  (constraint naming convention must precede the tables)
from service.db import use_case

# Long enough to read the letter, go and find a detail, and come back.
DRAFT_LIFETIME = timedelta(hours=6)
DRAFT_ID_LENGTH = 32


class LetterDraft(SQLModel, table=True):
    __tablename__ = "letter_draft"

    id: str = Field(primary_key=True, max_length=DRAFT_ID_LENGTH)
    campaign_slug: str = Field(max_length=60)
    # A digest of the browser's cookie the draft was written with (never the cookie).
    owner: str = Field(max_length=64)
    # The letter form's fields, as typed.
    fields: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    expires_at: datetime = Field(index=True)


def _owner(secret: str, browser_key: str) -> str:
    return hmac.new(secret.encode(), browser_key.encode(), hashlib.sha256).hexdigest()


def save_draft(
    session: Session,
    *,
    secret: str,
    browser_key: str,
    campaign_slug: str,
    fields: dict[str, Any],
    now: datetime,
) -> str:
    """Keep the letter; returns the draft's id (for the preview's address)."""
    draft_id = secrets.token_urlsafe(24)[:DRAFT_ID_LENGTH]
    with use_case(session):
        session.exec(delete(LetterDraft).where(col(LetterDraft.expires_at) < now))
        session.add(
            LetterDraft(
                id=draft_id,
                campaign_slug=campaign_slug,
                owner=_owner(secret, browser_key),
                fields=fields,
                expires_at=now + DRAFT_LIFETIME,
            )
        )
        session.commit()
    return draft_id


def read_draft(
    session: Session,
    *,
    secret: str,
    browser_key: str,
    draft_id: str,
    campaign_slug: str,
    now: datetime,
) -> dict[str, Any] | None:
    """The draft's fields; None when it is unknown, expired, of another campaign or another
    browser (the page then asks the supporter to write again, from the form)."""
    if not draft_id or len(draft_id) > DRAFT_ID_LENGTH:
        return None
    draft = session.get(LetterDraft, draft_id)
    if draft is None or draft.campaign_slug != campaign_slug:
        return None
    expires_at = draft.expires_at
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=now.tzinfo)
    if expires_at <= now or not hmac.compare_digest(draft.owner, _owner(secret, browser_key)):
        return None
    return dict(draft.fields)


def discard_draft(session: Session, draft_id: str) -> None:
    """Forget a draft once its letter is sent (the caller commits with the letter, or alone)."""
    if draft_id and len(draft_id) <= DRAFT_ID_LENGTH:
        session.exec(delete(LetterDraft).where(col(LetterDraft.id) == draft_id))
