"""The confirmation link and the status page: HTML for people, JSON for programs, and the
refusals of forged, expired and mangled links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.config import Settings
from service.letters.states import LetterStatus
from service.letters.tokens import confirmation_token
from tests.web.conftest import (
    CALAIS,
    confirm,
    confirm_link,
    csrf_token,
    letter_form,
    sent_letter,
    text_of,
)


def _send(web: TestClient) -> str:
    answer = web.post(f"{CALAIS}/send", data=letter_form(web), follow_redirects=False)
    assert answer.status_code == 303
    return answer.headers["location"].split("?")[0]


def test_opening_the_confirmation_link_sends_nothing(
    web: TestClient, session: Session, settings: Settings
) -> None:
    # Mail scanners open every link in an email: only the button confirms.
    _send(web)
    link = confirm_link(settings, sent_letter(session))
    for _ in range(2):
        page = web.get(link)
        assert page.status_code == 200
        text = text_of(page.text)
        assert "Send your letter to Wera Hobhouse" in text
        assert "Nothing has been sent yet." in text
        assert "Dear Wera Hobhouse," in text
        assert f'<form method="post" action="{link}"' in page.text
    session.refresh(sent_letter(session))
    assert sent_letter(session).status == LetterStatus.pending_confirmation


def test_a_confirmation_without_the_pages_token_is_refused(
    web: TestClient, session: Session, settings: Settings
) -> None:
    _send(web)
    link = confirm_link(settings, sent_letter(session))
    answer = web.post(link, data={"csrf_token": "forged"})
    assert answer.status_code == 403
    assert "Press the button again." in text_of(answer.text)
    session.refresh(sent_letter(session))
    assert sent_letter(session).status == LetterStatus.pending_confirmation
    assert confirm(web, link).status_code == 200  # the page it answered with works
    session.refresh(sent_letter(session))
    assert sent_letter(session).status == LetterStatus.queued


def test_the_confirm_button_confirms_and_says_what_happened(
    web: TestClient, session: Session, settings: Settings
) -> None:
    status_path = _send(web)
    link = confirm_link(settings, sent_letter(session))
    token = csrf_token(web.get(link).text)
    page = web.post(link, data={"csrf_token": token})
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Thank you: your letter is confirmed" in text
    assert "In the queue to be sent" in text
    assert f'href="{status_path}"' in page.text
    assert "Share by WhatsApp" in text
    session.refresh(sent_letter(session))
    assert sent_letter(session).status == LetterStatus.queued
    again = web.get(link)  # opening the link again changes nothing and says where it is
    assert again.status_code == 200 and "In the queue to be sent" in text_of(again.text)
    twice = web.post(link, data={"csrf_token": token})  # a second press changes nothing
    assert twice.status_code == 200 and "In the queue to be sent" in text_of(twice.text)


def test_status_page_follows_the_letter(
    web: TestClient, session: Session, settings: Settings
) -> None:
    status_path = _send(web)
    pending = text_of(web.get(status_path).text)
    assert "Waiting for you to confirm" in pending
    assert "Check your email" not in pending  # only right after sending
    confirm(web, confirm_link(settings, sent_letter(session)))
    page = web.get(status_path)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Written (done)" in text and "Confirmed by you (done)" in text
    assert "Sent (next step)" in text and "Delivered (not yet)" in text
    assert "Dear Wera Hobhouse," in text
    assert "Change your paragraph" not in text  # passed on: no more edits


def test_status_and_confirm_answer_json_to_programs(
    web: TestClient, session: Session, settings: Settings
) -> None:
    status_path = _send(web)
    answer = web.get(status_path, headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["status"] == "pending_confirmation"
    confirmed = web.get(
        confirm_link(settings, sent_letter(session)), headers={"Accept": "application/json"}
    )
    assert confirmed.json()["status"] == "queued"
    forged = web.get("/letters/forged", headers={"Accept": "application/json"})
    assert forged.status_code in (404, 422) and "error" in forged.json()


def test_forged_and_mangled_links_get_a_page(web: TestClient) -> None:
    for path in (
        "/letters/forged",
        "/letters/" + "0" * 32 + "." + "A" * 43,
        "/confirm/" + "0" * 32 + ".1." + "A" * 43,
        "/confirm/" + "x" * 3000,
        "/letters/%00%0D%0A",
    ):
        page = web.get(path)
        assert page.status_code == 404, path
        assert "This link is not valid" in text_of(page.text)


def test_expired_confirmation_link(web: TestClient, session: Session, settings: Settings) -> None:
    _send(web)
    letter = sent_letter(session)
    past = datetime.now(UTC) - timedelta(minutes=1)
    page = web.get(f"/confirm/{confirmation_token(settings.secret_key, letter.id, past)}")
    assert page.status_code in (404, 410)
    assert "This link" in text_of(page.text)


def test_rewrite_the_paragraph_before_confirming(web: TestClient, session: Session) -> None:
    status_path = _send(web)
    page = web.get(status_path)
    token = csrf_token(page.text)
    new = "I volunteer in Calais every summer; the children I meet deserve a safe route."
    answer = web.post(
        f"{status_path}/message", data={"csrf_token": token, "message": new}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("?revised=1")
    assert "Your new paragraph is saved." in text_of(web.get(answer.headers["location"]).text)
    session.refresh(sent_letter(session))
    assert sent_letter(session).message == new


def test_rewrite_refusals(web: TestClient) -> None:
    status_path = _send(web)
    token = csrf_token(web.get(status_path).text)
    no_csrf = web.post(f"{status_path}/message", data={"message": "New words."})
    assert no_csrf.status_code == 403
    assert "New words." in no_csrf.text  # kept
    too_long = web.post(f"{status_path}/message", data={"csrf_token": token, "message": "x" * 5001})
    assert too_long.status_code == 422
    assert "5000 characters or fewer" in text_of(too_long.text)
    forged = web.post("/letters/forged/message", data={"csrf_token": token, "message": "x"})
    assert forged.status_code == 404


def test_a_letter_without_own_words_is_held_and_can_be_fixed(
    web: TestClient, session: Session, settings: Settings
) -> None:
    preview = web.post(f"{CALAIS}/write", data=letter_form(web, message=""))
    assert preview.status_code == 200
    assert "Your letter has no paragraph of your own." in text_of(preview.text)
    answer = web.post(f"{CALAIS}/send", data=letter_form(web, message=""), follow_redirects=False)
    status_path = answer.headers["location"].split("?")[0]
    confirm(web, confirm_link(settings, sent_letter(session)))
    page = web.get(status_path)
    text = text_of(page.text)
    assert "Held for a person to read (next step)" in text
    assert "Change your paragraph" in text
    token = csrf_token(page.text)
    fixed = web.post(
        f"{status_path}/message",
        data={"csrf_token": token, "message": "Calais is an hour from my home in Kent."},
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    session.refresh(sent_letter(session))
    assert sent_letter(session).status == LetterStatus.queued
