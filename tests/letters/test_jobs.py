"""The worker's periodic jobs: one reminder after a day, purge after a week."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.clock import FakeClock
from service.config import Settings
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.letters.models import Letter, LetterEvent, RateLimitCounter
from service.letters.service import purge_expired, send_due_reminders
from tests.letters.conftest import LetterData, confirm_token_in, outbox_for, token_from


def _write(api: TestClient, data: dict[str, object]) -> tuple[str, str]:
    body = api.post("/api/letters", json=data).json()
    return body["id"], token_from(body["status_url"])


def test_one_reminder_after_a_day_with_the_same_link(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    letter_id, _ = _write(api, letter_data())
    assert send_due_reminders(session, clock.advance(hours=23), settings=settings) == 0
    assert send_due_reminders(session, clock.advance(hours=2), settings=settings) == 1
    assert send_due_reminders(session, clock.advance(hours=24), settings=settings) == 0

    first, reminder = outbox_for(session, letter_id)
    assert reminder.kind == MessageKind.reminder
    assert reminder.subject == "Reminder: your letter to Liam Byrne has not been sent yet"
    assert "only reminder" in reminder.text_body
    assert "27 November 2026" in reminder.text_body
    assert confirm_token_in(reminder) == confirm_token_in(first)
    assert api.get(f"/confirm/{confirm_token_in(reminder)}").json()["status"] == "queued"


def test_reminders_are_in_the_supporters_language(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    letter_id, _ = _write(api, letter_data(lang="fr"))
    send_due_reminders(session, clock.advance(hours=25), settings=settings)
    reminder = outbox_for(session, letter_id)[-1]
    assert reminder.subject.startswith("Rappel : votre lettre à Liam Byrne")
    assert "Le 27 novembre 2026, vous avez écrit" in reminder.text_body


def test_confirmed_letters_get_no_reminder(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    letter_id, _ = _write(api, letter_data())
    api.get(f"/confirm/{confirm_token_in(outbox_for(session, letter_id)[0])}")
    assert send_due_reminders(session, clock.advance(hours=25), settings=settings) == 0


def test_no_reminder_once_the_campaign_deadline_passed(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    clock.advance(days=17)
    _write(api, letter_data())
    assert send_due_reminders(session, clock.advance(days=4), settings=settings) == 0


def test_unconfirmed_letters_are_purged_after_expiry(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    pending_id, pending_status = _write(api, letter_data())
    confirmed_id, confirmed_status = _write(api, letter_data())
    api.get(f"/confirm/{confirm_token_in(outbox_for(session, confirmed_id)[0])}")
    assert purge_expired(session, clock.advance(days=6), settings=settings) == 0
    assert purge_expired(session, clock.advance(days=1), settings=settings) == 1
    assert session.get(Letter, pending_id) is None
    events = session.exec(select(LetterEvent).where(LetterEvent.letter_id == pending_id)).all()
    assert events == []
    assert api.get(f"/letters/{pending_status}").status_code == 404
    assert api.get(f"/letters/{confirmed_status}").json()["status"] == "queued"
    assert purge_expired(session, clock.advance(days=1), settings=settings) == 0


def test_old_rate_limit_counters_are_purged(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    _write(api, letter_data())
    assert session.exec(select(RateLimitCounter)).all()
    purge_expired(session, clock.advance(days=3), settings=settings)
    assert session.exec(select(RateLimitCounter)).all() == []


def test_jobs_handle_a_batch_at_a_time(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    for _ in range(3):
        _write(api, letter_data())
    small = settings.model_copy(
        update={"letters": settings.letters.model_copy(update={"job_batch_size": 2})}
    )
    now = clock.advance(hours=25)
    assert send_due_reminders(session, now, settings=small) == 2
    assert send_due_reminders(session, now, settings=small) == 1
    later = now + timedelta(days=7)
    assert purge_expired(session, later, settings=small) == 2
    assert purge_expired(session, later, settings=small) == 1


def test_purged_letters_leave_no_personal_data_in_the_outbox(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    data = letter_data()
    letter_id, _ = _write(api, data)
    send_due_reminders(session, clock.advance(hours=25), settings=settings)
    confirmation, reminder = outbox_for(session, letter_id)
    confirmation.state = OutboxState.sent  # the confirmation went out; the reminder did not
    session.add(confirmation)
    session.flush()
    assert purge_expired(session, clock.advance(days=6), settings=settings) == 1
    for row in outbox_for(session, letter_id):
        assert row.redacted_at == clock.now()
        assert row.to_email == "redacted@redacted.invalid" and row.to_name is None
        assert row.text_body == "" and row.html_body is None and row.headers == {}
        assert str(data["email"]) not in repr(vars(row))
        assert str(data["name"]) not in repr(vars(row))
    assert confirmation.state == OutboxState.sent
    assert reminder.state == OutboxState.cancelled


def test_a_replaced_letters_mail_is_erased_too(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    data = letter_data()
    first_id, _ = _write(api, data)
    clock.advance(days=8)  # its link expired unconfirmed; the writer writes again
    second_id, _ = _write(api, data)
    assert second_id != first_id
    purge_expired(session, clock.now(), settings=settings)
    assert session.get(Letter, first_id) is None
    [old] = outbox_for(session, first_id)
    assert old.redacted_at == clock.now() and old.text_body == ""
    [new] = outbox_for(session, second_id)
    assert new.redacted_at is None and new.to_email == data["email"]
