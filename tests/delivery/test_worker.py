"""The worker against the memory backend, stepping a fake clock: sending, each retry class,
ambiguity, pause/resume, lease expiry takeover and deadlines."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.clock import FakeClock
from service.config import DeliverySettings
from service.delivery import queue, switches
from service.delivery import service as delivery
from service.delivery.backends import (
    AmbiguousSendError,
    PermanentSendError,
    TransientSendError,
)
from service.delivery.backends.memory import MemoryBackend
from service.delivery.schemas import MessageKind, OutgoingEmail
from service.delivery.states import OutboxState
from service.delivery.worker import Worker
from tests.delivery.support import history, make_email, queue_emails, queued, row

S = OutboxState
MakeWorker = Callable[..., Worker]


def test_drains_the_queue_once_each(
    db: Engine, clock: FakeClock, backend: MemoryBackend, make_worker: MakeWorker
) -> None:
    ids = queue_emails(db, clock, 10)
    worker = make_worker()
    assert worker.drain() == 10
    assert sorted(sent.outbox_id for sent in backend.sent) == sorted(ids)
    first = row(db, ids[0])
    assert (first.state, first.attempts, first.lease_owner) == (S.sent, 1, None)
    assert first.provider_message_id and first.provider_message_id.startswith("memory-")
    assert first.sent_at == clock.now()
    assert first.backend == "memory"
    assert history(db, ids[0]) == [(None, "queued"), ("queued", "sending"), ("sending", "sent")]
    assert worker.stats.sent == 10


def test_not_due_rows_wait(db: Engine, clock: FakeClock, make_worker: MakeWorker) -> None:
    [outbox_id] = queue_emails(db, clock, not_before=clock.now() + timedelta(minutes=5))
    worker = make_worker()
    assert worker.drain() == 0
    clock.advance(minutes=5)
    assert worker.drain() == 1
    assert row(db, outbox_id).state == S.sent


def test_supporter_mail_goes_before_the_letter_backlog(
    db: Engine, clock: FakeClock, backend: MemoryBackend, make_worker: MakeWorker
) -> None:
    queue_emails(db, clock, 6)
    clock.advance(1)
    with Session(db) as session, session.begin():
        confirmation = queued(
            session, make_email(99, kind=MessageKind.confirmation), now=clock.now()
        ).id
    make_worker(concurrency=2).step()
    assert confirmation in [sent.outbox_id for sent in backend.sent]


def test_server_error_backs_off_exponentially_with_jitter(
    db: Engine,
    clock: FakeClock,
    backend: MemoryBackend,
    make_worker: MakeWorker,
    dsettings: DeliverySettings,
) -> None:
    [outbox_id] = queue_emails(db, clock)
    worker = make_worker()
    backend.fail_next(TransientSendError("SendGrid 503"), TransientSendError("SendGrid 500"))
    worker.step()
    first = row(db, outbox_id)
    assert (first.state, first.attempts, first.last_error) == (S.queued, 1, "SendGrid 503")
    delay = (first.next_attempt_at - clock.now()).total_seconds()  # type: ignore[operator]
    assert dsettings.backoff_base_seconds / 2 <= delay <= dsettings.backoff_base_seconds
    assert worker.drain() == 0  # not due yet
    clock.advance(delay)
    worker.step()
    second = row(db, outbox_id)
    delay = (second.next_attempt_at - clock.now()).total_seconds()  # type: ignore[operator]
    assert dsettings.backoff_base_seconds <= delay <= 2 * dsettings.backoff_base_seconds
    clock.advance(delay)
    worker.step()
    assert row(db, outbox_id).state == S.sent
    assert row(db, outbox_id).last_error is None
    assert history(db, outbox_id)[-2:] == [("queued", "sending"), ("sending", "sent")]


def test_connection_errors_give_up_after_max_attempts(
    db: Engine,
    clock: FakeClock,
    backend: MemoryBackend,
    make_worker: MakeWorker,
    dsettings: DeliverySettings,
) -> None:
    [outbox_id] = queue_emails(db, clock)
    worker = make_worker()
    backend.fail_next(*[TransientSendError("SendGrid unreachable (ConnectError)")] * 5)
    for _ in range(dsettings.max_attempts):
        worker.step()
        clock.advance(dsettings.backoff_cap_seconds)
    failed = row(db, outbox_id)
    assert (failed.state, failed.attempts) == (S.failed, dsettings.max_attempts)
    assert failed.last_error == "gave up after 3 attempts: SendGrid unreachable (ConnectError)"
    assert backend.calls == dsettings.max_attempts


def test_rate_limit_honours_the_reset_time_and_does_not_use_attempts(
    db: Engine,
    clock: FakeClock,
    backend: MemoryBackend,
    make_worker: MakeWorker,
    dsettings: DeliverySettings,
) -> None:
    ids = queue_emails(db, clock, 2)
    worker = make_worker(concurrency=1)
    reset = clock.now() + timedelta(seconds=42)
    limits = [TransientSendError("429", retry_at=reset, rate_limited=True)]
    backend.fail_next(*limits * (dsettings.max_attempts + 3))
    worker.step()
    limited = row(db, ids[0])
    delay = (limited.next_attempt_at - clock.now()).total_seconds()  # type: ignore[operator]
    assert 42 <= delay <= 47
    # The worker holds back everything until the reset, not just that row.
    assert worker.step() == 0
    assert row(db, ids[1]).state == S.queued
    with Session(db) as session, session.begin():
        delivery.cancel(session, ids[1], "only follow the first one", now=clock.now())
    for _ in range(dsettings.max_attempts + 1):
        clock.advance(60)
        worker.step()
    assert row(db, ids[0]).state == S.queued  # still retried: 429s are not its fault
    assert row(db, ids[0]).attempts > dsettings.max_attempts


@pytest.mark.parametrize(
    "reason",
    [
        "SendGrid 400: The content value must be a string (content)",
        "SendGrid 413: payload too large",
    ],
)
def test_permanent_errors_fail_at_once_with_the_reason(
    db: Engine, clock: FakeClock, backend: MemoryBackend, make_worker: MakeWorker, reason: str
) -> None:
    ids = queue_emails(db, clock, 2)
    backend.fail_next(PermanentSendError(reason))
    make_worker(concurrency=1).drain()
    failed = row(db, ids[0])
    assert (failed.state, failed.attempts, failed.last_error) == (S.failed, 1, reason)
    assert history(db, ids[0])[-1] == ("sending", "failed")
    assert row(db, ids[1]).state == S.sent  # the others carry on
    with Session(db) as session:
        assert switches.pause_state(session).paused is False


@pytest.mark.parametrize("status", [401, 403])
def test_account_errors_fail_the_message_and_pause_delivery(
    db: Engine, clock: FakeClock, backend: MemoryBackend, make_worker: MakeWorker, status: int
) -> None:
    ids = queue_emails(db, clock, 3)
    backend.fail_next(PermanentSendError(f"SendGrid {status}", account_level=True))
    worker = make_worker(concurrency=1)
    worker.drain()
    assert row(db, ids[0]).state == S.failed
    # The rest of the queue is kept, not burned through with the same error.
    assert [row(db, i).state for i in ids[1:]] == [S.queued, S.queued]
    with Session(db) as session:
        state = switches.pause_state(session)
    assert state.paused and state.reason == f"paused automatically: SendGrid {status}"
    with Session(db) as session, session.begin():
        switches.resume(session, now=clock.now())
        delivery.requeue(session, ids[0], "key rotated", now=clock.now())
    worker.drain()
    assert [row(db, i).state for i in ids] == [S.sent] * 3


def test_ambiguous_send_waits_for_the_window_then_resends(
    db: Engine,
    clock: FakeClock,
    backend: MemoryBackend,
    make_worker: MakeWorker,
    dsettings: DeliverySettings,
) -> None:
    [outbox_id] = queue_emails(db, clock)
    worker = make_worker()
    backend.fail_next(AmbiguousSendError("no answer from SendGrid (ReadTimeout)"))
    worker.step()
    unknown = row(db, outbox_id)
    assert (unknown.state, unknown.ambiguous_since, unknown.lease_owner) == (
        S.sending,
        clock.now(),
        None,
    )
    clock.advance(dsettings.ambiguity_window_seconds - 1)
    assert worker.drain() == 0  # not sent again inside the window
    clock.advance(1)
    assert worker.drain() == 1
    sent = row(db, outbox_id)
    assert (sent.state, sent.attempts, sent.ambiguous_since) == (S.sent, 2, None)
    assert history(db, outbox_id) == [
        (None, "queued"),
        ("queued", "sending"),
        ("sending", "sending"),
        ("sending", "queued"),
        ("queued", "sending"),
        ("sending", "sent"),
    ]


def test_supporter_mail_waits_a_shorter_window_than_letters(
    db: Engine,
    clock: FakeClock,
    backend: MemoryBackend,
    make_worker: MakeWorker,
    dsettings: DeliverySettings,
) -> None:
    with Session(db) as session, session.begin():
        confirmation = delivery.enqueue(
            session, make_email(1, kind=MessageKind.confirmation), now=clock.now()
        )
        letter = delivery.enqueue(session, make_email(2), now=clock.now())
    worker = make_worker()
    backend.fail_next(AmbiguousSendError("ReadTimeout"))
    backend.fail_next(AmbiguousSendError("ReadTimeout"))
    worker.step()
    assert dsettings.supporter_ambiguity_window_seconds < dsettings.ambiguity_window_seconds
    clock.advance(dsettings.supporter_ambiguity_window_seconds)
    assert worker.drain() == 1  # the confirmation goes again; the letter still waits
    assert (row(db, confirmation).state, row(db, letter).state) == (S.sent, S.sending)
    clock.advance(dsettings.ambiguity_window_seconds)
    assert worker.drain() == 1
    assert row(db, letter).state == S.sent


def test_provider_event_inside_the_window_prevents_the_resend(
    db: Engine,
    clock: FakeClock,
    backend: MemoryBackend,
    make_worker: MakeWorker,
    dsettings: DeliverySettings,
) -> None:
    [outbox_id] = queue_emails(db, clock)
    worker = make_worker()
    backend.fail_next(AmbiguousSendError("ReadTimeout"))
    worker.step()
    clock.advance(30)
    with Session(db) as session, session.begin():
        delivery.record_provider_outcome(session, outbox_id, S.delivered, now=clock.now())
    clock.advance(dsettings.ambiguity_window_seconds)
    assert worker.drain() == 0
    assert backend.calls == 1
    assert row(db, outbox_id).state == S.delivered


def test_pause_stops_claims_and_resume_loses_nothing(
    db: Engine, clock: FakeClock, backend: MemoryBackend, make_worker: MakeWorker
) -> None:
    ids = queue_emails(db, clock, 5)
    with Session(db) as session, session.begin():
        switches.pause(session, reason="checking a complaint", now=clock.now())
    worker = make_worker()
    assert worker.drain() == 0
    assert backend.calls == 0
    assert {row(db, i).state for i in ids} == {S.queued}
    with Session(db) as session, session.begin():
        switches.resume(session, now=clock.now())
    assert worker.drain() == 5
    assert {row(db, i).state for i in ids} == {S.sent}


class Hanging(MemoryBackend):
    """A backend whose sends never come back until released: a worker stuck or dead."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def send(self, email: OutgoingEmail, *, outbox_id: str) -> str:
        self.calls += 1
        self.gate.wait(10)
        return "late-id"


def test_a_dead_workers_lease_is_taken_over(
    db: Engine,
    clock: FakeClock,
    backend: MemoryBackend,
    make_worker: MakeWorker,
    dsettings: DeliverySettings,
) -> None:
    [outbox_id] = queue_emails(db, clock)
    hanging = Hanging()
    worker_a = make_worker(worker_id="worker-A", backend=hanging)
    worker_b = make_worker(worker_id="worker-B")
    a_thread = threading.Thread(target=worker_a.step)
    a_thread.start()  # A claims the row and hangs mid-send
    deadline = time.monotonic() + 5
    while hanging.calls == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert row(db, outbox_id).lease_owner == "worker-A"
    assert worker_b.drain() == 0  # the lease still holds
    clock.advance(dsettings.lease_seconds)
    assert worker_b.drain() == 0  # lease lost: A may have sent it, so wait for evidence
    lost = row(db, outbox_id)
    assert (lost.state, lost.lease_owner, lost.ambiguous_since) == (S.sending, None, clock.now())
    clock.advance(dsettings.ambiguity_window_seconds)
    assert worker_b.drain() == 1
    taken = row(db, outbox_id)
    assert (taken.state, taken.attempts, taken.lease_owner) == (S.sent, 2, None)
    assert [sent.outbox_id for sent in backend.sent] == [outbox_id]
    # A comes back with its answer: noted in the log, but it settles nothing.
    hanging.gate.set()
    a_thread.join(5)
    assert worker_a.stats.stale == 1
    assert row(db, outbox_id).provider_message_id == taken.provider_message_id
    assert history(db, outbox_id)[-1] == ("sent", "sent")
    assert history(db, outbox_id)[:3] == [
        (None, "queued"),
        ("queued", "sending"),
        ("sending", "sending"),
    ]


def test_a_late_answer_for_the_current_attempt_still_counts(
    db: Engine, clock: FakeClock, make_worker: MakeWorker, dsettings: DeliverySettings
) -> None:
    """The lease ran out while the request was slow, nobody resent: the answer settles it."""
    [outbox_id] = queue_emails(db, clock)
    with Session(db) as session, session.begin():
        [job] = queue.claim(session, worker_id="slow", limit=1, now=clock.now(), lease_seconds=60)
    clock.advance(dsettings.lease_seconds)
    make_worker().reap()
    with Session(db) as session, session.begin():
        queue.record(
            session,
            [queue.Outcome(job, provider_message_id="xmid")],
            worker_id="slow",
            backend="sendgrid",
            now=clock.now(),
            settings=dsettings,
            rng=make_worker().rng,
        )
    settled = row(db, outbox_id)
    assert (settled.state, settled.provider_message_id, settled.ambiguous_since) == (
        S.sent,
        "xmid",
        None,
    )


def test_rows_past_their_deadline_expire(
    db: Engine, clock: FakeClock, backend: MemoryBackend, make_worker: MakeWorker
) -> None:
    deadline = clock.now() + timedelta(hours=1)
    [late] = queue_emails(db, clock, not_before=deadline + timedelta(hours=1), expires_at=deadline)
    clock.advance(hours=1)
    make_worker().drain()
    assert row(db, late).state == S.expired
    assert backend.calls == 0


def test_a_crashing_backend_is_a_transient_error(
    db: Engine, clock: FakeClock, backend: MemoryBackend, make_worker: MakeWorker
) -> None:
    [outbox_id] = queue_emails(db, clock)
    backend.fail_next(KeyError("bug"))
    make_worker().step()
    assert row(db, outbox_id).state == S.queued
    assert row(db, outbox_id).last_error == "internal error (KeyError)"
