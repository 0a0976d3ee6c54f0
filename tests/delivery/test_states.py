"""Every transition the table allows works and is logged; every other one is refused."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import Session

from service.clock import FakeClock
from service.delivery import service as delivery
from service.delivery.models import OutboxMessage, transition
from service.delivery.states import (
    FINAL_STATES,
    TRANSITIONS,
    InvalidTransition,
    OutboxState,
    can_move,
)
from service.errors import Conflict
from tests.delivery.support import make_email, queued

S = OutboxState
PAIRS = list(itertools.product(list(OutboxState), list(OutboxState)))
ALLOWED = [(a, b) for a, b in PAIRS if can_move(a, b)]
REFUSED = [(a, b) for a, b in PAIRS if not can_move(a, b)]


def _row_in(session: Session, state: OutboxState, clock: FakeClock) -> OutboxMessage:
    message = queued(session, make_email(), now=clock.now())
    message.state = state  # put it there directly: this test is about the next move only
    session.flush()
    return message


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=lambda s: str(s))
def test_allowed_transition_moves_and_appends_an_event(
    session: Session, clock: FakeClock, current: OutboxState, target: OutboxState
) -> None:
    message = _row_in(session, current, clock)
    clock.advance(5)
    event = transition(session, message, target, now=clock.now(), actor="test", detail="why")
    session.flush()
    assert message.state == target
    assert message.updated_at == clock.now()
    assert (event.from_state, event.to_state, event.detail) == (current, target, "why")
    assert [e.to_state for e in delivery.events_of(session, message.id)][-1] == target


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=lambda s: str(s))
def test_refused_transition_raises_and_changes_nothing(
    session: Session, clock: FakeClock, current: OutboxState, target: OutboxState
) -> None:
    message = _row_in(session, current, clock)
    before = len(delivery.events_of(session, message.id))
    with pytest.raises(InvalidTransition) as refused:
        transition(session, message, target, now=clock.now(), actor="test")
    assert isinstance(refused.value, Conflict)  # maps to HTTP 409
    assert message.state == current
    session.flush()
    assert len(delivery.events_of(session, message.id)) == before


def test_a_row_is_created_queued_or_held_only() -> None:
    assert TRANSITIONS[None] == {S.queued, S.held}


def test_final_states_have_no_way_out() -> None:
    assert {S.bounced, S.dropped, S.cancelled, S.expired} == FINAL_STATES


def test_nothing_the_provider_has_goes_back_to_the_queue() -> None:
    for state in (S.sent, S.delivered, S.deferred, S.bounced, S.dropped):
        assert not can_move(state, S.queued)
        assert not can_move(state, S.sending)
