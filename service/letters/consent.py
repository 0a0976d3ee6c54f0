"""Consent records: which wording of the consent box a supporter ticked, and when.

The wording itself lives in the letter form; each time its meaning changes it gets a new
version here, so that a record always says what the supporter agreed to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field, Session, SQLModel

import service.db  # noqa: F401  (constraint naming convention must precede the tables)

# The consent box of the letter form (service/web/templates/public/compose.html), in English:
# "Send this letter to <representative> in my name, with my name, postcode, address and email,
# so that their office can reply to me."
CURRENT_WORDING = "2026-11-27"
WORDINGS = {
    "2026-11-27": (
        "Send this letter to the representative in my name, with my name, postcode, address "
        "and email, so that their office can reply to me."
    ),
}


class ConsentRecord(SQLModel, table=True):
    __tablename__ = "consent_record"

    id: int | None = Field(default=None, primary_key=True)
    # Goes with its letter when an unconfirmed one is purged.
    letter_id: str = Field(
        sa_column=Column(
            String(32), ForeignKey("letter.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    wording_version: str = Field(max_length=20)
    lang: str = Field(max_length=2)  # the language the supporter read it in
    ticked_at: datetime


def record_consent(
    session: Session,
    letter_id: str,
    lang: str,
    ticked_at: datetime,
    wording_version: str = CURRENT_WORDING,
) -> None:
    """Adds the record; the caller commits (with the letter, where it can)."""
    if wording_version not in WORDINGS:
        raise ValueError(f"unknown consent wording {wording_version!r}")
    session.add(
        ConsentRecord(
            letter_id=letter_id, wording_version=wording_version, lang=lang, ticked_at=ticked_at
        )
    )
