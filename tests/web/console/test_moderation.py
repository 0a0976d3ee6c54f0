"""The moderation queue: held letters listed and grouped, opened (audited), released, rejected
with a reason the supporter is sent, or returned for the supporter to rewrite; one decision
per letter; bulk decisions; the console's home shows what waits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from service.accounts import credentials
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.clock import FakeClock
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.letters.models import Letter
from service.letters.paragraph import revise_message
from service.letters.routes import get_now
from tests.accounts.conftest import NOW, MakePerson
from tests.letters.conftest import confirm_token_in, personal_paragraph, token_from
from tests.web.conftest import csrf_token, text_of
from tests.web.console.test_pages import _signed_in

SHARED = (
    "The situation at Calais is a disgrace to both our governments. People are dying in the "
    "Channel because there is no safe way to ask for protection, and children sleep in tents "
    "in the rain. Please use the summit to change this."
)


def _submit_and_confirm(client: TestClient, session: Session, n: int, **changes: Any) -> str:
    data: dict[str, Any] = {
        "campaign": "calais-border",
        "representative_id": "uk-1171",
        "name": f"Held Writer {n}",
        "email": f"held{n}@example.org",
        "postcode": "B34 7AA",
        "address": f"{n} Example Road",
        "demands": [1],
        "message": SHARED,
        "consent": True,
        "updates": False,
        "lang": "en",
        **changes,
    }
    response = client.post("/api/letters", json=data, headers={"accept": "application/json"})
    assert response.status_code == 202, response.text
    letter_id = str(response.json()["id"])
    [mail] = _mails(session, letter_id)
    confirmed = client.get(
        f"/confirm/{confirm_token_in(mail)}", headers={"accept": "application/json"}
    )
    assert confirmed.status_code == 200, confirmed.text
    return letter_id


def _mails(session: Session, letter_id: str, kind: MessageKind | None = None) -> list[Any]:
    statement = select(OutboxMessage).where(OutboxMessage.letter_id == letter_id)
    if kind is not None:
        statement = statement.where(OutboxMessage.kind == kind)
    return list(session.exec(statement.order_by(col(OutboxMessage.created_at))))


@pytest.fixture
def held(client: TestClient, clock: FakeClock, session: Session) -> Iterator[list[str]]:
    """Three letters with the same paragraph to one MP: the first goes, two are held."""
    client.app.dependency_overrides[get_now] = clock.now  # type: ignore[attr-defined]
    ids = [_submit_and_confirm(client, session, n) for n in range(3)]
    ids.append(_submit_and_confirm(client, session, 3, lang="fr", message=SHARED + " Merci."))
    statuses = [session.get(Letter, i).status for i in ids]  # type: ignore[union-attr]
    assert statuses == ["queued", "held", "held", "held"]
    yield ids[1:]
    client.app.dependency_overrides.pop(get_now, None)  # type: ignore[attr-defined]


@pytest.fixture
def moderator(session: Session, make_person: MakePerson) -> dict[str, str]:
    person = make_person(Role.moderator)
    token = credentials.create_token(session, person.actor(), "queue", NOW)[1]
    return {"authorization": f"Bearer {token}"}


def _audit(session: Session, action: str) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_api_lists_held_letters_without_their_text(
    client: TestClient, held: list[str], moderator: dict[str, str]
) -> None:
    response = client.get(
        "/api/admin/letters?campaign=calais-border&status=held", headers=moderator
    )
    assert response.status_code == 200
    letters = response.json()["letters"]
    assert sorted(item["id"] for item in letters) == sorted(held)
    first = letters[0]
    assert first["status"] == "held" and first["representative_id"] == "uk-1171"
    assert first["hold_reason"] == "similar" and "created_at" in first
    assert "message" not in first and "email" not in first
    unknown = client.get("/api/admin/letters?campaign=nope", headers=moderator)
    assert unknown.status_code == 404
    bad = client.get("/api/admin/letters?status=lost", headers=moderator)
    assert bad.status_code == 422


def test_opening_a_letter_shows_its_text_and_closest_letters_and_is_audited(
    client: TestClient, session: Session, held: list[str], moderator: dict[str, str]
) -> None:
    assert _audit(session, "letter.opened") == []
    response = client.get(f"/api/admin/letters/{held[0]}", headers=moderator)
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == SHARED
    assert len(body["closest"]) == 3 and body["closest"][0]["score"] == 1.0
    [entry] = _audit(session, "letter.opened")
    assert entry.target == f"letter:{held[0]}"
    assert client.get("/api/admin/letters/" + "f" * 32, headers=moderator).status_code == 404


def test_release_queues_the_letter_and_a_second_decision_is_told_what_happened(
    client: TestClient, session: Session, held: list[str], moderator: dict[str, str]
) -> None:
    url = f"/api/admin/letters/{held[0]}/decision"
    first = client.post(url, json={"decision": "release"}, headers=moderator)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "queued"
    assert len(_mails(session, held[0], MessageKind.letter)) == 1
    second = client.post(url, json={"decision": "reject", "reason": "Copy."}, headers=moderator)
    assert second.status_code == 409
    assert second.json()["error"] == "already_decided"
    assert second.json()["status"] == "queued"
    assert second.json()["decided_by"].startswith("person:")
    [entry] = _audit(session, "letter.released")
    assert entry.after == {"status": "queued", "with_reason": False}
    assert _audit(session, "letter.rejected") == []


def test_reject_needs_a_reason_and_sends_it_to_the_supporter(
    client: TestClient, session: Session, held: list[str], moderator: dict[str, str]
) -> None:
    url = f"/api/admin/letters/{held[0]}/decision"
    assert client.post(url, json={"decision": "reject"}, headers=moderator).status_code == 422
    assert client.post(url, json={"decision": "maybe"}, headers=moderator).status_code == 422
    reason = "Your paragraph is word for word the campaign's sample text."
    done = client.post(url, json={"decision": "reject", "reason": reason}, headers=moderator)
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    [notice] = _mails(session, held[0], MessageKind.notice)
    assert notice.to_email == "held1@example.org"
    assert "will not be sent" in notice.subject
    assert reason in notice.text_body and "/letters/" in notice.text_body
    [entry] = _audit(session, "letter.rejected")
    assert reason not in str(entry.after)


def test_a_returned_letter_is_rewritten_by_its_supporter_and_goes(
    client: TestClient,
    session: Session,
    settings: Settings,
    clock: FakeClock,
    held: list[str],
    moderator: dict[str, str],
) -> None:
    french = held[2]
    url = f"/api/admin/letters/{french}/decision"
    reason = "Dites-nous avec vos mots pourquoi cela vous touche."
    done = client.post(url, json={"decision": "return", "reason": reason}, headers=moderator)
    assert done.status_code == 200
    assert done.json() == {
        "id": french,
        "decision": "return",
        "status": "held",
        "hold_reason": "returned",
    }
    [notice] = _mails(session, french, MessageKind.notice)
    assert "merci de vous l'approprier" in notice.subject
    assert reason in notice.text_body
    link = next(word for word in notice.text_body.split() if "/letters/" in word)
    # No longer waiting for a moderator: out of the queue, and a second decision is refused.
    listed = client.get("/api/admin/letters?status=held", headers=moderator).json()["letters"]
    assert {i["id"]: i["hold_reason"] for i in listed}[french] == "returned"
    again = client.post(url, json={"decision": "release"}, headers=moderator)
    assert again.status_code == 409

    status = revise_message(session, settings, token_from(link), personal_paragraph(7), now=NOW)
    assert status.status == "queued"
    assert len(_mails(session, french, MessageKind.letter)) == 1


def test_bulk_decisions_report_letters_decided_meanwhile(
    client: TestClient, session: Session, held: list[str], moderator: dict[str, str]
) -> None:
    client.post(
        f"/api/admin/letters/{held[1]}/decision", json={"decision": "release"}, headers=moderator
    )
    response = client.post(
        "/api/admin/letters/decisions/bulk",
        json={"ids": held, "decision": "reject", "reason": "A copy of another letter."},
        headers=moderator,
    )
    assert response.status_code == 200
    body = response.json()
    assert sorted(d["id"] for d in body["done"]) == sorted([held[0], held[2]])
    assert [(r["id"], r["error"]) for r in body["refused"]] == [(held[1], "already_decided")]
    assert len(_audit(session, "letter.rejected")) == 2


def test_the_console_queue_groups_marks_and_decides(
    console: TestClient,
    clock: FakeClock,
    session: Session,
    make_person: MakePerson,
    held: list[str],
) -> None:
    _signed_in(console, make_person(Role.moderator), clock)
    home = console.get("/console/")
    assert "3 held letters are waiting for a decision." in text_of(home.text)
    assert "The oldest has waited since 2026-12-03 10:00 UTC." in text_of(home.text)

    queue = console.get("/console/moderation")
    assert queue.status_code == 200
    text = text_of(queue.text)
    assert "Liam Byrne (3)" in text and "3 letters that read alike" in text

    page = console.get(f"/console/moderation/{held[0]}")
    assert page.status_code == 200
    assert "<mark>" in page.text and SHARED.split()[0] in page.text
    assert len(_audit(session, "letter.opened")) == 1

    token = csrf_token(page.text)
    form_url = f"/console/moderation/{held[0]}/decision"
    missing = console.post(form_url, data={"csrf_token": token, "decision": "reject"})
    assert missing.status_code == 422
    assert "Give the supporter a reason." in text_of(missing.text)
    done = console.post(
        form_url, data={"csrf_token": token, "decision": "release"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert console.get(done.headers["location"]).status_code == 200
    late = console.post(form_url, data={"csrf_token": token, "decision": "release"})
    assert late.status_code == 409
    assert "Someone else decided first: the letter is now queued for sending." in text_of(late.text)

    nothing = console.post(
        "/console/moderation/decisions", data={"csrf_token": token, "decision": "release"}
    )
    assert nothing.status_code == 422 and "Tick at least one letter." in text_of(nothing.text)
    bulk = console.post(
        "/console/moderation/decisions",
        data={"csrf_token": token, "ids": held, "decision": "reject", "reason": "Copies."},
    )
    assert bulk.status_code == 409
    bulk_text = text_of(bulk.text)
    assert "2 letters decided." in bulk_text and "Someone else decided first" in bulk_text
    assert "No letter is waiting." in bulk_text


def test_the_queue_page_in_french(
    console: TestClient, clock: FakeClock, make_person: MakePerson, held: list[str]
) -> None:
    _signed_in(console, make_person(Role.moderator), clock)
    page = console.get("/console/moderation?lang=fr")
    assert page.status_code == 200
    assert "Lettres retenues" in text_of(page.text)
