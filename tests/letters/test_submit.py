"""POST /api/letters: what it stores and sends, and every refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.clock import FakeClock
from service.config import Settings
from service.delivery.schemas import MessageKind
from service.letters.drafting import preview_letter
from service.letters.models import Letter, RateLimitCounter
from service.letters.schemas import LetterIn
from tests.letters.conftest import (
    FR_REP,
    UK_REP_NO_EMAIL,
    LetterData,
    outbox_for,
)


def _letter(session: Session, letter_id: str) -> Letter:
    letter = session.get(Letter, letter_id)
    assert letter is not None
    return letter


def test_a_letter_is_stored_with_its_confirmation_email_and_nothing_else(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    response = api.post("/api/letters", json=letter_data(email="  Alex.Smith+calais@Example.org "))
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"id", "status", "status_url", "hold_reason", "message"}
    letter = _letter(session, body["id"])
    assert letter.status == "pending_confirmation"
    assert letter.email_key == "alex.smith+calais@example.org"
    assert letter.language == "en" and letter.ui_lang == "en"
    assert letter.demands == "1,3"
    assert letter.ip_hash and "testclient" not in letter.ip_hash
    assert len(letter.confirm_token_hash) == 64
    [mail] = outbox_for(session, letter.id)
    assert mail.kind == MessageKind.confirmation
    assert mail.to_email == "Alex.Smith+calais@example.org"
    assert mail.sender_email == "letters@repmail.invalid"
    # The stored hash is not the token that went out in the email.
    assert letter.confirm_token_hash not in mail.text_body


def test_the_letter_language_follows_the_chamber_and_mail_follows_the_supporter(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    body = api.post("/api/letters", json=letter_data(representative_id=FR_REP, lang="en")).json()
    letter = _letter(session, body["id"])
    assert (letter.language, letter.ui_lang) == ("fr", "en")
    [mail] = outbox_for(session, letter.id)
    assert mail.subject == "Please confirm your letter to Jérôme Guedj"
    assert "Monsieur le Député," in mail.text_body
    assert "Objet" not in mail.text_body  # the mail is English, the letter inside is French


def test_without_lang_the_supporter_mail_uses_the_letter_language(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    data = letter_data(representative_id=FR_REP)
    del data["lang"]
    body = api.post("/api/letters", json=data).json()
    [mail] = outbox_for(session, body["id"])
    assert mail.subject.startswith("Confirmez votre lettre")


def test_campaign_subjects_are_spread_over_supporters(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    subjects = set()
    for _ in range(12):
        body = api.post("/api/letters", json=letter_data()).json()
        subjects.add(_letter(session, body["id"]).subject)
    assert len(subjects) >= 3


def test_the_preview_shows_the_subject_that_is_sent(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    for _ in range(5):
        data = letter_data()
        preview = preview_letter(session, LetterIn.model_validate(data))
        body = api.post("/api/letters", json=data).json()
        assert _letter(session, body["id"]).subject == preview.subject


def test_a_supporters_own_subject_is_kept(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    body = api.post("/api/letters", json=letter_data(subject="  Calais, from a nurse  ")).json()
    letter = _letter(session, body["id"])
    assert (letter.subject, letter.subject_is_own) == ("Calais, from a nurse", True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Alex\r\nBcc: victim@example.org"),
        ("name", "Alex\nExample"),
        ("name", "Alex\x00"),
        ("name", "Alex\u2028Example"),
        ("subject", "Hello\r\nBcc: victim@example.org"),
        ("subject", "Hello\x1b[31m"),
        ("email", "alex@example.org\r\nBcc: victim@example.org"),
        ("email", "not-an-address"),
        ("postcode", "B34\n7AA"),
        ("address", "1 Road\r\nTown"),
        ("message", "Hello\x07 bell"),
    ],
)
def test_control_characters_and_header_injection_are_422(
    api: TestClient, session: Session, letter_data: LetterData, field: str, value: str
) -> None:
    response = api.post("/api/letters", json=letter_data(**{field: value}))
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field
    assert body["message"]
    assert session.exec(select(Letter)).first() is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("message", "x" * 5_001),
        ("name", "n" * 101),
        ("address", "a" * 301),
        ("postcode", "p" * 17),
        ("subject", "s" * 151),
        ("email", "a" * 250 + "@example.org"),
        ("demands", list(range(1, 30))),
        ("website", "w" * 201),
    ],
)
def test_oversized_fields_are_422_with_the_field_named(
    api: TestClient, letter_data: LetterData, field: str, value: Any
) -> None:
    response = api.post("/api/letters", json=letter_data(**{field: value}))
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert "x" * 100 not in response.text  # the input is not echoed back


def test_a_body_over_64_kb_is_413(api: TestClient, letter_data: LetterData) -> None:
    response = api.post("/api/letters", json=letter_data(padding="x" * 70_000))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_a_chunked_body_over_64_kb_is_413(api: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(20):
            yield b"x" * 4096

    response = api.post(
        "/api/letters", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_malformed_json_is_422(api: TestClient) -> None:
    response = api.post(
        "/api/letters", content=b"{\xff\xfe", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent": False}, "consent"),
        ({"demands": []}, "demands"),
        ({"demands": [0]}, "demands"),  # the field, not the position in it
        ({"lang": "de"}, "lang"),
        ({"name": "   "}, "name"),
        ({"campaign": "Not a slug!"}, "campaign"),
    ],
)
def test_incomplete_letters_are_422(
    api: TestClient, letter_data: LetterData, overrides: dict[str, Any], field: str
) -> None:
    response = api.post("/api/letters", json=letter_data(**overrides))
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_consent_is_required(api: TestClient, letter_data: LetterData) -> None:
    data = letter_data()
    del data["consent"]
    response = api.post("/api/letters", json=data)
    assert response.status_code == 422
    assert response.json()["field"] == "consent"


def test_a_demand_the_campaign_does_not_have_is_422(
    api: TestClient, letter_data: LetterData
) -> None:
    response = api.post("/api/letters", json=letter_data(demands=[2, 7]))
    assert response.status_code == 422
    assert response.json()["field"] == "demands"
    assert "1 to 4" in response.json()["message"]


def test_repeated_demands_are_kept_once(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    body = api.post("/api/letters", json=letter_data(demands=[4, 2, 4])).json()
    assert _letter(session, body["id"]).demands == "2,4"


def test_a_filled_honeypot_is_refused(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    response = api.post("/api/letters", json=letter_data(website="http://spam.example"))
    assert response.status_code == 422
    assert response.json()["field"] == "website"
    assert session.exec(select(Letter)).first() is None


def test_an_empty_honeypot_is_fine(api: TestClient, letter_data: LetterData) -> None:
    assert api.post("/api/letters", json=letter_data(website="")).status_code == 202


def test_an_unknown_campaign_is_404(api: TestClient, letter_data: LetterData) -> None:
    response = api.post("/api/letters", json=letter_data(campaign="no-such-campaign"))
    assert response.status_code == 404
    assert response.json()["field"] == "campaign"


def test_an_unknown_representative_is_422(api: TestClient, letter_data: LetterData) -> None:
    response = api.post("/api/letters", json=letter_data(representative_id="uk-0"))
    assert response.status_code == 422
    assert response.json()["field"] == "representative_id"


def test_a_representative_without_an_address_cannot_be_written_to_yet(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    response = api.post("/api/letters", json=letter_data(representative_id=UK_REP_NO_EMAIL))
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "representative_id"
    assert "cannot be written to yet" in body["message"]
    assert session.exec(select(Letter)).first() is None


def test_a_closed_campaign_refuses_new_letters(
    api: TestClient, clock: FakeClock, letter_data: LetterData
) -> None:
    clock.advance(days=30)  # past the seeded closing time (14 December)
    response = api.post("/api/letters", json=letter_data())
    assert response.status_code == 409
    assert response.json()["error"] == "campaign_closed"
    assert "closed" in response.json()["message"]


def _limited(api: TestClient, settings: Settings, **limits: int) -> None:
    api.app.state.settings = settings.model_copy(  # type: ignore[attr-defined]
        update={"letters": settings.letters.model_copy(update=limits)}
    )


def test_letters_per_ip_are_limited_in_the_database(
    api: TestClient, session: Session, settings: Settings, letter_data: LetterData
) -> None:
    _limited(api, settings, letters_per_ip_per_hour=2)
    assert api.post("/api/letters", json=letter_data()).status_code == 202
    assert api.post("/api/letters", json=letter_data()).status_code == 202
    refused = api.post("/api/letters", json=letter_data())
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    counters = session.exec(select(RateLimitCounter)).all()
    assert {c.bucket for c in counters} >= {"letters-ip", "letters-email"}
    assert all("testclient" not in c.key_hash for c in counters)
    [ip_counter] = [c for c in counters if c.bucket == "letters-ip"]
    assert ip_counter.count == 2  # the refused attempt was not counted


def test_the_ip_limit_resets_in_the_next_window(
    api: TestClient, clock: FakeClock, settings: Settings, letter_data: LetterData
) -> None:
    _limited(api, settings, letters_per_ip_per_hour=1)
    assert api.post("/api/letters", json=letter_data()).status_code == 202
    assert api.post("/api/letters", json=letter_data()).status_code == 429
    clock.advance(hours=1)
    assert api.post("/api/letters", json=letter_data()).status_code == 202


def test_letters_per_email_are_limited(
    api: TestClient, settings: Settings, letter_data: LetterData
) -> None:
    _limited(api, settings, letters_per_email_per_day=1)
    same = {"email": "busy@example.org"}
    assert api.post("/api/letters", json=letter_data(**same)).status_code == 202
    other_rep = letter_data(representative_id=FR_REP, **same)
    assert api.post("/api/letters", json=other_rep).status_code == 429


def test_gmail_dots_and_tags_are_distinct_supporters(
    api: TestClient, letter_data: LetterData
) -> None:
    for email in ("sam.smith@gmail.com", "samsmith@gmail.com", "samsmith+x@gmail.com"):
        assert api.post("/api/letters", json=letter_data(email=email)).status_code == 202


def test_an_expired_unconfirmed_letter_does_not_block_a_new_one(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    api.post("/api/letters", json=letter_data(email="late@example.org"))
    clock.advance(days=7, seconds=1)
    second = api.post("/api/letters", json=letter_data(email="late@example.org"))
    assert second.status_code == 202
    [confirmation] = outbox_for(session, second.json()["id"])
    assert confirmation.kind == MessageKind.confirmation


def test_the_same_supporter_may_write_to_another_representative(
    api: TestClient, letter_data: LetterData
) -> None:
    assert api.post("/api/letters", json=letter_data(email="x@example.org")).status_code == 202
    other = letter_data(email="x@example.org", representative_id=FR_REP)
    assert api.post("/api/letters", json=other).status_code == 202


def test_refusals_leave_nothing_behind(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    api.post("/api/letters", json=letter_data(demands=[9]))
    api.post("/api/letters", json=letter_data(representative_id=UK_REP_NO_EMAIL))
    assert session.exec(select(RateLimitCounter)).all() == []
    assert session.exec(select(Letter)).all() == []


def test_validity_period_is_a_setting(settings: Settings) -> None:
    assert settings.letters.confirmation_valid_days == 7
    assert timedelta(hours=settings.letters.reminder_after_hours) == timedelta(days=1)


def test_the_address_line_is_optional(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    data = letter_data(address="")
    response = api.post("/api/letters", json=data)
    assert response.status_code == 202
    preview = preview_letter(session, LetterIn.model_validate(data))
    signature = preview.text.split(data["name"], 1)[1]
    # Name, then straight to the postcode: no empty line where the address would be.
    assert signature.lstrip("\n").startswith(data["postcode"])
