"""The rollups. Each is a set of counters added to in the transaction that changes what they
count, never recomputed per request. Rows are spread over a few slots where many writers
would otherwise queue on one row (every submission of an hour); readers sum the slots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

import service.db  # noqa: F401  (constraint naming convention must precede the tables)

# Writers of one hour's counter are spread over this many rows.
SLOTS = 4


class LetterTally(SQLModel, table=True):
    """Letters by their status now, per campaign and representative, with their hold reason
    ("" for none). The campaign's figures are sums of its rows (at most a few per
    representative), so no single row is written by every letter of the campaign."""

    __tablename__ = "stats_letter_tally"

    campaign_id: int = Field(primary_key=True)
    representative_id: str = Field(primary_key=True, max_length=40)
    status: str = Field(primary_key=True, max_length=24)
    hold_reason: str = Field(default="", primary_key=True, max_length=30)
    letters: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class LetterHour(SQLModel, table=True):
    """Letters reaching a step of the funnel (submitted, confirmed, held, queued, sent,
    delivered), per campaign and hour (UTC). A letter counts once per step, in the hour it
    first got there, whatever came after: the funnel is the sum of the hours."""

    __tablename__ = "stats_letter_hour"

    campaign_id: int = Field(primary_key=True)
    hour: datetime = Field(primary_key=True)
    step: str = Field(primary_key=True, max_length=24)
    slot: int = Field(default=0, primary_key=True)
    letters: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class DomainHour(SQLModel, table=True):
    """Letters handed to the provider ("sent") and the provider's events about them, per
    receiving domain and hour (UTC) of the event; domain "" holds the events that matched no
    email of ours. Bounces of type blocked count as "blocked". `seconds` adds up, for
    delivered events, the time since the send (`timed` of them had one)."""

    __tablename__ = "stats_domain_hour"

    domain: str = Field(primary_key=True, max_length=255)
    hour: datetime = Field(primary_key=True)
    event: str = Field(primary_key=True, max_length=20)
    slot: int = Field(default=0, primary_key=True)
    events: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    timed: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    seconds: float = 0.0


class QueuedLetters(SQLModel, table=True):
    """Letters waiting in the outbox (state queued, paced), per campaign and representative:
    the deadline projection's counts, read on every view of the control room instead of
    counting a queue of hundreds of thousands of rows. Delivery publishes each row joining
    or leaving the queue (delivery.queue_news)."""

    __tablename__ = "stats_queued_letters"

    campaign_id: int = Field(primary_key=True)
    representative_id: str = Field(primary_key=True, max_length=40)
    letters: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
