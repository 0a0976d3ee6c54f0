"""Write, preview, send: the happy path, in both chambers' languages."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, select

from service.delivery.models import OutboxMessage
from service.letters.states import LetterStatus
from tests.web.conftest import (
    ABROAD_GB_DEPUTE,
    BATH_MP,
    CALAIS,
    input_value,
    letter_form,
    sent_letter,
    text_of,
    textarea_value,
)


def test_compose_page_shows_who_the_letter_goes_to_and_every_field(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/write?rep={BATH_MP}&country=uk&postcode=BA1+1AA")
    assert page.status_code == 200
    html = page.text
    text = text_of(html)
    assert "Write to Wera Hobhouse" in text and "Liberal Democrat" in text and "Bath" in text
    for field in ("name", "email", "postcode", "address", "message", "subject"):
        assert f'<label class="field__label" for="f-{field}">' in html, field
    assert html.count('name="demands"') == 4
    assert 'id="f-consent" name="consent"' in html and 'id="f-updates" name="updates"' in html
    assert 'name="updates" value="yes" checked' not in html  # never ticked for them
    assert input_value(html, "postcode") == "BA1 1AA"
    assert 'name="website"' in html and 'class="hp" aria-hidden="true"' in html
    assert "repmail_csrf=" in page.headers["set-cookie"]
    assert 'src="/static/js/compose.js"' in html
    assert "Letters to MPs are written in English" in text


def test_preview_shows_exactly_what_the_representative_receives(web: TestClient) -> None:
    page = web.post(f"{CALAIS}/write", data=letter_form(web))
    assert page.status_code == 200
    html = page.text
    text = text_of(html)
    assert "Check your letter" in text
    # The seeded placeholder address is not shown until organisers set the real one.
    assert '"Ann Example via Calais Border Campaign" (the campaign\'s own address)' in text
    assert "repmail.invalid" not in text
    assert '"Ann Example" <ann@example.org>' in text
    assert "Dear Wera Hobhouse," in text
    assert "My grandmother came to Bath" in text
    assert "Make family reunification work" in text
    assert "Safe and legal routes" not in text  # demand 2 was not ticked
    assert '<section class="letter" aria-labelledby="letter-title" lang="en">' in html
    assert "reads like nobody else" in text
    # The whole letter rides along in the form, ready to send or to edit.
    assert (
        textarea_value(
            html,
            "message",
        )
        and input_value(html, "name") == "Ann Example"
    )
    assert f'formaction="{CALAIS}/write" name="action" value="edit"' in html


def test_the_preview_warns_when_the_paragraph_repeats_the_campaign(web: TestClient) -> None:
    pasted = (
        "Children, families and older people need a safe, legal way to reach the UK, so that "
        "nobody is pushed into a dangerous crossing."
    )
    for lang, words in (("en", "repeats the campaign's own text"), ("fr", "reprend le texte")):
        page = web.post(f"{CALAIS}/write?lang={lang}", data=letter_form(web, message=pasted))
        assert page.status_code == 200
        assert words in text_of(page.text)
        assert "notice--warning" in page.text


def test_edit_from_the_preview_keeps_everything(web: TestClient) -> None:
    form = letter_form(web, action="edit", updates="yes")
    page = web.post(f"{CALAIS}/write", data=form)
    assert page.status_code == 200
    assert input_value(page.text, "name") == "Ann Example"
    assert input_value(page.text, "address") == "1 High Street, Bath"
    assert 'value="1" checked' in page.text and 'value="2" checked' not in page.text
    assert 'name="updates" value="yes" checked' in page.text
    assert "My grandmother came to Bath" in (textarea_value(page.text, "message") or "")


def test_send_stores_the_letter_and_queues_the_confirmation(
    web: TestClient, session: Session
) -> None:
    answer = web.post(f"{CALAIS}/send", data=letter_form(web), follow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/letters/") and location.endswith("?sent=1")
    letter = sent_letter(session)
    assert letter.status == LetterStatus.pending_confirmation
    assert letter.representative_id == BATH_MP
    assert letter.demand_numbers == [1, 3]
    assert letter.ui_lang == "en" and letter.language == "en"
    assert letter.updates is False
    outbox = session.exec(select(OutboxMessage)).all()
    assert [row.to_email for row in outbox] == ["ann@example.org"]
    status = web.get(location)
    assert status.status_code == 200
    text = text_of(status.text)
    assert "Check your email" in text
    assert "Waiting for you to confirm" in text


def test_a_french_deputy_gets_the_letter_in_french_whatever_the_page(web: TestClient) -> None:
    form = letter_form(web, rep=ABROAD_GB_DEPUTE, country="abroad", postcode="SW1A 1AA")
    page = web.post(f"{CALAIS}/write", data=form)
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert '<section class="letter" aria-labelledby="letter-title" lang="fr">' in page.text
    assert "Madame la Députée, Monsieur le Député" not in text_of(page.text)


def test_pages_in_french(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/write?rep={BATH_MP}&lang=fr")
    assert '<html lang="fr">' in page.text
    assert "Écrire à Wera Hobhouse" in text_of(page.text)
    preview = web.post(f"{CALAIS}/write", data=letter_form(web))
    assert "Relisez votre lettre" in text_of(preview.text)  # the cookie remembers French
    assert "Dear Wera Hobhouse," in text_of(preview.text)  # the letter stays English


def test_the_preview_reads_the_representative_once(web: TestClient, session: Session) -> None:
    form = letter_form(web)
    reads: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if re.search(r"\b(FROM|JOIN)\s+representative\b", statement):
            reads.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", note)
    try:
        preview = web.post(f"{CALAIS}/write", data=form)
    finally:
        event.remove(connection, "before_cursor_execute", note)
    assert preview.status_code == 200
    assert "Dear Wera Hobhouse," in text_of(preview.text)
    # Besides the letter's own representative, the postcode check reads the members of the
    # seats the postcode lies in (once).
    seats = [r for r in reads if "representative.constituency_id IN" in r]
    assert len(reads) - len(seats) == 1 and len(seats) <= 1, reads
