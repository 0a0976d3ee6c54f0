"""The whole journey through the JSON API: write, confirm, follow."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.clock import FakeClock
from service.delivery.schemas import MessageKind
from service.letters.models import Letter
from tests.letters.conftest import (
    UK_REP,
    LetterData,
    confirm_token_in,
    outbox_for,
    token_from,
)


def test_write_confirm_and_follow_a_letter(
    api: TestClient, session: Session, letter_data: LetterData, clock: FakeClock
) -> None:
    response = api.post("/api/letters", json=letter_data())
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "pending_confirmation"
    assert body["status_url"].startswith("http://127.0.0.1:8000/letters/")
    assert body["hold_reason"] is None
    letter_id = body["id"]

    [confirmation] = outbox_for(session, letter_id)
    assert confirmation.kind == MessageKind.confirmation
    assert confirmation.to_email.startswith("alex")
    assert confirmation.subject == "Please confirm your letter to Liam Byrne"
    assert body["status_url"] in confirmation.text_body

    status = api.get(token_path(body["status_url"]), headers={"Accept": "application/json"})
    assert status.status_code == 200
    assert status.json()["status"] == "pending_confirmation"

    clock.advance(hours=2)
    token = confirm_token_in(confirmation)
    confirmed = api.get(f"/confirm/{token}")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "queued"
    assert [e["status"] for e in confirmed.json()["events"]] == [
        "pending_confirmation",
        "confirmed",
        "queued",
    ]

    messages = outbox_for(session, letter_id)
    [letter_mail] = [m for m in messages if m.kind == MessageKind.letter]
    assert letter_mail.to_email == "liam.byrne.mp@parliament.uk"
    assert letter_mail.reply_to_email == confirmation.to_email
    row = session.get(Letter, letter_id)
    assert row is not None and row.outbox_id == letter_mail.id
    assert row.representative_id == UK_REP


def token_path(url: str) -> str:
    return f"/letters/{token_from(url)}"
