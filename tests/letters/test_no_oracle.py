"""No participation oracle: whoever submits a letter with someone's address learns nothing
about whether that address wrote to the representative before. The answer is the same in
every case (only the new letter's own id and token differ, as they would anyway); what differs
goes by email to the address."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.clock import FakeClock
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.letters.models import Letter
from tests.letters.conftest import (
    LetterData,
    confirm_token_in,
    outbox_for,
    personal_paragraph,
    token_from,
)

HIDDEN = ("x-request-id", "date")


def _masked(text: str, letter_id: str, token: str, paragraph: str = "") -> str:
    text = text.replace(token, "<token>").replace(letter_id, "<id>")
    return text.replace(paragraph, "<paragraph>") if paragraph else text


def _attempt(
    api: TestClient, data: dict[str, Any]
) -> tuple[tuple[int, str, dict[str, str]], str, str]:
    """(the answer, id and token masked; the new letter's id; its status token)."""
    response = api.post("/api/letters", json=data)
    body = response.json()
    token = token_from(body["status_url"])
    headers = {k: v for k, v in response.headers.items() if k not in HIDDEN}
    masked = _masked(response.text, body["id"], token)
    return (response.status_code, masked, headers), body["id"], token


def _status(api: TestClient, letter_id: str, token: str, paragraph: str) -> str:
    response = api.get(f"/letters/{token}")
    body = response.json()
    body["created_at"] = body["events"][0]["at"] = "<time>"
    # The subject line is chosen from the campaign's by the address typed: not a finding.
    body["letter"]["subject"] = "<subject>"
    return f"{response.status_code} " + _masked(repr(body), letter_id, token, paragraph)


def _three_addresses(api: TestClient, session: Session, letter_data: LetterData) -> dict[str, str]:
    """One address that never wrote, one with a letter waiting, one with a letter sent on."""
    pending = letter_data(email="pending@example.org", message=personal_paragraph(901))
    assert api.post("/api/letters", json=pending).status_code == 202
    confirmed = letter_data(email="confirmed@example.org", message=personal_paragraph(902))
    first = api.post("/api/letters", json=confirmed).json()
    [mail] = outbox_for(session, first["id"])
    assert api.get(f"/confirm/{confirm_token_in(mail)}").json()["status"] == "queued"
    return {
        "never": "never@example.org",
        "pending": "pending@example.org",
        **{"confirmed": "confirmed@example.org"},
    }


def test_the_answer_and_the_status_link_are_the_same_whoever_wrote_before(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    addresses = _three_addresses(api, session, letter_data)
    # What someone else submits with each address: the same letter but for its paragraph
    # (the same one thrice would be held as a copy of itself, which says nothing about the
    # addresses).
    attempt = letter_data(name="Nosy Neighbour")
    answers = {}
    statuses = {}
    for n, (case, email) in enumerate(addresses.items()):
        paragraph = personal_paragraph(910 + n)
        answers[case], letter_id, token = _attempt(
            api, {**attempt, "email": email, "message": paragraph}
        )
        statuses[case] = _status(api, letter_id, token, paragraph)
    assert answers["never"][0] == 202
    assert answers["pending"] == answers["never"]
    assert answers["confirmed"] == answers["never"]
    assert statuses["pending"] == statuses["never"]
    assert statuses["confirmed"] == statuses["never"]


def test_what_differs_goes_by_email_to_the_address(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    addresses = _three_addresses(api, session, letter_data)
    attempt = letter_data()
    new = {
        case: api.post(
            "/api/letters",
            json={**attempt, "email": email, "message": personal_paragraph(920 + n)},
        ).json()["id"]
        for n, (case, email) in enumerate(addresses.items())
    }
    # Never wrote, or a first letter still waiting: the new letter's own confirmation.
    for case in ("never", "pending"):
        [mail] = outbox_for(session, new[case])
        assert mail.kind == MessageKind.confirmation
    # A letter confirmed before: no confirmation for the new one, and a note to the address
    # with the first letter's status link.
    assert outbox_for(session, new["confirmed"]) == []
    first = session.exec(
        select(Letter).where(
            Letter.email_key == "confirmed@example.org", Letter.id != new["confirmed"]
        )
    ).one()
    note = [m for m in outbox_for(session, first.id) if m.kind == MessageKind.notice]
    assert len(note) == 1
    assert note[0].subject == "You have already written to Liam Byrne"
    assert note[0].to_email == "confirmed@example.org"
    assert "will not be sent" in note[0].text_body
    assert re.search(rf"/letters/{first.id}\.", note[0].text_body)
    # Nor will a reminder ever carry the new letter's link.
    repeat = session.get(Letter, new["confirmed"])
    assert repeat is not None and repeat.reminder_sent_at is not None


def test_of_two_waiting_letters_the_first_confirmed_is_the_one(
    api: TestClient, session: Session, letter_data: LetterData, clock: FakeClock
) -> None:
    data = letter_data(email="twice@example.org")
    first = api.post("/api/letters", json=data).json()
    clock.advance(minutes=5)
    second = api.post("/api/letters", json={**data, "message": personal_paragraph(905)}).json()
    [second_mail] = outbox_for(session, second["id"])
    [first_mail] = outbox_for(session, first["id"])
    assert api.get(f"/confirm/{confirm_token_in(second_mail)}").json()["status"] == "queued"
    shown = api.get(f"/confirm/{confirm_token_in(first_mail)}").json()
    assert shown["id"] == second["id"] and shown["status"] == "queued"
    refused = session.get(Letter, first["id"])
    assert refused is not None and refused.status == "rejected"
    letters = [
        m
        for m in session.exec(select(OutboxMessage)).all()
        if m.kind == MessageKind.letter and m.letter_id in (first["id"], second["id"])
    ]
    assert len(letters) == 1
