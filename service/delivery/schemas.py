"""What the rest of the service hands to delivery: one fully rendered email."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class MessageKind(StrEnum):
    letter = "letter"  # to a representative: paced, never tracked for opens/clicks
    confirmation = "confirmation"  # to a supporter: sent at once, not paced behind letters
    reminder = "reminder"
    notice = "notice"  # other mail to a supporter (e.g. "your letter missed the deadline")


@dataclass(frozen=True, slots=True)
class Address:
    email: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """A rendered email, snapshotted into the outbox so later edits never rewrite it.

    Every header value here has already been checked for CR/LF by whoever built it.
    """

    kind: MessageKind
    sender: Address
    to: Address
    subject: str
    text: str
    html: str | None = None
    reply_to: Address | None = None
    # The only thing sent to the provider besides the content: an opaque id, never personal data.
    letter_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Unpaced:
    """An email nobody paces or holds (a notice to a supporter), for enqueue_many: queued
    at `at`, in `campaign_id`'s plan."""

    email: OutgoingEmail
    campaign_id: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    """Where one outbox row stands; what other domains read (letter status, dashboards)."""

    id: str
    kind: MessageKind
    state: str  # an OutboxState value
    attempts: int
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    provider_message_id: str | None
    # Why it failed, or the last transient error while it is being retried. No personal data.
    last_error: str | None
    ambiguous: bool


@dataclass(frozen=True, slots=True)
class PauseState:
    paused: bool
    reason: str | None = None
    changed_by: str | None = None
    changed_at: datetime | None = None
