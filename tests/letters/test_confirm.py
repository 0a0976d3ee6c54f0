"""GET /confirm/{token} and GET /letters/{token}: the click, its refusals, and the status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.clock import FakeClock
from service.config import Settings
from service.delivery.models import OutboxMessage, transition
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.errors import InvalidInput
from service.letters import service
from service.letters.models import Letter
from service.letters.schemas import LetterIn
from service.letters.states import LetterStatus
from service.letters.tokens import LinkExpired, confirmation_token
from service.representatives.models import Representative, RepresentativeStatus
from tests.letters.conftest import (
    FR_REP,
    UK_REP,
    LetterData,
    confirm_token_in,
    outbox_for,
    token_from,
)


def _submit(api: TestClient, session: Session, data: dict[str, object]) -> tuple[str, str, str]:
    body = api.post("/api/letters", json=data).json()
    [mail] = outbox_for(session, body["id"])
    return body["id"], confirm_token_in(mail), token_from(body["status_url"])


def _letter_mails(session: Session, letter_id: str) -> list[str]:
    return [m.id for m in outbox_for(session, letter_id) if m.kind == MessageKind.letter]


def test_confirming_queues_the_letter_to_the_representative(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    data = letter_data(message="My grandmother came to Dover as a child.\n\nShe was safe.")
    letter_id, token, _ = _submit(api, session, data)
    assert _letter_mails(session, letter_id) == []  # nothing reaches the MP before the click

    response = api.get(f"/confirm/{token}")
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    [mail] = [m for m in outbox_for(session, letter_id) if m.kind == MessageKind.letter]
    assert mail.to_email == "liam.byrne.mp@parliament.uk"
    assert mail.to_name == "Liam Byrne"
    assert mail.sender_name == f"{data['name']} via Calais Border Campaign"
    assert mail.sender_email == "letters@repmail.invalid"
    assert (mail.reply_to_email, mail.reply_to_name) == (data["email"], data["name"])
    assert mail.letter_id == letter_id
    text = mail.text_body
    assert text.startswith("Dear Liam Byrne,\n")
    assert "My grandmother came to Dover as a child.\n\nShe was safe." in text
    assert "Make family reunification work" in text  # demand 1
    assert "Decent reception in Calais and Dunkirk" in text  # demand 3
    assert "Safe and legal routes" not in text  # demand 2 was not ticked
    street, town = data["address"].split(", ")
    assert f"{data['name']}\n{street}\n{town}\n{data['postcode']}" in text
    assert "asked for this letter to be sent to you through the campaign" in text
    assert mail.html_body and "<li><strong>Make family reunification work.</strong>" in (
        mail.html_body
    )
    letter = session.get(Letter, letter_id)
    assert letter is not None and letter.confirmed_at is not None


def test_a_letter_to_a_depute_is_in_french(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    letter_id, token, _ = _submit(api, session, letter_data(representative_id=FR_REP, lang="en"))
    api.get(f"/confirm/{token}")
    [mail] = [m for m in outbox_for(session, letter_id) if m.kind == MessageKind.letter]
    assert mail.text_body.startswith("Monsieur le Député,\n")  # Jérôme Guedj: "M." in the data
    assert "Rendre le regroupement familial effectif" in mail.text_body
    assert "l'expression de ma haute considération" in mail.text_body
    assert "a demandé que cette lettre vous soit transmise" in mail.text_body
    assert mail.html_body and '<html lang="fr">' in mail.html_body


def test_html_in_the_personal_text_is_escaped_in_the_html_part(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    evil = '<script>alert("x")</script><a href="http://evil.example">click</a> & more'
    letter_id, token, _ = _submit(
        api, session, letter_data(message=evil, name="Jo <b>Bold</b>", address="1 <i> Road")
    )
    api.get(f"/confirm/{token}")
    for mail in outbox_for(session, letter_id):
        assert mail.html_body is not None
        assert "<script>" not in mail.html_body
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in mail.html_body
        assert "<b>Bold</b>" not in mail.html_body and "&lt;b&gt;Bold" in mail.html_body
        assert 'href="http://evil.example"' not in mail.html_body
        assert "&amp; more" in mail.html_body
        assert evil in mail.text_body  # plain text is text


def test_an_old_link_to_a_letter_confirmed_in_time_shows_its_status(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    letter_id, token, _ = _submit(api, session, letter_data())
    api.get(f"/confirm/{token}")
    clock.advance(days=10)
    again = api.get(f"/confirm/{token}")
    assert again.status_code == 200
    assert again.json()["status"] == "queued"
    assert len(_letter_mails(session, letter_id)) == 1


def test_rewriting_refuses_control_characters_in_the_use_case(
    session: Session, settings: Settings, letter_in: object
) -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    data: LetterIn = letter_in()  # type: ignore[operator]
    out = service.submit_letter(session, settings, data, client_ip=None, now=now)
    token = token_from(out.status_url)
    with pytest.raises(InvalidInput):
        service.revise_message(session, settings, token, "bell\x07", now=now)
    with pytest.raises(InvalidInput):
        service.revise_message(session, settings, token, "x" * 5_001, now=now)


def test_a_used_link_changes_nothing(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    letter_id, token, _ = _submit(api, session, letter_data())
    assert api.get(f"/confirm/{token}").json()["status"] == "queued"
    clock.advance(minutes=5)
    again = api.get(f"/confirm/{token}")
    assert again.status_code == 200
    assert again.json()["status"] == "queued"
    assert len(_letter_mails(session, letter_id)) == 1


def test_an_expired_link_is_410_and_the_letter_expires(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    data = letter_data()
    letter_id, token, status_token = _submit(api, session, data)
    clock.advance(days=7, seconds=1)
    response = api.get(f"/confirm/{token}")
    assert response.status_code == 410
    assert response.json()["error"] == "expired"
    assert "write your letter again" in response.json()["message"]
    assert _letter_mails(session, letter_id) == []
    status = api.get(f"/letters/{status_token}").json()
    assert status["status"] == "expired"
    again = api.post("/api/letters", json=data)  # writing again: a new letter
    assert again.status_code == 202
    assert again.json()["id"] != letter_id
    [confirmation] = outbox_for(session, again.json()["id"])  # with its own link
    assert confirmation.kind == MessageKind.confirmation


def test_the_link_still_works_just_before_it_expires(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    _letter_id, token, _ = _submit(api, session, letter_data())
    clock.advance(days=7, seconds=-1)
    assert api.get(f"/confirm/{token}").json()["status"] == "queued"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: "0" + t[1:] if t[0] != "0" else "1" + t[1:],  # letter id changed
        lambda t: t.split(".")[0] + ".9999999999." + t.split(".")[2],  # expiry extended
        lambda t: "garbage",
        lambda t: t + "x" * 200,
        lambda t: t.replace(".", "%0d%0a."),
    ],
)
def test_forged_links_are_404(
    api: TestClient, session: Session, letter_data: LetterData, mangle: object
) -> None:
    letter_id, token, _ = _submit(api, session, letter_data())
    forged = mangle(token)  # type: ignore[operator]
    response = api.get(f"/confirm/{forged}")
    assert response.status_code in (404, 422)
    assert response.status_code != 500
    assert _letter_mails(session, letter_id) == []


def test_a_token_signed_with_another_key_is_404(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    letter_id, _token, _ = _submit(api, session, letter_data())
    expires = clock.now() + timedelta(days=7)
    forged = confirmation_token("another-secret-key-of-sufficient-length", letter_id, expires)
    assert api.get(f"/confirm/{forged}").status_code == 404


def test_a_status_link_does_not_confirm(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    letter_id, _token, status_token = _submit(api, session, letter_data())
    assert api.get(f"/confirm/{status_token}").status_code == 404
    assert _letter_mails(session, letter_id) == []


def test_a_confirmation_link_does_not_show_status(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    _letter_id, token, _ = _submit(api, session, letter_data())
    assert api.get(f"/letters/{token}").status_code == 404


def test_confirming_after_the_deadline_rejects_the_letter(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    clock.advance(days=17)  # 14 December: the campaign still takes letters
    letter_id, token, _ = _submit(api, session, letter_data())
    clock.advance(days=4)  # 18 December, past the 09:00 Paris deadline
    response = api.get(f"/confirm/{token}")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert "deadline" in response.json()["explanation"]
    assert _letter_mails(session, letter_id) == []


def test_a_seat_vacated_before_the_click_holds_the_letter(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    letter_id, token, _ = _submit(api, session, letter_data())
    rep = session.get(Representative, UK_REP)
    assert rep is not None
    rep.status = RepresentativeStatus.vacant
    session.add(rep)
    session.flush()
    body = api.get(f"/confirm/{token}").json()
    assert body["status"] == "held"
    assert body["hold_reason"] == "representative_unavailable"
    assert _letter_mails(session, letter_id) == []


def test_the_status_shows_history_text_and_an_explanation(
    api: TestClient, session: Session, letter_data: LetterData, clock: FakeClock
) -> None:
    clock.advance(minutes=17, seconds=5)  # the link's expiry falls mid-hour
    _letter_id, token, status_token = _submit(api, session, letter_data(lang="fr"))
    pending = api.get(f"/letters/{status_token}", headers={"Accept": "application/json"})
    assert pending.status_code == 200
    body = pending.json()
    assert body["status"] == "pending_confirmation"
    assert body["confirm_by"] is not None
    # Nothing of the confirmation token: not its signature, not its exact expiry.
    _id, expiry, signature = token.split(".")
    assert signature not in pending.text and expiry not in pending.text
    confirm_by = datetime.fromisoformat(body["confirm_by"])
    assert (confirm_by.minute, confirm_by.second) == (0, 0)
    assert 0 < int(expiry) - confirm_by.timestamp() < 3600
    assert body["representative"] == {
        "id": UK_REP,
        "name": "Liam Byrne",
        "constituency": body["representative"]["constituency"],
    }
    assert body["explanation"].startswith("Votre lettre attend")
    assert body["letter"]["text"].startswith("Dear Liam Byrne,")
    api.get(f"/confirm/{token}")
    body = api.get(f"/letters/{status_token}").json()
    assert body["status"] == "queued"
    assert body["confirm_by"] is None
    assert "18 décembre 2026" in body["explanation"]
    assert [e["status"] for e in body["events"]] == ["pending_confirmation", "confirmed", "queued"]


@pytest.mark.parametrize("token", ["nope", "a" * 32 + "." + "b" * 43, "x" * 129])
def test_unknown_status_links_are_404_or_422(api: TestClient, token: str) -> None:
    assert api.get(f"/letters/{token}").status_code in (404, 422)


def test_the_use_case_raises_typed_errors(
    session: Session, settings: Settings, letter_in: object
) -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    data: LetterIn = letter_in()  # type: ignore[operator]
    out = service.submit_letter(session, settings, data, client_ip="192.0.2.1", now=now)
    letter = session.get(Letter, out.id)
    assert letter is not None
    token = confirmation_token(settings.secret_key, letter.id, letter.confirm_expires_at)
    with pytest.raises(LinkExpired):
        service.confirm_letter(session, settings, token, now=now + timedelta(days=8))
    assert letter.status == LetterStatus.expired


def test_a_letter_the_provider_refused_shows_why_on_its_status(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    letter_id, token, status_token = _submit(api, session, letter_data())
    api.get(f"/confirm/{token}")
    row = session.get(OutboxMessage, _letter_mails(session, letter_id)[0])
    assert row is not None
    assert api.get(f"/letters/{status_token}").json()["delivery_problem"] is None
    now = datetime.now(UTC)
    transition(session, row, OutboxState.sending, now=now, actor="test")
    transition(session, row, OutboxState.failed, now=now, actor="test", detail="413 too large")
    row.last_error = "413 too large"
    session.add(row)
    session.flush()

    body = api.get(f"/letters/{status_token}").json()
    assert "413 too large" in body["delivery_problem"]
    assert "do not need to write again" in body["delivery_problem"]
    page = api.get(f"/letters/{status_token}", headers={"Accept": "text/html"})
    assert "413 too large" in page.text and "Problem:" in page.text
