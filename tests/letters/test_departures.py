"""Letters waiting for a representative who left the seat are held for organisers, never
sent on, and never passed to the successor."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.cli import hold_letters_of_departed
from service.clock import FakeClock
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.errors import Conflict
from service.letters.departures import hold_letters_for_departed
from service.letters.models import Letter
from service.letters.moderation import release_letter
from service.letters.states import HoldReason, LetterStatus
from service.representatives.models import Representative, RepresentativeStatus
from tests.letters.conftest import FR_REP, UK_REP, LetterData, confirm_token_in, outbox_for


def _queued_letter(api: TestClient, session: Session, data: dict[str, object]) -> Letter:
    response = api.post("/api/letters", json=data)
    assert response.status_code == 202, response.text
    letter_id = str(response.json()["id"])
    [confirmation] = outbox_for(session, letter_id)
    api.get(f"/confirm/{confirm_token_in(confirmation)}")
    letter = session.get(Letter, letter_id)
    assert letter is not None
    session.refresh(letter)
    assert letter.status == LetterStatus.queued
    return letter


def _letter_message(session: Session, letter: Letter) -> OutboxMessage:
    [message] = [m for m in outbox_for(session, letter.id) if m.kind == MessageKind.letter]
    return message


def test_queued_letters_to_a_departed_member_are_held(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    gone = _queued_letter(api, session, letter_data())
    other = _queued_letter(api, session, letter_data(representative_id=FR_REP, lang="fr"))

    holds = hold_letters_for_departed(session, [UK_REP], now=clock.now())

    assert [h.letter_id for h in holds.held] == [gone.id]
    assert holds.already_sent == []
    session.refresh(gone)
    assert gone.status == LetterStatus.held
    assert gone.hold_reason == HoldReason.representative_unavailable
    assert _letter_message(session, gone).state == OutboxState.cancelled
    session.refresh(other)
    assert other.status == LetterStatus.queued
    assert _letter_message(session, other).state == OutboxState.queued


def test_a_held_letter_is_not_released_to_a_vacant_seat(
    api: TestClient,
    session: Session,
    settings: Settings,
    clock: FakeClock,
    letter_data: LetterData,
) -> None:
    letter = _queued_letter(api, session, letter_data())
    member = session.get(Representative, UK_REP)
    assert member is not None
    member.status = RepresentativeStatus.vacant
    session.add(member)
    hold_letters_for_departed(session, [UK_REP], now=clock.now())
    with pytest.raises(Conflict, match="cannot be written to yet"):
        release_letter(session, settings, letter.id, actor="person:1", now=clock.now())
    session.refresh(letter)
    assert letter.representative_id == UK_REP  # never moved to a successor


def test_a_letter_already_with_the_provider_is_reported(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    letter = _queued_letter(api, session, letter_data())
    message = _letter_message(session, letter)
    message.state = OutboxState.sending
    session.add(message)
    session.flush()
    holds = hold_letters_for_departed(session, [UK_REP], now=clock.now())
    assert (holds.held, holds.already_sent) == ([], [letter.id])


def test_nobody_departed_changes_nothing(session: Session, clock: FakeClock) -> None:
    assert hold_letters_for_departed(session, [], now=clock.now()).held == []


def test_the_command_line_lists_the_held_letters(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    letter = _queued_letter(api, session, letter_data())
    lines = hold_letters_of_departed(session, [UK_REP])
    assert len(lines) == 1
    assert letter.id in lines[0] and UK_REP in lines[0]
    assert "Held for organisers" in lines[0]
