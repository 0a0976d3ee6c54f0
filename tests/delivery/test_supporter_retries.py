"""Mail a supporter is waiting for (a confirmation above all) is retried within seconds and goes
before letters; letters to representatives keep the gentle backoff. Checked against the fake
SendGrid with a fifth of the requests failing (5xx and 429), under the default settings."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.clock import FakeClock, SystemClock
from service.config import DeliverySettings
from service.delivery import service as delivery
from service.delivery.backends import TransientSendError
from service.delivery.backends.memory import MemoryBackend
from service.delivery.backends.sendgrid import SendGridBackend
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.delivery.worker import Worker
from tests.delivery.support import make_email
from tests.fakes.sendgrid_server import FakeSendGrid

CONFIRMATIONS = 60
LETTERS = 240
PATIENCE_SECONDS = 180.0


def _queue(engine: Engine, now: datetime, kind: MessageKind, count: int, first: int) -> None:
    with Session(engine) as session, session.begin():
        for n in range(first, first + count):
            delivery.enqueue(session, make_email(n, kind=kind), now=now)


def test_quick_retries_for_supporters_then_the_usual_backoff(
    db: Engine, clock: FakeClock, backend: MemoryBackend
) -> None:
    settings = DeliverySettings(poll_interval_seconds=0.02, max_attempts=8)
    _queue(db, clock.now(), MessageKind.confirmation, 1, first=1)
    _queue(db, clock.now(), MessageKind.letter, 1, first=2)
    worker = Worker(db, backend, settings, clock=clock, rng=random.Random(5), concurrency=2)
    try:
        delays: dict[str, list[float]] = {"confirmation": [], "letter": []}
        for _ in range(len(settings.supporter_retry_seconds) + 1):
            backend.fail_next(*(TransientSendError("SendGrid 503") for _ in range(2)))
            worker.drain()
            with Session(db) as session:
                for message in session.exec(select(OutboxMessage)).all():
                    due = message.next_attempt_at
                    assert due is not None
                    delays[message.kind].append((due - clock.now()).total_seconds())
            clock.advance(max(max(d) for d in delays.values() if d) + 1)
    finally:
        worker.close()
    quick = settings.supporter_retry_seconds
    for delay, step in zip(delays["confirmation"], quick, strict=False):
        assert step / 2 <= delay <= step  # seconds, with jitter
    # After the quick steps, the usual backoff from its first step.
    base = settings.backoff_base_seconds
    assert base / 2 <= delays["confirmation"][len(quick)] <= base
    # A letter's first retry already waits the usual backoff.
    assert base / 2 <= delays["letter"][0] <= base


def test_every_confirmation_gets_through_a_fifth_of_requests_failing(
    db: Engine,
) -> None:
    """Behind a backlog of letters and through 5xx and 429 answers, every confirmation is sent
    once. How fast is measured by bench/supporter_retries.py (goal: the slowest within 30 s)."""
    settings = DeliverySettings()  # the defaults: letters back off from 30 s
    now = datetime.now(UTC)
    _queue(db, now, MessageKind.letter, LETTERS, first=1)
    _queue(db, now, MessageKind.confirmation, CONFIRMATIONS, first=LETTERS + 1)
    with FakeSendGrid(
        latency=0.02, fault_rate=0.2, fault_mix=(500, 502, 503, 429), seed=11
    ) as fake:
        backend = SendGridBackend(fake.api_key, host=fake.url, timeout=5, connections=8)
        worker = Worker(db, backend, settings, clock=SystemClock(), concurrency=8)
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        try:
            # A guard against a hang, not a goal: the quick retries end well inside it.
            deadline = time.monotonic() + PATIENCE_SECONDS
            while time.monotonic() < deadline and _unsent_confirmations(db):
                time.sleep(0.2)
        finally:
            stop.set()
            thread.join(15)
            worker.close()
        injected = sum(fake.injected.values())
        accepted = Counter(
            received.body["personalizations"][0]["custom_args"]["letter_id"]
            for received in fake.received
        )
    confirmations = {f"letter-{n:05d}" for n in range(LETTERS + 1, LETTERS + CONFIRMATIONS + 1)}
    assert injected > 0
    assert _unsent_confirmations(db) == 0
    assert confirmations <= set(accepted)
    assert max(accepted.values()) == 1  # nobody's mail twice


def _unsent_confirmations(engine: Engine) -> int:
    with Session(engine) as session:
        return len(
            session.exec(
                select(OutboxMessage.id).where(
                    OutboxMessage.kind == MessageKind.confirmation,
                    col(OutboxMessage.sent_at).is_(None),
                )
            ).all()
        )
