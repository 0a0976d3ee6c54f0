"""Pacing in the outbox: a letter's slot booked at enqueue from its representative's
schedule (never the same slot twice, even with concurrent enqueues), the pace raised to
make a deadline, re-slotting, and what a claim enforces (letters in flight per receiving
domain, the 24-hour ceiling as a backstop). Mail to supporters is never paced."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.clock import FakeClock
from service.delivery import queue
from service.delivery import service as delivery
from service.delivery.models import DeliveryPace, OutboxMessage
from service.delivery.pacing import Policy
from service.delivery.scheduler import Pacing, replan
from service.delivery.schemas import Address, MessageKind
from service.delivery.states import OutboxState
from tests.delivery.support import history, make_email, queued, row

S = OutboxState
MINUTE = timedelta(minutes=1)
FAR = datetime(2027, 1, 1, tzinfo=UTC)


def pacing(key: str = "uk-1", per_hour: float = 30, ceiling: int = 120, **kw: object) -> Pacing:
    deadline = kw.pop("deadline", FAR)
    assert isinstance(deadline, datetime)
    return Pacing(key, Policy(per_hour, ceiling, "Europe/London"), deadline)


def paced(db: Engine, clock: FakeClock, count: int, plan: Pacing, start: int = 1) -> list[str]:
    ids = []
    for n in range(start, start + count):
        with Session(db, expire_on_commit=False) as session, session.begin():
            message = queued(session, make_email(n), now=clock.now(), pacing=plan)
            ids.append(message.id)
    return ids


def slots(db: Engine, ids: list[str]) -> list[datetime]:
    return [row(db, i).not_before for i in ids]  # type: ignore[misc]


def test_letters_to_one_representative_get_successive_slots(db: Engine, clock: FakeClock) -> None:
    now = clock.now()
    ids = paced(db, clock, 3, pacing("uk-1"))
    other = paced(db, clock, 1, pacing("uk-2"), start=10)
    assert slots(db, ids) == [now, now + 2 * MINUTE, now + 4 * MINUTE]
    assert slots(db, other) == [now]  # each representative has a schedule of its own
    assert {row(db, i).next_attempt_at for i in ids} == set(slots(db, ids))
    assert {row(db, i).pace_key for i in ids} == {"uk-1"}


def test_supporter_mail_is_not_paced(db: Engine, clock: FakeClock) -> None:
    paced(db, clock, 5, pacing("uk-1"))
    with Session(db, expire_on_commit=False) as session, session.begin():
        mail = queued(
            session,
            make_email(99, kind=MessageKind.confirmation, to=Address("alex@mail.example")),
            now=clock.now(),
        )
    confirmation = row(db, mail.id)
    assert confirmation.pace_key is None and confirmation.next_attempt_at == clock.now()
    clock.advance(minutes=10)  # every letter is due too
    with Session(db, expire_on_commit=False) as session, session.begin():
        jobs = queue.claim(session, worker_id="w", limit=1, now=clock.now(), lease_seconds=60)
    assert [job.outbox_id for job in jobs] == [mail.id]


def test_the_pace_is_raised_to_make_the_deadline(
    db: Engine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    now = clock.now()
    # One an hour, but the deadline is in 3 hours: the 4th letter would miss it.
    plan = pacing("uk-1", per_hour=1, ceiling=120, deadline=now + timedelta(hours=3))
    with caplog.at_level(logging.WARNING, logger="repmail.delivery.pacing"):
        ids = paced(db, clock, 8, plan)
    with Session(db) as session:
        pace = session.get(DeliveryPace, "uk-1")
    assert pace is not None and pace.raised_per_hour is not None
    assert 2.3 < pace.raised_per_hour <= plan.policy.max_pace == 5
    # Every queued letter was moved to the raised pace, evenly from the first.
    spacing = plan.policy.at(pace.raised_per_hour).spacing
    assert slots(db, ids) == [now + n * spacing for n in range(8)]
    assert slots(db, ids)[-1] < now + timedelta(hours=3)
    raised = [r for r in caplog.records if r.getMessage() == "pace raised to make the deadline"]
    assert raised and raised[0].pace_key == "uk-1"  # type: ignore[attr-defined]
    assert all("@" not in str(r.__dict__) for r in caplog.records)  # no addresses in logs


def test_past_the_ceiling_the_deadline_is_out_of_reach_and_said_so(
    db: Engine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    now = clock.now()
    plan = pacing("uk-1", per_hour=30, ceiling=3, deadline=now + timedelta(hours=5))
    with caplog.at_level(logging.WARNING, logger="repmail.delivery.pacing"):
        ids = paced(db, clock, 6, plan)
    assert slots(db, ids)[3] == now + timedelta(hours=24)  # after the deadline: it will expire
    # Said once, for the first letter that misses, not for each one after it.
    warned = [r for r in caplog.records if r.getMessage().startswith("deadline out of reach")]
    assert len(warned) == 1


def test_replan_moves_overdue_letters_to_slots_from_now(db: Engine, clock: FakeClock) -> None:
    ids = paced(db, clock, 4, pacing("uk-1"))
    later = clock.advance(hours=2)  # a pause: all four are overdue
    with Session(db, expire_on_commit=False) as session, session.begin():
        result = replan(session, pacing("uk-1"), later)
    assert result.queued == 4 and not result.raised and result.late == 0
    assert slots(db, ids) == [later + n * 2 * MINUTE for n in range(4)]


def test_concurrent_enqueues_never_book_the_same_slot(db: Engine, clock: FakeClock) -> None:
    plan = pacing("uk-7")
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def enqueue(n: int) -> None:
        try:
            start.wait()
            with Session(db, expire_on_commit=False) as session, session.begin():
                queued(session, make_email(n), now=clock.now(), pacing=plan)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=enqueue, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(db) as session:
        times = sorted(
            t
            for t in session.exec(
                select(OutboxMessage.not_before).where(OutboxMessage.pace_key == "uk-7")
            ).all()
            if t is not None
        )
    assert len(times) == 8
    assert all(b - a == 2 * MINUTE for a, b in zip(times, times[1:], strict=False))


def test_letters_in_flight_per_receiving_domain_are_capped(db: Engine, clock: FakeClock) -> None:
    with Session(db, expire_on_commit=False) as session, session.begin():
        for n in range(6):
            queued(session, make_email(n), now=clock.now())  # parliament.example
        for n in range(6, 8):
            queued(session, make_email(n, to=Address(f"d{n}@assemblee.example")), now=clock.now())
        for n in range(8, 10):  # supporters at the same domain are not held back
            email = make_email(n, kind=MessageKind.reminder)
            queued(session, email, now=clock.now())

    def claim(worker: str) -> list[str]:
        with Session(db, expire_on_commit=False) as session, session.begin():
            jobs = queue.claim(
                session,
                worker_id=worker,
                limit=10,
                now=clock.now(),
                lease_seconds=60,
                domain_limit=2,
            )
        return [job.email.to.email for job in jobs]

    first = claim("w1")
    assert sorted(a.split("@")[1] for a in first) == (
        ["assemblee.example"] * 2 + ["parliament.example"] * 4  # 2 reminders + 2 letters
    )
    assert claim("w2") == []  # both domains full, across workers
    with Session(db, expire_on_commit=False) as session, session.begin():
        done = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.state == S.sending,
                OutboxMessage.kind == MessageKind.letter,
                OutboxMessage.to_domain == "parliament.example",
            )
        ).first()
        assert done is not None
        done.state = S.sent
        done.lease_owner = None
    assert [a.split("@")[1] for a in claim("w2")] == ["parliament.example"]


def test_the_ceiling_holds_in_the_claim_too(db: Engine, clock: FakeClock) -> None:
    now = clock.now()
    sent = paced(db, clock, 3, pacing("uk-1"))
    with Session(db, expire_on_commit=False) as session, session.begin():
        for message in session.exec(
            select(OutboxMessage).where(col(OutboxMessage.id).in_(sent))
        ).all():
            message.state = S.sent
            message.sent_at = now - timedelta(hours=1)
        # A fourth, due now (a retry, or queued before the settings changed).
        late = queued(session, make_email(4), now=now)
        late.pace_key = "uk-1"
    with Session(db, expire_on_commit=False) as session, session.begin():
        jobs = queue.claim(
            session, worker_id="w", limit=5, now=now, lease_seconds=60, daily_ceiling=3
        )
    assert jobs == []
    deferred = row(db, late.id)
    assert deferred.state == S.queued
    assert deferred.next_attempt_at == now + timedelta(hours=23)
    assert history(db, late.id)[-1] == ("queued", "queued")  # the deferral is noted


def test_a_deleted_letters_mail_is_cancelled_and_erased(db: Engine, clock: FakeClock) -> None:
    with Session(db, expire_on_commit=False) as session, session.begin():
        waiting = queued(session, make_email(1), now=clock.now())
        sent = queued(session, make_email(1, subject="Second"), now=clock.now())
        sent.state = S.sent
        other = queued(session, make_email(2), now=clock.now())
    with Session(db, expire_on_commit=False) as session, session.begin():
        assert delivery.forget_letters(session, ["letter-00001"], now=clock.now()) == 2
    for outbox_id in (waiting.id, sent.id):
        erased = row(db, outbox_id)
        assert erased.redacted_at == clock.now()
        assert (erased.to_email, erased.to_name, erased.reply_to_email) == (
            "redacted@redacted.invalid",
            None,
            None,
        )
        assert (erased.sender_name, erased.text_body, erased.html_body) == (None, "", None)
    assert row(db, waiting.id).state == S.cancelled
    assert row(db, sent.id).state == S.sent
    assert row(db, other.id).redacted_at is None
