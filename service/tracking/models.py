"""What the Event Webhook brought: every verified batch as received, each provider event
once (by sg_event_id), and the health of each receiving address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, String, Text
from sqlmodel import Field, SQLModel

import service.db  # noqa: F401  (constraint naming convention must precede the tables)


class WebhookBatch(SQLModel, table=True):
    """A verified post, stored before it is answered so that no batch is ever lost; its
    events are applied afterwards (processed_at set once they are)."""

    __tablename__ = "webhook_batch"
    __table_args__ = (Index("ix_webhook_batch_processed_at", "processed_at", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime
    body: str = Field(sa_column=Column(Text, nullable=False))  # the raw JSON, as signed
    processed_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)


class ProviderEvent(SQLModel, table=True):
    """One SendGrid event, kept once however often it was posted. outbox_id is None when it
    matched no email of ours: such events are kept and counted, not lost."""

    __tablename__ = "provider_event"

    sg_event_id: str = Field(primary_key=True, max_length=100)
    batch_id: int = Field(index=True)
    outbox_id: str | None = Field(default=None, max_length=32, index=True)
    event: str = Field(max_length=20)
    bounce_type: str | None = Field(default=None, max_length=20)
    # The provider's words (an SMTP reply about the receiving office; never the supporter).
    reason: str | None = Field(default=None, max_length=500)
    occurred_at: datetime


class AddressHealth(SQLModel, table=True):
    """A receiving address (a representative's office) as the provider sees it: failing after
    repeated hard bounces or a block, paused after a spam report."""

    __tablename__ = "address_health"

    address: str = Field(primary_key=True, max_length=320)
    # The representative's pace key on the outbox rows (an opaque id to tracking).
    recipient_key: str | None = Field(default=None, max_length=40, index=True)
    state: str = Field(default="ok", sa_column=Column(String(12), nullable=False))
    hard_bounces: int = 0
    blocks: int = 0
    spam_reports: int = 0
    last_reason: str | None = Field(default=None, max_length=500)
    last_event_at: datetime | None = None
    updated_at: datetime
