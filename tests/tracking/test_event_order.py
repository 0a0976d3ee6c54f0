"""Events are applied so that their order and their repeats do not matter: any permutation
and duplication of a message's events, in any split into batches, ends in the same state."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from service.config import Settings
from service.delivery.models import OutboxMessage
from service.tracking import service as tracking
from service.tracking.listeners import NoLetters
from service.tracking.outcomes import Failure, report_of
from tests.tracking.conftest import event, sent_row

# A message's events as SendGrid may send them (before any reordering), and the end state.
FATES: dict[str, tuple[list[tuple[str, dict[str, str]]], str]] = {
    "delivered": (
        [("processed", {}), ("deferred", {}), ("deferred", {}), ("delivered", {})],
        "delivered",
    ),
    "bounced": ([("processed", {}), ("deferred", {}), ("bounce", {"type": "bounce"})], "bounced"),
    "bounced after delivery": ([("processed", {}), ("delivered", {}), ("bounce", {})], "bounced"),
    "blocked": ([("processed", {}), ("bounce", {"type": "blocked"})], "bounced"),
    "dropped, bounced address": (
        [("processed", {}), ("dropped", {"reason": "Bounced Address"})],
        "bounced",
    ),
    "dropped, unsubscribed": (
        [("processed", {}), ("dropped", {"reason": "Unsubscribed Address"})],
        "dropped",
    ),
    "still deferred": ([("processed", {}), ("deferred", {}), ("deferred", {})], "deferred"),
    "processed only": ([("processed", {}), ("open", {})], "sent"),
}


def _store(session: Session, events: list[dict[str, object]]) -> int:
    raw = (json.dumps(events, separators=(",", ":")) + "\r\n").encode()
    return tracking.store_batch(session, raw, now=datetime.now(UTC))


def _arrivals(
    session: Session, data: st.DataObject, fate: str
) -> tuple[OutboxMessage, list[list[dict[str, object]]], str]:
    """A sent row, its fate's events with repeats in a drawn order cut into drawn batches,
    and the state they must end in."""
    script, expected = FATES[fate]
    row = sent_row(session, n=uuid.uuid4().int % 10_000, letter_id=None)
    events = [
        event(row, kind, at=1_764_000_000 + i, **extra) for i, (kind, extra) in enumerate(script)
    ]
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=6), label="repeats")
    arrival = data.draw(st.permutations(events + repeats), label="arrival")
    cut = sorted(data.draw(st.sets(st.integers(0, len(arrival)), max_size=3), label="cuts"))
    batches = [arrival[a:b] for a, b in zip([0, *cut], [*cut, len(arrival)], strict=True)]
    return row, [batch for batch in batches if batch], expected


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), fate=st.sampled_from(sorted(FATES)))
def test_any_order_and_any_repeats_end_in_the_same_state(
    session: Session, settings: Settings, data: st.DataObject, fate: str
) -> None:
    row, batches, expected = _arrivals(session, data, fate)
    for batch in batches:
        batch_id = _store(session, batch)
        tracking.process_batch(
            session, batch_id, NoLetters(), settings.tracking, now=datetime.now(UTC)
        )
    session.refresh(row)
    assert row.state == expected


def test_dropped_for_a_bounced_or_invalid_address_counts_as_a_bounce() -> None:
    now = datetime.now(UTC)
    for reason in ("Bounced Address", "Invalid"):
        report = report_of({"event": "dropped", "reason": reason}, now)
        assert report.failure is Failure.invalid_address and report.outcome == "bounced"
    spam = report_of({"event": "dropped", "reason": "Spam Reporting Address"}, now)
    assert spam.failure is Failure.dropped and spam.outcome == "dropped"
    blocked = report_of({"event": "bounce", "type": "blocked"}, now)
    assert blocked.failure is Failure.blocked


def test_an_event_without_an_id_is_still_recognised_when_repeated() -> None:
    now = datetime.now(UTC)
    first = report_of({"event": "delivered", "email": "a@b.example", "timestamp": 5}, now)
    again = report_of({"timestamp": 5, "email": "a@b.example", "event": "delivered"}, now)
    assert first.sg_event_id == again.sg_event_id


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), fate=st.sampled_from(sorted(FATES)))
def test_batches_applied_together_end_as_one_by_one(
    session: Session, settings: Settings, data: st.DataObject, fate: str
) -> None:
    """apply_fresh takes the waiting batches as one set of events: a round of two or three
    of them ends where applying them one by one does."""
    row, batches, expected = _arrivals(session, data, fate)
    for batch in batches:
        _store(session, batch)
    now = datetime.now(UTC)
    while tracking.apply_fresh(session, NoLetters(), settings.tracking, now=now, limit=2):
        pass
    session.refresh(row)
    assert row.state == expected
    assert tracking.counts(session)["batches_waiting"] == 0
