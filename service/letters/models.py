"""A supporter's letter, its status history, and the database-held rate-limit counters."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, String, Text, text
from sqlmodel import Field, SQLModel

import service.db  # noqa: F401  (constraint naming convention must precede the tables)
from service.letters.states import LetterStatus


def new_letter_id() -> str:
    return uuid.uuid4().hex


class Letter(SQLModel, table=True):
    __tablename__ = "letter"
    __table_args__ = (
        # One confirmed letter per supporter per representative per campaign. Unconfirmed
        # ones may be several: a submission never reveals whether its address wrote before
        # (service.letters.one_letter). Also the lookup of that first letter.
        Index(
            "uq_letter_one_confirmed_per_writer",
            "campaign_id",
            "representative_id",
            "email_key",
            unique=True,
            sqlite_where=text("confirmed_at IS NOT NULL"),
            postgresql_where=text("confirmed_at IS NOT NULL"),
        ),
        # Similarity: recent letters to one representative.
        Index("ix_letter_representative_id_created_at", "representative_id", "created_at"),
        # Periodic jobs: unconfirmed letters by age.
        Index("ix_letter_status_created_at", "status", "created_at"),
    )

    id: str = Field(default_factory=new_letter_id, primary_key=True, max_length=32)
    campaign_id: int = Field(foreign_key="campaign.id")
    representative_id: str = Field(foreign_key="representative.id", max_length=40)
    status: LetterStatus = Field(
        default=LetterStatus.pending_confirmation, sa_column=Column(String(24), nullable=False)
    )
    language: str = Field(max_length=2)  # the letter's language (the chamber's)
    ui_lang: str = Field(max_length=2)  # the language of mail to the supporter

    name: str = Field(max_length=100)
    email: str = Field(max_length=254)
    # Lower-cased and trimmed; the key of the one-letter-per-representative rule.
    email_key: str = Field(max_length=254)
    postcode: str = Field(max_length=16)
    address: str = Field(max_length=300)
    message: str = Field(sa_column=Column(Text, nullable=False))
    demands: str = Field(max_length=60)  # "1,3,4"
    subject: str = Field(max_length=200)
    subject_is_own: bool = False
    consent_at: datetime
    updates: bool = False
    # HMAC of the client address with the secret key; never the address itself.
    ip_hash: str | None = Field(default=None, max_length=64)

    hold_reason: str | None = Field(default=None, max_length=30)
    similarity: float = 0.0
    fingerprint: bytes = Field(sa_column=Column(LargeBinary, nullable=False))

    # SHA-256 of the signed confirmation token; the token itself is never stored.
    confirm_token_hash: str = Field(max_length=64, unique=True)
    confirm_expires_at: datetime
    confirmation_sent_at: datetime
    reminder_sent_at: datetime | None = None
    confirmed_at: datetime | None = None
    outbox_id: str | None = Field(default=None, max_length=32)
    # The approved letter template version it was sent with (studio); None: the built-in
    # letter. Set when the letter is queued, from the very rendering that is sent.
    template_version: int | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def demand_numbers(self) -> list[int]:
        return [int(part) for part in self.demands.split(",") if part]


class LetterEvent(SQLModel, table=True):
    """Append-only: one row per status change of a letter."""

    __tablename__ = "letter_event"

    id: int | None = Field(default=None, primary_key=True)
    letter_id: str = Field(foreign_key="letter.id", index=True, max_length=32)
    at: datetime
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str = Field(max_length=24)
    # Who moved it: "supporter", "system" (a periodic job, the delivery worker) or a person
    # of the console ("person:<id>"). Never an email address.
    actor: str = Field(default="system", max_length=100)
    detail: str | None = Field(default=None, max_length=200)  # never personal data


class RateLimitCounter(SQLModel, table=True):
    """Hits per (bucket, hashed key) in one fixed window; shared by every process."""

    __tablename__ = "rate_limit_counter"

    bucket: str = Field(primary_key=True, max_length=30)
    key_hash: str = Field(primary_key=True, max_length=64)
    window_start: datetime = Field(primary_key=True, index=True)
    count: int = 0


class ReplySurvey(SQLModel, table=True):
    """After delivery: did the representative reply? One question to the supporter (and
    one reminder); the answer is recorded once, through the signed link of the email."""

    __tablename__ = "reply_survey"
    __table_args__ = (Index("ix_reply_survey_due_at", "due_at", "asked_at"),)

    letter_id: str = Field(foreign_key="letter.id", primary_key=True, max_length=32)
    due_at: datetime
    asked_at: datetime | None = None
    reminded_at: datetime | None = None
    answer: str | None = Field(default=None, max_length=20)
    answered_at: datetime | None = None
