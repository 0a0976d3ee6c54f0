"""The outbox: one row per outgoing email, its append-only event log, and the pause switch."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String, Text
from sqlmodel import Field, Session, SQLModel

import service.db  # noqa: F401  (constraint naming convention must precede the tables)
from service.delivery.queue_news import move_of, publish
from service.delivery.schemas import Address, MessageKind, OutgoingEmail
from service.delivery.states import OutboxState, require_move

GLOBAL_SWITCH = "global"
# "campaign:<id>": one campaign's mail (delivery.service.campaign_switch).
CAMPAIGN_SWITCH_PREFIX = "campaign:"

# Lower claims first: mail a supporter is waiting for is never stuck behind a letter backlog.
PRIORITY = {
    MessageKind.confirmation: 0,
    MessageKind.notice: 1,
    MessageKind.reminder: 2,
    MessageKind.letter: 5,
}


def new_outbox_id() -> str:
    return uuid.uuid4().hex


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()[:255]


class OutboxMessage(SQLModel, table=True):
    """A snapshot of one rendered email and where it is in its delivery."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        # The claim query: state = 'queued' AND next_attempt_at <= now ORDER BY priority, ...
        Index("ix_outbox_message_state_priority_due", "state", "priority", "next_attempt_at"),
        # Pacing: the slots booked for one representative.
        Index("ix_outbox_message_pace_key_not_before", "pace_key", "not_before"),
        # The deadline projection: a campaign's queued letters per representative.
        Index(
            "ix_outbox_message_campaign_state_pace",
            "campaign_id",
            "state",
            "pace_key",
            "not_before",
        ),
    )

    id: str = Field(default_factory=new_outbox_id, primary_key=True, max_length=32)
    kind: MessageKind = Field(sa_column=Column(String(20), nullable=False))
    priority: int = 5
    state: OutboxState = Field(
        default=OutboxState.queued, sa_column=Column(String(12), nullable=False)
    )
    letter_id: str | None = Field(default=None, max_length=64, index=True)
    # The campaign the mail belongs to (an opaque number to delivery): letters are planned
    # against its deadline, which is the row's expires_at, without reading any other table.
    campaign_id: int | None = Field(default=None, index=True)
    # Letters: the representative whose pace this row keeps (not_before is its slot).
    pace_key: str | None = Field(default=None, max_length=40)
    # The receiving domain (lower case), for the per-domain concurrency limit.
    to_domain: str = Field(default="", max_length=255)

    sender_email: str = Field(max_length=320)
    sender_name: str | None = Field(default=None, max_length=320)
    to_email: str = Field(max_length=320)
    to_name: str | None = Field(default=None, max_length=320)
    reply_to_email: str | None = Field(default=None, max_length=320)
    reply_to_name: str | None = Field(default=None, max_length=320)
    subject: str = Field(max_length=1000)
    text_body: str = Field(sa_column=Column(Text, nullable=False))
    html_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

    attempts: int = 0  # sends started; also the fencing token of the current lease
    not_before: datetime | None = None  # the earliest send time the caller (pacing) asked for
    next_attempt_at: datetime | None = None  # when a queued row is due; ambiguity check time
    expires_at: datetime | None = None  # not sent by then: expired
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_expires_at: datetime | None = None
    # Set while the outcome of the last send is unknown (timeout after the request left).
    ambiguous_since: datetime | None = None
    backend: str | None = Field(default=None, max_length=20)
    provider_message_id: str | None = Field(default=None, max_length=200, index=True)
    last_error: str | None = Field(default=None, max_length=500)

    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    # When the personal data in it (addresses, names, subject, bodies) was erased.
    redacted_at: datetime | None = None

    @staticmethod
    def row_for(email: OutgoingEmail, **values: Any) -> dict[str, Any]:
        """Every column of a new row holding `email`, for a plain INSERT; `values` sets the
        delivery columns (state, next_attempt_at, created_at, ...)."""
        return {
            **_MODEL_DEFAULTS,
            "id": new_outbox_id(),
            "kind": email.kind,
            "priority": PRIORITY.get(email.kind, 5),
            "letter_id": email.letter_id,
            "sender_email": email.sender.email,
            "sender_name": email.sender.name,
            "to_email": email.to.email,
            "to_name": email.to.name,
            "to_domain": domain_of(email.to.email),
            "reply_to_email": email.reply_to.email if email.reply_to else None,
            "reply_to_name": email.reply_to.name if email.reply_to else None,
            "subject": email.subject,
            "text_body": email.text,
            "html_body": email.html,
            "headers": dict(email.headers),
            **values,
        }

    def as_email(self) -> OutgoingEmail:
        return OutgoingEmail(
            kind=MessageKind(self.kind),
            sender=Address(self.sender_email, self.sender_name),
            to=Address(self.to_email, self.to_name),
            subject=self.subject,
            text=self.text_body,
            html=self.html_body,
            reply_to=(
                Address(self.reply_to_email, self.reply_to_name) if self.reply_to_email else None
            ),
            letter_id=self.letter_id,
            headers=dict(self.headers or {}),
        )


# What the model gives a column nobody sets (state queued, no attempts yet, ...): a plain
# INSERT must spell each one out, and deriving them keeps them the model's.
_MODEL_DEFAULTS: dict[str, Any] = {
    name: field.default
    for name, field in OutboxMessage.model_fields.items()
    if not field.is_required() and field.default_factory is None
}


class OutboxEvent(SQLModel, table=True):
    """Append-only: one row per transition of an outbox message (and per notable fact, such as a
    stale worker reporting late, where from_state == to_state)."""

    __tablename__ = "outbox_event"

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: str = Field(foreign_key="outbox_message.id", index=True, max_length=32)
    at: datetime
    from_state: str | None = Field(default=None, max_length=12)
    to_state: str = Field(max_length=12)
    attempt: int = 0
    actor: str = Field(max_length=100)  # "enqueue", a worker id, "cli", "tracking", ...
    detail: str | None = Field(default=None, max_length=500)  # reason; never personal data


class DeliveryControl(SQLModel, table=True):
    """Switches that stop sending at once: 'global' for all mail, 'campaign:<id>' for one
    campaign's; no row means running."""

    __tablename__ = "delivery_control"

    name: str = Field(primary_key=True, max_length=40)
    paused: bool = False
    reason: str | None = Field(default=None, max_length=500)
    changed_by: str = Field(max_length=100)
    changed_at: datetime


class DeliveryPace(SQLModel, table=True):
    """One row per paced recipient (a representative). Scheduling a letter locks it first,
    so two confirmations at once never book the same slot; it keeps the pace in force when
    it had to be raised to make a deadline."""

    __tablename__ = "delivery_pace"

    key: str = Field(primary_key=True, max_length=40)
    raised_per_hour: float | None = None
    # Set while this recipient's mail is held (an address failing, a spam report): new rows
    # are enqueued held with this reason until recipients.release_recipient().
    held_reason: str | None = Field(default=None, max_length=200)
    updated_at: datetime


class PeriodicRun(SQLModel, table=True):
    """A lease on a periodic job, so that one worker at a time runs it, once per interval."""

    __tablename__ = "periodic_run"

    name: str = Field(primary_key=True, max_length=40)
    owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


def transition(
    session: Session,
    message: OutboxMessage,
    target: OutboxState,
    *,
    now: datetime,
    actor: str,
    detail: str | None = None,
) -> OutboxEvent:
    """Move a row to `target` (raising InvalidTransition if the table forbids it) and append
    the event in the same session. The caller sets the other columns and commits."""
    current = OutboxState(message.state) if message.state is not None else None
    require_move(current, target)
    event = OutboxEvent(
        outbox_id=message.id,
        at=now,
        from_state=current,
        to_state=target,
        attempt=message.attempts,
        actor=actor[:100],
        detail=detail[:500] if detail else None,
    )
    move = move_of(message.kind, message.campaign_id, message.pace_key, current, target)
    publish(session, [move])
    message.state = target
    message.updated_at = now
    session.add(event)
    return event


def note(
    session: Session, message: OutboxMessage, *, now: datetime, actor: str, detail: str
) -> OutboxEvent:
    """Append a fact that changes no state (e.g. a late answer for a superseded attempt)."""
    event = OutboxEvent(
        outbox_id=message.id,
        at=now,
        from_state=message.state,
        to_state=message.state,
        attempt=message.attempts,
        actor=actor[:100],
        detail=detail[:500],
    )
    session.add(event)
    return event
