"""What tracking tells the rest of the application. Tracking imports delivery only, so what
letters must learn (a letter delivered, or failed and why) goes through this Protocol;
letters implements it (letters.hooks.LetterTracking) and app/cli wire it at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from service.delivery.states import OutboxState
from service.tracking.outcomes import Failure, ProviderReport, best


@dataclass(frozen=True, slots=True)
class LetterOutcome:
    """A letter's email reached its representative's server (failure None) or failed."""

    letter_id: str
    at: datetime  # when the provider says it happened
    failure: Failure | None = None

    @classmethod
    def of(
        cls, letter_id: str, state: OutboxState, reports: Sequence[ProviderReport]
    ) -> LetterOutcome:
        decider = best(list(reports))
        assert decider is not None
        if state in (OutboxState.bounced, OutboxState.dropped):
            return cls(letter_id, decider.occurred_at, decider.failure or Failure.dropped)
        return cls(letter_id, decider.occurred_at)

    @property
    def delivered(self) -> bool:
        return self.failure is None


class LetterOutcomes(Protocol):
    """Called inside tracking's transaction, once per round of batches; implementations
    write, never commit. Outcomes other than delivered and failed (sent, deferred) are not
    passed on."""

    def apply(self, session: Session, outcomes: Sequence[LetterOutcome]) -> None: ...


class NoLetters:
    """For tracking on its own (the webhook's tests, the benchmark's bare endpoint)."""

    def apply(self, session: Session, outcomes: Sequence[LetterOutcome]) -> None:
        return None


@dataclass(frozen=True, slots=True)
class EventNews:
    """A provider event seen for the first time. domain is the receiving domain of the
    letter it is about, "" when it matched no email of ours, None for other mail (a
    supporter's confirmation: their domain is theirs, not a figure)."""

    domain: str | None
    event: str
    bounce_type: str | None
    occurred_at: datetime
    sent_at: datetime | None  # when the worker handed the email over, if it did


class EventListener(Protocol):
    """Told every new provider event, inside tracking's transaction (the dashboard's
    counters); implementations write, never commit."""

    def events(self, session: Session, news: Sequence[EventNews]) -> None: ...


_EVENT_LISTENERS: list[EventListener] = []


def listen_to_events(listener: EventListener) -> None:
    """Wire a listener (app and cli, at start-up); wiring the same one twice is harmless."""
    if listener not in _EVENT_LISTENERS:
        _EVENT_LISTENERS.append(listener)


def tell_events(session: Session, news: Sequence[EventNews]) -> None:
    if news:
        for listener in _EVENT_LISTENERS:
            listener.events(session, news)
