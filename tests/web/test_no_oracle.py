"""No participation oracle on the letter form: a repeat is answered as a first letter is (the
same redirect to the new letter's own status page); what differs goes by email."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.letters.models import Letter
from tests.letters.conftest import confirm_token_in, outbox_for
from tests.web.conftest import CALAIS, letter_form, text_of


@pytest.mark.parametrize("case", ["pending", "confirmed"])
def test_the_form_answers_a_repeat_as_it_answers_a_first_letter(
    web: TestClient, session: Session, case: str
) -> None:
    first = web.post(f"{CALAIS}/send", data=letter_form(web), follow_redirects=False)
    assert first.status_code == 303
    first_page = web.get(first.headers["location"])  # what the first writer saw
    if case == "confirmed":
        letter = session.exec(select(Letter)).one()
        [mail] = outbox_for(session, letter.id)
        web.post(
            f"/confirm/{confirm_token_in(mail)}",
            data={"csrf_token": web.cookies.get("repmail_csrf", "")},
        )
        session.refresh(letter)
        assert letter.status == "queued"
    again = web.post(f"{CALAIS}/send", data=letter_form(web), follow_redirects=False)
    assert again.status_code == 303
    assert re.fullmatch(
        r"/letters/[0-9a-f]{32}\.[A-Za-z0-9_-]{43}\?sent=1", again.headers["location"]
    )
    page = web.get(again.headers["location"])
    assert page.status_code == 200
    # Nothing they wrote is lost: the page shows the new letter's own paragraph.
    assert "My grandmother came to Bath as a refugee child" in text_of(page.text)
    links = re.compile(r"[0-9a-f]{32}(\.[0-9]+)?\.[A-Za-z0-9_-]{43}|[0-9a-f]{32}")
    assert links.sub("<link>", text_of(page.text)) == links.sub("<link>", text_of(first_page.text))
