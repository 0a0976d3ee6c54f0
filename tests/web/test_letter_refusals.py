"""Every refusal on the letter form: a clear message beside its field, the form filled in
again with what the supporter typed, and never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from service.campaigns.models import Campaign, CampaignTemplate
from service.config import LetterSettings
from service.letters.models import Letter
from service.web import csrf
from tests.web.conftest import (
    BATH_MP,
    CALAIS,
    field_error,
    input_value,
    letter_form,
    text_of,
    textarea_value,
)


@pytest.mark.parametrize("path", [f"{CALAIS}/write", f"{CALAIS}/send"])
@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": ""}, "name", "Enter your name"),
        ({"name": "Ann\r\nBcc: victim@example.org"}, "name", "one line"),
        ({"name": "Ann\x00"}, "name", "one line"),
        ({"name": "Ann \u202egnorw"}, "name", "direction of the text"),
        ({"name": "Ann \u2066x\u2069"}, "name", "direction of the text"),
        ({"subject": "=?utf-8?q?Urgent=21?= from the office"}, "subject", "mail encoding"),
        ({"email": "jösé@example.org"}, "email", "accented or non-Latin letters before the @"),
        ({"name": "A" * 101}, "name", "100 characters or fewer"),
        ({"email": ""}, "email", "Enter your email address"),
        ({"email": "ann@"}, "email", "right format"),
        ({"email": "ann@example.org\nBcc: x@example.org"}, "email", "one line"),
        ({"postcode": "  "}, "postcode", "Enter your postcode"),
        ({"address": "1 High St\r\nLondon"}, "address", "one line"),
        ({"demands": None}, "demands", "at least one"),
        ({"demands": ["9"]}, "demands", "Choose among"),
        ({"demands": ["x", "-1"]}, "demands", "at least one"),
        ({"subject": "Hello\r\nBcc: x@example.org"}, "subject", "one line"),
        ({"message": "x" * 5001}, "message", "5000 characters or fewer"),
        ({"message": "bell\x07"}, "message", "cannot be sent"),
        ({"consent": None}, "consent", "Tick the box"),
    ],
)
def test_field_errors_keep_the_letter(
    web: TestClient, path: str, changes: dict[str, Any], field: str, words: str
) -> None:
    page = web.post(path, data=letter_form(web, **changes))
    assert page.status_code == 422
    error = field_error(page.text, field)
    assert error and words in error, error
    assert f'<a href="#f-{field}">' in page.text
    assert "There is a problem" in text_of(page.text)
    # What was typed comes back.
    assert input_value(page.text, "email") == changes.get("email", "ann@example.org")
    if "message" not in changes:
        assert "My grandmother came to Bath" in (textarea_value(page.text, "message") or "")


def test_an_internationalised_domain_is_welcome(web: TestClient) -> None:
    page = web.post(f"{CALAIS}/write", data=letter_form(web, email="anne@bücher.de"))
    assert page.status_code == 200, field_error(page.text, "email")


def test_the_address_line_may_be_left_empty(web: TestClient) -> None:
    page = web.post(f"{CALAIS}/write", data=letter_form(web, address=""))
    assert page.status_code == 200
    assert field_error(page.text, "address") is None


def test_emoji_and_accents_are_welcome(web: TestClient) -> None:
    page = web.post(f"{CALAIS}/write", data=letter_form(web, name="Zoë Ó Dálaigh 😀"))
    assert page.status_code == 200
    assert '"Zoë Ó Dálaigh 😀 via Calais Border Campaign"' in text_of(page.text)


def test_bytes_that_are_not_utf8_never_break_the_form(web: TestClient) -> None:
    rest = urlencode({k: v for k, v in letter_form(web).items() if k != "name"}, doseq=True)
    for raw_name in ("%ED%A0%80Zo%C3%AB", "%FF%FE", "%C3", "Ann%00"):
        page = web.post(
            f"{CALAIS}/write",
            content=f"name={raw_name}&{rest}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert page.status_code in (200, 422), raw_name


def test_a_huge_body_is_refused_with_a_page(web: TestClient) -> None:
    page = web.post(f"{CALAIS}/write", data=letter_form(web, message="x" * 400_000))
    assert page.status_code == 413
    assert "too long" in text_of(page.text)
    upload = web.post(f"{CALAIS}/write", files={"message": ("a.txt", b"hello")}, data={"name": "x"})
    assert upload.status_code == 413


def test_missing_csrf_token_is_refused_but_keeps_the_letter(web: TestClient) -> None:
    page = web.post(f"{CALAIS}/send", data=letter_form(web, csrf_token=None))
    assert page.status_code == 403
    assert "form has expired" in text_of(page.text)
    assert input_value(page.text, "name") == "Ann Example"
    retry = web.post(f"{CALAIS}/send", data=letter_form(web), follow_redirects=False)
    assert retry.status_code == 303


def test_csrf_token_must_match_the_cookie(web: TestClient, session: Session) -> None:
    form = letter_form(web)
    other = csrf.issue("test-secret-key-that-is-long-enough-for-tests")
    assert web.post(f"{CALAIS}/send", data={**form, "csrf_token": other}).status_code == 403
    forged = csrf.issue("not-our-secret")
    web.cookies.set(csrf.COOKIE_NAME, forged)
    assert web.post(f"{CALAIS}/send", data={**form, "csrf_token": forged}).status_code == 403
    assert session.exec(select(Letter)).first() is None


def test_honeypot_is_refused(web: TestClient, session: Session) -> None:
    page = web.post(f"{CALAIS}/send", data=letter_form(web, website="https://spam.example"))
    assert page.status_code == 400
    assert "automated program" in text_of(page.text)
    assert input_value(page.text, "website") == ""
    assert session.exec(select(Letter)).first() is None


def test_unknown_or_missing_representative(web: TestClient) -> None:
    for query in ("", "?rep=uk-0", "?rep=" + "x" * 5000):
        page = web.get(f"{CALAIS}/write{query}")
        assert page.status_code == 404
        assert "We do not know this representative" in text_of(page.text)
    assert (
        web.post(f"{CALAIS}/write", data={**letter_form(web), "rep": "nobody"}).status_code == 404
    )


def test_too_many_letters(web: TestClient, web_app: Any) -> None:
    settings = web_app.state.settings
    web_app.state.settings = settings.model_copy(
        update={"letters": LetterSettings(letters_per_ip_per_hour=1)}
    )
    try:
        first = web.post(f"{CALAIS}/send", data=letter_form(web), follow_redirects=False)
        assert first.status_code == 303
        second = web.post(
            f"{CALAIS}/send", data=letter_form(web, email="bob@example.org", rep="uk-5179")
        )
        assert second.status_code == 429
        assert "Please wait a little" in text_of(second.text)
    finally:
        web_app.state.settings = settings


@contextmanager
def busy_database_for(session: Session) -> Iterator[None]:
    """The database refuses the letter's first write, as a saturated SQLite does after its
    busy timeout: the pages before it (and the reads of the form's own request) work."""

    def refuse(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO rate_limit_counter"):
            raise OperationalError(statement, {}, Exception("database is locked"))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", refuse)
    yield
    event.remove(connection, "before_cursor_execute", refuse)


@pytest.mark.parametrize("path", [f"{CALAIS}/write", f"{CALAIS}/send"])
def test_a_busy_database_gives_the_letter_back_to_press_again(
    web: TestClient, session: Session, path: str
) -> None:
    form = letter_form(web, message="My own words, which must not be lost.")
    with busy_database_for(session):
        page = web.post(path, data=form)
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "nothing was sent" in text_of(page.text)
    assert textarea_value(page.text, "message") == "My own words, which must not be lost."
    assert input_value(page.text, "name") == "Ann Example"
    assert session.exec(select(Letter)).first() is None
    retry = web.post(f"{CALAIS}/send", data=letter_form(web), follow_redirects=False)
    assert retry.status_code == 303


def test_a_broken_confirmation_template_gives_the_letter_back(
    web: TestClient, session: Session, campaign: Campaign
) -> None:
    assert campaign.id is not None
    session.add(
        CampaignTemplate(
            campaign_id=campaign.id,
            lang="en",
            name="confirm.txt.j2",
            source="{{ no_such_thing.at_all }}",
            updated_at=datetime.now(UTC),
        )
    )
    session.flush()
    page = web.post(f"{CALAIS}/send", data=letter_form(web, message="Kept, whatever broke."))
    assert page.status_code == 503
    assert "nothing was sent" in text_of(page.text)
    assert textarea_value(page.text, "message") == "Kept, whatever broke."
    assert session.exec(select(Letter)).first() is None


def test_the_letter_form_refuses_a_get_of_send(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/send")
    assert page.status_code == 405
    assert "Page not found" in text_of(page.text)


def test_unknown_pages(web: TestClient) -> None:
    page = web.get("/nowhere")
    assert page.status_code == 404 and "Page not found" in text_of(page.text)
    api = web.get("/api/nowhere", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.json()["detail"] == "Not Found"


def test_preview_of_a_paragraph_like_others_warns(web: TestClient, session: Session) -> None:
    web.post(f"{CALAIS}/send", data=letter_form(web), follow_redirects=False)
    page = web.post(f"{CALAIS}/write", data=letter_form(web, email="bob@example.org"))
    assert page.status_code == 200
    text = text_of(page.text)
    assert "This reads like 1 other letter to this representative." in text
    assert BATH_MP in page.text


def test_a_representative_without_an_address_is_refused_beside_the_letter(
    web: TestClient, session: Session
) -> None:
    # The form page itself says so; a letter posted anyway comes back with the reason.
    form = {**letter_form(web), "rep": "uk-3924"}
    assert web.get(f"{CALAIS}/write?rep=uk-3924").status_code == 409
    page = web.post(f"{CALAIS}/send", data=form)
    assert page.status_code == 422
    assert "cannot be written to yet" in text_of(page.text)
    assert textarea_value(page.text, "message") == form["message"]
    assert session.exec(select(Letter)).first() is None


@pytest.mark.parametrize("path", [f"{CALAIS}/write", f"{CALAIS}/send"])
def test_an_unknown_representative_in_a_posted_letter_gets_its_page(
    web: TestClient, path: str
) -> None:
    page = web.post(path, data={**letter_form(web), "rep": "uk-0"})
    assert page.status_code == 404
    assert "We do not know this representative" in text_of(page.text)
