"""What each SendGrid event means for an outbox row, and how outcomes rank, so that the
order events arrive in does not matter: processed < deferred < delivered < a final failure
(bounce, blocked, dropped). A lower-ranked event arriving late changes nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from service.delivery.states import OutboxState

S = OutboxState


class Failure(StrEnum):
    """Why a letter did not arrive, in words a supporter and an organiser can act on."""

    bounced = "bounced"  # the receiving server refused it (hard bounce)
    blocked = "blocked"  # the receiving server blocked our sender (reputation, content)
    invalid_address = "invalid_address"  # the address does not exist or was bounced before
    dropped = "dropped"  # the provider would not send it (a suppression list, spam report)


RANK: dict[OutboxState, int] = {
    S.sent: 1,
    S.deferred: 2,
    S.delivered: 3,
    S.bounced: 4,
    S.dropped: 4,
}

# The rank an outbox row has reached already (states no event leads to rank below any).
STATE_RANK: dict[str, int] = {state.value: rank for state, rank in RANK.items()}

# "dropped" reasons that mean the address itself failed: counted as a bounce.
_BOUNCE_LIKE_DROPS = ("bounced address", "invalid")


@dataclass(frozen=True)
class ProviderReport:
    """One event, reduced to what tracking keeps and acts on."""

    sg_event_id: str
    event: str
    outbox_id: str | None
    occurred_at: datetime
    bounce_type: str | None = None
    reason: str | None = None
    provider_message_id: str | None = None

    @property
    def outcome(self) -> OutboxState | None:
        """The outbox state this event proves, or None (opens, clicks, spam reports, ...)."""
        if self.event == "processed":
            return S.sent
        if self.event == "deferred":
            return S.deferred
        if self.event == "delivered":
            return S.delivered
        if self.event in ("bounce", "blocked"):
            return S.bounced
        if self.event == "dropped":
            return S.bounced if self.failure is Failure.invalid_address else S.dropped
        return None

    @property
    def failure(self) -> Failure | None:
        if self.event == "blocked" or (self.event == "bounce" and self.bounce_type == "blocked"):
            return Failure.blocked
        if self.event == "bounce":
            return Failure.bounced
        if self.event == "dropped":
            reason = (self.reason or "").lower()
            if any(reason.startswith(marker) for marker in _BOUNCE_LIKE_DROPS):
                return Failure.invalid_address
            return Failure.dropped
        return None

    @property
    def rank(self) -> int:
        outcome = self.outcome
        return RANK[outcome] if outcome else 0


def aware(moment: datetime) -> datetime:
    """Times read back from SQLite carry no zone; every time here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    return str(value)[:limit]


def _when(value: Any, fallback: datetime) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 2**33:
        return datetime.fromtimestamp(value, UTC)
    return fallback


def event_id(event: dict[str, Any]) -> str:
    """sg_event_id; an event without one is keyed on its own content, so that a repeat of it
    is still recognised."""
    given = event.get("sg_event_id")
    if isinstance(given, str) and 0 < len(given) <= 100:
        return given
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def report_of(event: dict[str, Any], received_at: datetime) -> ProviderReport:
    outbox_id = event.get("outbox_id")
    return ProviderReport(
        sg_event_id=event_id(event),
        event=str(event.get("event") or "unknown")[:20],
        outbox_id=outbox_id if isinstance(outbox_id, str) and len(outbox_id) <= 32 else None,
        occurred_at=_when(event.get("timestamp"), received_at),
        bounce_type=_text(event.get("type"), 20),
        reason=_text(event.get("reason") or event.get("response"), 500),
        provider_message_id=_text(event.get("sg_message_id"), 200),
    )


def best(reports: list[ProviderReport]) -> ProviderReport | None:
    """The report that decides a row's state: the highest rank; among final failures, the
    earliest (then the smallest id), so any order of the same events picks the same one."""
    ranked = [report for report in reports if report.rank]
    if not ranked:
        return None
    top = max(report.rank for report in ranked)
    return min(
        (report for report in ranked if report.rank == top),
        key=lambda report: (aware(report.occurred_at), report.sg_event_id),
    )
