"""The worker's run loop on a real clock (graceful stop, a pause reaching it, a database it
cannot reach) and the listeners told when a letter's row is sent."""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Sequence

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.clock import FakeClock, SystemClock
from service.config import DeliverySettings, Environment, Settings
from service.db import create_db_engine
from service.delivery import switches
from service.delivery.backends.memory import MemoryBackend
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.delivery.worker import Worker
from tests.delivery.support import make_email, queue_emails, queued, row

S = OutboxState
MakeWorker = Callable[..., Worker]


def test_run_loop_sends_and_stops_gracefully(
    db: Engine, dsettings: DeliverySettings, make_worker: MakeWorker
) -> None:
    clock = SystemClock()
    backend = MemoryBackend(latency=0.05)
    ids = queue_emails(db, clock, 12)  # type: ignore[arg-type]
    worker = make_worker(backend=backend, clock=clock)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 10
    while worker.stats.sent < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()  # what SIGTERM does
    thread.join(10)
    assert not thread.is_alive()
    states = [row(db, i).state for i in ids]
    # In-flight sends finished and were recorded; nothing is left leased.
    assert set(states) <= {S.sent, S.queued}
    assert states.count(S.sent) == len(backend.sent) == worker.stats.sent
    assert all(row(db, i).lease_owner is None for i in ids)


def test_pause_reaches_a_running_worker_at_once(
    db: Engine, dsettings: DeliverySettings, make_worker: MakeWorker
) -> None:
    clock = SystemClock()
    backend = MemoryBackend(latency=0.05)
    ids = queue_emails(db, clock, 30)  # type: ignore[arg-type]
    worker = make_worker(backend=backend, clock=clock, concurrency=2)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        _wait_for(lambda: worker.stats.sent >= 4)
        with Session(db) as session, session.begin():
            switches.pause(session, reason="stop now", now=clock.now())
        # Claimed rows still waiting for a thread go back; only in-flight sends finish.
        _wait_for(lambda: worker.paused)
        _wait_for(lambda: not any(row(db, i).state == S.sending for i in ids))
        sent_while_paused = len(backend.sent)
        time.sleep(0.2)
        assert len(backend.sent) == sent_while_paused < len(ids)
        assert {row(db, i).state for i in ids} == {S.sent, S.queued}
        with Session(db) as session, session.begin():
            switches.resume(session, now=clock.now())
        _wait_for(lambda: worker.stats.sent == len(ids))
    finally:
        stop.set()
        thread.join(10)
    assert {row(db, i).state for i in ids} == {S.sent}
    assert len(backend.sent) == len(ids)


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_letters_hear_when_their_letter_is_sent(
    db: Engine, clock: FakeClock, make_worker: MakeWorker
) -> None:
    heard: list[tuple[str | None, str]] = []
    with Session(db) as session, session.begin():
        letter = queued(session, make_email(1), now=clock.now()).id
        queued(
            session, make_email(2, kind=MessageKind.confirmation), now=clock.now()
        )  # carries a letter id too, but is not the letter
    worker = make_worker(
        on_sent=lambda s, messages, now: heard.extend((m.letter_id, m.id) for m in messages)
    )
    worker.drain()
    assert heard == [("letter-00001", letter)]


def test_a_failing_listener_does_not_undo_the_send(
    db: Engine, clock: FakeClock, backend: MemoryBackend, make_worker: MakeWorker
) -> None:
    [outbox_id] = queue_emails(db, clock)

    def broken(session: Session, message: object, now: object) -> None:
        raise RuntimeError("bug in letters")

    make_worker(on_sent=broken).drain()
    clock.advance(hours=2)
    make_worker().drain()
    assert row(db, outbox_id).state == S.sent
    assert backend.calls == 1  # never sent twice


def test_one_bad_letter_does_not_stop_the_others_hearing(
    db: Engine, clock: FakeClock, make_worker: MakeWorker
) -> None:
    ids = queue_emails(db, clock, 4)
    heard: list[str] = []

    def picky(session: Session, messages: Sequence[OutboxMessage], now: object) -> None:
        for message in messages:
            if message.letter_id == "letter-00002":
                raise RuntimeError("this letter is odd")
        heard.extend(m.id for m in messages)

    make_worker(on_sent=picky).drain()
    assert sorted(heard) == sorted(i for n, i in enumerate(ids, 1) if n != 2)
    assert {row(db, i).state for i in ids} == {S.sent}


def test_an_unreachable_database_is_retried_with_backoff_not_fatal(
    dsettings: DeliverySettings, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nothing listens on: every connect is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://nobody@127.0.0.1:{port}/nowhere"
    engine = create_db_engine(Settings(env=Environment.test, database_url=url))
    worker = Worker(engine, MemoryBackend(), dsettings, rng=random.Random(3))
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    with caplog.at_level(logging.ERROR, logger="repmail.delivery.worker"):
        thread.start()
        time.sleep(1.0)
        assert thread.is_alive()  # it keeps trying; it never exits on its own
        stop.set()
        thread.join(10)
    worker.close()
    engine.dispose()
    tries = [r for r in caplog.records if r.getMessage() == "worker database error"]
    # Every poll interval (20 ms) would be ~50 tries; doubling waits make it a handful.
    assert 3 <= len(tries) <= 10
    waits = [r.__dict__["retry_in_s"] for r in tries]
    assert waits[-1] > 4 * waits[0]
    assert all(r.__dict__["error"] == "OperationalError" for r in tries)


def test_a_trickle_of_mail_goes_out_in_batches(
    db: Engine, dsettings: DeliverySettings, make_worker: MakeWorker
) -> None:
    # Forty emails queued 10 ms apart (letters confirmed one by one). Claiming again at once
    # after each short batch took a transaction per email or so (the poll here is 20 ms);
    # lingering 200 ms after a short batch takes a handful for all of them.
    clock = SystemClock()
    settings = dsettings.model_copy(update={"batch_linger_seconds": 0.2, "concurrency": 32})
    worker = make_worker(backend=MemoryBackend(), clock=clock, settings=settings)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        for _ in range(40):
            queue_emails(db, clock, 1)  # type: ignore[arg-type]
            time.sleep(0.01)
        _wait_for(lambda: worker.stats.sent == 40)
    finally:
        stop.set()
        thread.join(10)
    assert worker.stats.claims <= 12
