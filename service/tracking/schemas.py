"""What tracking's use cases and JSON endpoints return."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class BatchResult(BaseModel):
    events: int  # distinct events in the batch
    new: int  # not seen before
    duplicates: int  # seen before (SendGrid repeats events)
    unmatched: int  # new, and about no email of ours: kept and counted
    changed: int  # letters whose state moved


class FailingAddress(BaseModel):
    """A line of the organisers' "fix this address" worklist."""

    recipient_key: str | None  # the representative's id
    address: str
    state: str  # failing | paused
    hard_bounces: int
    blocks: int
    spam_reports: int
    last_reason: str | None
    last_event_at: datetime | None
    held_letters: int


class DeferredDomain(BaseModel):
    """A receiving domain with mail deferred longer than the alert threshold."""

    domain: str
    deferred: int
    oldest_since: datetime


class AddressDecision(BaseModel):
    """What an organiser's decision on an address did."""

    address: str
    released: int  # held letters queued again
    suppressed_on: list[str]  # SendGrid suppression lists still holding the old address


class ProviderOutcome(BaseModel):
    """One of the provider's reports on a letter to a representative (their page)."""

    event: str  # delivered | deferred | bounce | blocked | dropped | spamreport | processed
    occurred_at: datetime
    reason: str | None  # the provider's words (an SMTP reply from the office's server)
    address: str  # the address the letter went to
