"""Logs carry ids and outcomes, never what a supporter typed; the preview use case writes
nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.letters.drafting import preview_letter
from service.letters.models import Letter
from service.letters.schemas import LetterIn
from tests.letters.conftest import FR_REP, LetterData, confirm_token_in, outbox_for


def test_logs_hold_no_personal_data(
    api: TestClient,
    session: Session,
    letter_data: LetterData,
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = letter_data(
        name="Privatus Nameson",
        email="privatus@example.org",
        postcode="ZZ9 9ZZ",
        address="42 Secret Street",
        message="My secret paragraph about my family.",
    )
    with caplog.at_level(logging.DEBUG):
        body = api.post("/api/letters", json=data).json()
        [mail] = outbox_for(session, body["id"])
        api.get(f"/confirm/{confirm_token_in(mail)}")
        api.post("/api/letters", json=data)  # a refused duplicate
    assert caplog.records
    logged = " ".join(repr(r.__dict__) for r in caplog.records)
    for secret in ("Privatus", "privatus@", "ZZ9", "Secret Street", "secret paragraph"):
        assert secret not in logged
    assert body["id"] in logged  # the opaque id is how a letter is traced


def test_preview_renders_without_writing(
    session: Session, letter_in: Callable[..., LetterIn]
) -> None:
    rendered = preview_letter(session, letter_in(representative_id=FR_REP, subject=None))
    assert rendered.text.startswith("Monsieur le Député,")
    assert rendered.subject.startswith("Frontière de Calais")
    assert "<html" in rendered.html
    assert session.exec(select(Letter)).first() is None
