"""The use cases other domains call: enqueue, cancel, hold/release, requeue, pause/resume,
provider outcomes and the read helpers. All run in the caller's transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from service.clock import FakeClock
from service.delivery import service as delivery
from service.delivery import switches
from service.delivery.models import OutboxMessage
from service.delivery.schemas import Address, MessageKind
from service.delivery.states import InvalidTransition, OutboxState
from service.errors import InvalidInput, NotFound
from tests.delivery.support import make_email, queued

S = OutboxState


def _events(session: Session, outbox_id: str) -> list[tuple[str | None, str]]:
    return [(e.from_state, e.to_state) for e in delivery.events_of(session, outbox_id)]


def test_enqueue_snapshots_the_email_and_logs_queued(session: Session, clock: FakeClock) -> None:
    email = make_email(7, headers={"X-Campaign": "calais"})
    message = queued(session, email, now=clock.now())
    session.flush()
    stored = session.get(OutboxMessage, message.id)
    assert stored is not None
    assert stored.state == S.queued
    assert stored.next_attempt_at == clock.now()
    assert stored.as_email() == email
    assert stored.priority > 0  # letters come after supporter mail
    assert _events(session, message.id) == [(None, "queued")]


def test_enqueue_does_not_commit(session: Session, clock: FakeClock) -> None:
    savepoint = session.begin_nested()
    outbox_id = delivery.enqueue(session, make_email(), now=clock.now())
    savepoint.rollback()
    assert session.get(OutboxMessage, outbox_id) is None


def test_not_before_sets_the_due_time(session: Session, clock: FakeClock) -> None:
    later = clock.now() + timedelta(hours=3)
    message = queued(session, make_email(), not_before=later, now=clock.now())
    assert (message.not_before, message.next_attempt_at) == (later, later)
    earlier = clock.now() - timedelta(hours=3)
    message = queued(session, make_email(2), not_before=earlier, now=clock.now())
    assert message.next_attempt_at == clock.now()


def test_confirmations_outrank_letters(session: Session, clock: FakeClock) -> None:
    letter = queued(session, make_email(), now=clock.now())
    confirmation = queued(
        session, make_email(2, kind=MessageKind.confirmation, letter_id=None), now=clock.now()
    )
    assert confirmation.priority < letter.priority


def test_enqueue_held(session: Session, clock: FakeClock) -> None:
    message = queued(session, make_email(), hold="awaiting moderation", now=clock.now())
    assert message.state == S.held
    assert _events(session, message.id) == [(None, "held")]


@pytest.mark.parametrize(
    "overrides",
    [
        {"subject": "Hello\r\nBcc: victim@example.org"},
        {"to": Address("mp@parliament.example", "Jane\nBcc: x@example.org")},
        {"headers": {"X-Note": "a\nb"}},
        {"reply_to": Address("not-an-address")},
    ],
)
def test_enqueue_refuses_header_injection(
    session: Session, clock: FakeClock, overrides: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput):
        queued(session, make_email(**overrides), now=clock.now())


def test_cancel_queued_and_held(session: Session, clock: FakeClock) -> None:
    waiting = queued(session, make_email(), now=clock.now())
    held = queued(session, make_email(2), hold="check", now=clock.now())
    delivery.cancel(session, waiting.id, "letter withdrawn", now=clock.now())
    delivery.cancel(session, held.id, "letter withdrawn", now=clock.now())
    assert (waiting.state, held.state) == (S.cancelled, S.cancelled)
    assert waiting.next_attempt_at is None
    assert delivery.events_of(session, waiting.id)[-1].detail == "letter withdrawn"


@pytest.mark.parametrize("state", [S.sending, S.sent, S.delivered, S.failed, S.cancelled])
def test_cancel_refused_once_sending_started(
    session: Session, clock: FakeClock, state: OutboxState
) -> None:
    message = queued(session, make_email(), now=clock.now())
    message.state = state
    session.flush()
    with pytest.raises(InvalidTransition):
        delivery.cancel(session, message.id, "too late")


def test_cancel_unknown_id(session: Session) -> None:
    with pytest.raises(NotFound):
        delivery.cancel(session, "0" * 32, "nothing there")


def test_hold_then_release(session: Session, clock: FakeClock) -> None:
    message = queued(session, make_email(), now=clock.now())
    delivery.hold(session, message.id, "representative paused", now=clock.now())
    assert (message.state, message.next_attempt_at) == (S.held, None)
    later = clock.now() + timedelta(minutes=30)
    delivery.release(session, message.id, not_before=later, now=clock.now())
    assert (message.state, message.next_attempt_at) == (S.queued, later)
    assert _events(session, message.id) == [
        (None, "queued"),
        ("queued", "held"),
        ("held", "queued"),
    ]


def test_requeue_a_failed_message(session: Session, clock: FakeClock) -> None:
    message = queued(session, make_email(), now=clock.now())
    message.state, message.attempts = S.failed, 3
    session.flush()
    delivery.requeue(session, message.id, "API key fixed", now=clock.now())
    assert (message.state, message.attempts, message.next_attempt_at) == (
        S.queued,
        0,
        clock.now(),
    )


def test_letter_delivery_lists_rows_for_a_letter(session: Session, clock: FakeClock) -> None:
    first = queued(session, make_email(1, letter_id="L-1"), now=clock.now())
    clock.advance(1)
    second = queued(session, make_email(2, letter_id="L-1"), now=clock.now())
    queued(session, make_email(3, letter_id="L-2"), now=clock.now())
    delivery.cancel(session, first.id, "replaced", now=clock.now())
    statuses = delivery.letter_delivery(session, "L-1")
    assert [(s.id, s.state) for s in statuses] == [(first.id, "cancelled"), (second.id, "queued")]
    assert delivery.letter_delivery(session, "L-404") == []
    assert delivery.status_of(session, second.id).attempts == 0


def test_pause_and_resume(session: Session, clock: FakeClock) -> None:
    assert switches.pause_state(session).paused is False
    state = switches.pause(session, reason="summit postponed", actor="ops", now=clock.now())
    assert (state.paused, state.reason, state.changed_by) == (True, "summit postponed", "ops")
    assert switches.pause_state(session).paused is True
    assert switches.resume(session, now=clock.now()).paused is False
    assert switches.pause_state(session).reason is None


def test_provider_outcomes_follow_the_table(session: Session, clock: FakeClock) -> None:
    message = queued(session, make_email(), now=clock.now())
    message.state = S.sent
    session.flush()
    assert delivery.record_provider_outcome(session, message.id, S.delivered, now=clock.now())
    # A late "deferred" after "delivered" is ignored, not an error.
    assert not delivery.record_provider_outcome(session, message.id, S.deferred)
    assert delivery.record_provider_outcome(session, message.id, S.bounced, detail="550 gone")
    assert message.state == S.bounced
    with pytest.raises(InvalidInput):
        delivery.record_provider_outcome(session, message.id, S.queued)


def test_provider_evidence_settles_an_ambiguous_send(session: Session, clock: FakeClock) -> None:
    message = queued(session, make_email(), now=clock.now())
    message.state, message.ambiguous_since = S.sending, clock.now()
    session.flush()
    settled = delivery.record_provider_outcome(
        session, message.id, S.delivered, provider_message_id="abc", now=clock.now()
    )
    assert settled
    assert (message.state, message.ambiguous_since, message.provider_message_id) == (
        S.delivered,
        None,
        "abc",
    )
