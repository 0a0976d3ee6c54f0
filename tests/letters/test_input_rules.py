"""What the JSON API refuses, and how it says so: the same rules as the form (bidi controls,
encoded words, addresses we cannot send to), each refusal naming its field and what to do."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.delivery.backends.mime import mime_bytes
from service.delivery.models import OutboxMessage
from tests.letters.conftest import LetterData


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "Ann \u202eelpmaxe"}, "name", "text-direction"),
        ({"name": "Ann \u2067x\u2069"}, "name", "text-direction"),
        ({"address": "1 High St \u202d"}, "address", "text-direction"),
        ({"subject": "=?utf-8?b?SGVsbG8=?="}, "subject", "mail encoding"),
        ({"name": "=?iso-8859-1?q?Ann?="}, "name", "mail encoding"),
        ({"email": "jösé@example.org"}, "email", "before the @"),
        ({"email": "ann@"}, "email", "name@example.org"),
        ({"name": "A" * 101}, "name", "at most 100 characters (it has 101)"),
        ({"demands": list(range(1, 30))}, "demands", "at most 20"),
        ({"name": ["Ann"]}, "name", "must be text"),
        ({"consent": False}, "consent", "tick the box"),
        ({"campaign": "Calais Border"}, "campaign", "lower-case letters"),
    ],
)
def test_refusals_name_the_field_and_say_what_to_do(
    api: TestClient, letter_data: LetterData, changes: dict[str, Any], field: str, words: str
) -> None:
    response = api.post("/api/letters", json=letter_data(**changes))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == field
    assert body["message"].startswith(f"{field}: ")
    assert words in body["message"]
    assert "Value should" not in body["message"] and "after validation" not in body["message"]


def test_malformed_json_says_so_without_calling_an_offset_a_field(api: TestClient) -> None:
    response = api.post(
        "/api/letters",
        content=b'{"campaign": "calais-border",, }',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["field"] is None
    assert "not valid JSON" in body["message"] and "character 30" in body["message"]


def test_a_body_that_is_not_an_object_is_explained(api: TestClient) -> None:
    response = api.post("/api/letters", json=["calais-border"])
    assert response.status_code == 422
    assert "JSON object" in response.json()["message"]


def test_an_idn_address_is_accepted_and_its_confirmation_can_be_written(
    api: TestClient, letter_data: LetterData, session: Session
) -> None:
    response = api.post("/api/letters", json=letter_data(email="anne@bücher.de"))
    assert response.status_code == 202, response.text
    row = session.exec(
        select(OutboxMessage).where(OutboxMessage.letter_id == response.json()["id"])
    ).one()
    assert b"<anne@xn--bcher-kva.de>" in mime_bytes(row.as_email(), outbox_id=row.id)
