"""Stored batches applied in rounds: apply_fresh takes the waiting batches oldest first,
several at a time, each event once; a round that fails leaves its batches to the periodic
job; BatchApplier runs one round at a time per process, posts during a round only flag it."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from service.config import Settings
from service.tracking import service as tracking
from service.tracking.listeners import NoLetters
from service.tracking.models import ProviderEvent, WebhookBatch
from service.tracking.schemas import BatchResult
from service.tracking.webhooks import BatchApplier
from tests.tracking.conftest import event, sent_row


def _store(session: Session, events: list[dict[str, object]]) -> int:
    raw = (json.dumps(events, separators=(",", ":")) + "\r\n").encode()
    return tracking.store_batch(session, raw, now=datetime.now(UTC))


def test_a_round_applies_the_waiting_batches_together_each_event_once(
    session: Session, settings: Settings
) -> None:
    first, second = sent_row(session, 1), sent_row(session, 2)
    delivered = event(first, "delivered", 20)
    ids = [
        _store(session, [event(first, "processed", 10), delivered]),
        _store(session, [delivered, event(second, "deferred", 30), event(None, "open")]),
        _store(session, [event(second, "delivered", 40)]),
    ]
    now = datetime.now(UTC)
    result = tracking.apply_fresh(session, NoLetters(), settings.tracking, now=now, limit=2)
    assert result == BatchResult(events=4, new=4, duplicates=0, unmatched=1, changed=1)
    session.refresh(first)
    session.refresh(second)
    assert (first.state, second.state) == ("delivered", "deferred")
    # The repeated event is kept once, under the batch that brought it first.
    kept = session.exec(select(ProviderEvent).where(ProviderEvent.outbox_id == first.id)).all()
    assert sorted(e.batch_id for e in kept) == [ids[0], ids[0]]
    assert tracking.apply_fresh(session, NoLetters(), settings.tracking, now=now) is not None
    session.refresh(second)
    assert second.state == "delivered"
    assert tracking.apply_fresh(session, NoLetters(), settings.tracking, now=now) is None
    assert all(b.processed_at for b in session.exec(select(WebhookBatch)).all())


class _Failing:
    def apply(self, session: Session, outcomes: object) -> None:
        raise RuntimeError("letters unavailable")


def test_a_failed_round_is_left_to_the_periodic_job(session: Session, settings: Settings) -> None:
    row = sent_row(session, 3)
    row.letter_id = "a" * 32  # told to letters, whose listener fails here
    session.commit()
    batch_id = _store(session, [event(row, "delivered", 50)])
    now = datetime.now(UTC)
    with pytest.raises(RuntimeError):
        tracking.apply_fresh(session, _Failing(), settings.tracking, now=now)
    batch = session.get(WebhookBatch, batch_id)
    assert batch is not None
    session.refresh(batch)
    assert (batch.processed_at, batch.attempts, batch.last_error) == (None, 1, "RuntimeError")
    assert session.exec(select(ProviderEvent)).all() == []  # undone with the round
    # Not retried by the next round (a batch that fails would fail every post) ...
    assert tracking.apply_fresh(session, NoLetters(), settings.tracking, now=now) is None
    # ... but by the periodic job, once it is old enough.
    later = now + timedelta(seconds=settings.tracking.reprocess_after_seconds + 1)
    assert tracking.process_pending(session, NoLetters(), settings.tracking, now=later) == 1
    session.refresh(row)
    assert row.state == "delivered"


def test_posts_during_a_round_only_flag_it_and_the_running_thread_applies_them() -> None:
    rounds: list[str] = []
    waiting = [1]
    inside, release = threading.Event(), threading.Event()

    def apply_round() -> BatchResult | None:
        if not waiting:
            rounds.append("none")
            return None
        waiting.pop()
        rounds.append("round")
        inside.set()
        release.wait(5)
        return BatchResult(events=1, new=1, duplicates=0, unmatched=0, changed=0)

    applier = BatchApplier(apply_round)
    runner = threading.Thread(target=applier.kick)
    runner.start()
    assert inside.wait(5)
    waiting.append(2)  # a post stored while the round runs ...
    applier.kick()  # ... returns at once: the running thread takes it
    assert rounds == ["round"]
    release.set()
    runner.join(5)
    # Both batches by the running thread (and an empty round for the flag the post raised).
    assert rounds[:3] == ["round", "round", "none"] and rounds.count("round") == 2


def test_a_round_that_raises_ends_the_run_quietly() -> None:
    calls: list[int] = []

    def apply_round() -> BatchResult | None:
        calls.append(1)
        raise RuntimeError("database down")

    BatchApplier(apply_round).kick()  # noted on the batches by apply_fresh; nothing raised
    assert calls == [1]
