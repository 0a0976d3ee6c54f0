"""Organisers' care of representatives: the filtered list, pause with a reason (queued letters
wait) and resume (they get fresh slots), and a corrected address that unsent letters follow
while sent ones keep their history; each audited, from the console and the admin API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.clock import FakeClock
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.letters.models import Letter
from tests.accounts.conftest import NOW, MakePerson
from tests.letters.conftest import confirm_token_in, personal_paragraph
from tests.web.conftest import csrf_token, text_of
from tests.web.console.test_pages import _signed_in

REP = "uk-1171"  # Liam Byrne
OFFICIAL = "liam.byrne.mp@parliament.uk"
NEW = "hodge.hill.office@parliament.uk"


def _queued_letter(client: TestClient, session: Session, n: int) -> Letter:
    response = client.post(
        "/api/letters",
        headers={"accept": "application/json"},
        json={
            "campaign": "calais-border",
            "representative_id": REP,
            "name": f"Careful Writer {n}",
            "email": f"careful{n}@example.org",
            "postcode": "B34 7AA",
            "address": f"{n} Care Street",
            "demands": [1],
            "message": personal_paragraph(100 + n),
            "consent": True,
            "updates": False,
            "lang": "en",
        },
    )
    assert response.status_code == 202, response.text
    letter = session.get(Letter, response.json()["id"])
    assert letter is not None
    [mail] = session.exec(select(OutboxMessage).where(OutboxMessage.letter_id == letter.id))
    client.get(f"/confirm/{confirm_token_in(mail)}", headers={"accept": "application/json"})
    session.refresh(letter)
    assert letter.status == "queued"
    return letter


def _row(session: Session, letter: Letter) -> OutboxMessage:
    [row] = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.letter_id == letter.id, OutboxMessage.kind == MessageKind.letter
        )
    )
    session.refresh(row)
    return row


def _audit(session: Session, action: str) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def test_pause_holds_queued_letters_and_resume_gives_them_fresh_slots(
    client: TestClient,
    session: Session,
    clock: FakeClock,
    letters: list[Letter],
    organiser: dict[str, str],
) -> None:
    url = f"/api/admin/representatives/{REP}"
    missing = client.patch(url, json={"paused": True}, headers=organiser)
    assert missing.status_code == 422
    paused = client.patch(
        url, json={"paused": True, "reason": "Minister: cannot take letters"}, headers=organiser
    )
    assert paused.status_code == 200, paused.text
    body = paused.json()
    assert body["status"] == "paused" and body["pause_reason"] == "Minister: cannot take letters"
    assert body["letters"] == {"queued": 2}
    assert [_row(session, letter).state for letter in letters] == ["held", "held"]
    again = client.patch(url, json={"paused": True, "reason": "again"}, headers=organiser)
    assert again.status_code == 409
    [entry] = _audit(session, "representative.paused")
    assert entry.target == f"representative:{REP}"
    assert entry.after == {"status": "paused", "letters": 2}
    # A paused representative cannot be written to.
    assert (
        client.get("/api/admin/representatives?status=paused", headers=organiser).json()[
            "representatives"
        ][0]["id"]
        == REP
    )

    clock.advance(hours=30)
    resumed = client.patch(url, json={"paused": False}, headers=organiser)
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    rows = [_row(session, letter) for letter in letters]
    assert [row.state for row in rows] == ["queued", "queued"]
    assert all(row.not_before and row.not_before >= clock.now() for row in rows)
    assert rows[0].not_before != rows[1].not_before  # paced, not a burst
    assert client.patch(url, json={"paused": False}, headers=organiser).status_code == 409


def test_a_corrected_address_reaches_unsent_letters_only(
    client: TestClient, session: Session, letters: list[Letter], organiser: dict[str, str]
) -> None:
    sent_row = _row(session, letters[0])
    assert sent_row.to_email == OFFICIAL
    sent_row.state = OutboxState.sending  # a worker took this one before the correction
    session.add(sent_row)
    session.flush()
    url = f"/api/admin/representatives/{REP}"
    assert client.patch(url, json={"email": "not an address"}, headers=organiser).status_code == 422
    assert (
        client.patch(url, json={"email": NEW, "paused": True}, headers=organiser).status_code == 422
    )
    done = client.patch(
        url, json={"email": NEW, "source": "The office, by phone"}, headers=organiser
    )
    assert done.status_code == 200, done.text
    assert done.json()["email"] == NEW
    assert done.json()["email_source"] == "The office, by phone"
    assert done.json()["email_date"] == NOW.date().isoformat()
    assert _row(session, letters[0]).to_email == OFFICIAL
    assert _row(session, letters[1]).to_email == NEW
    assert _row(session, letters[1]).to_domain == "parliament.uk"
    [entry] = _audit(session, "representative.contact_corrected")
    assert entry.after == {
        "changed": True,
        "letters_redirected": 1,
        "letters_on_their_way": 1,
        "letters_released": 0,
    }
    assert NEW not in str(entry.after) and OFFICIAL not in str(entry.before)
    assert (
        client.patch(
            "/api/admin/representatives/uk-0", json={"email": NEW}, headers=organiser
        ).status_code
        == 404
    )


def test_the_list_filters(client: TestClient, organiser: dict[str, str]) -> None:
    def ids(query: str) -> set[str]:
        response = client.get(f"/api/admin/representatives?{query}", headers=organiser)
        assert response.status_code == 200, response.text
        return {r["id"] for r in response.json()["representatives"]}

    assert REP in ids("name=byrne")
    assert all(i.startswith("fr-") for i in ids("chamber=fr-an&limit=50"))
    labour = client.get(
        "/api/admin/representatives?party=Labour&limit=20", headers=organiser
    ).json()["representatives"]
    assert labour and {r["party"] for r in labour} == {"Labour"}
    assert ids("status=paused") == set()
    assert (
        client.get("/api/admin/representatives?status=gone", headers=organiser).status_code == 422
    )
    assert client.get("/api/admin/representatives/uk-0", headers=organiser).status_code == 404


def test_the_console_pages_pause_and_correct(
    console: TestClient,
    clock: FakeClock,
    session: Session,
    make_person: MakePerson,
    letters: list[Letter],
) -> None:
    _signed_in(console, make_person(Role.organiser), clock)
    listing = console.get("/console/representatives?name=byrne")
    assert listing.status_code == 200 and "Liam Byrne" in text_of(listing.text)
    page = console.get(f"/console/representatives/{REP}")
    text = text_of(page.text)
    assert OFFICIAL in text and "Queued 2" in text
    token = csrf_token(page.text)

    empty = console.post(f"/console/representatives/{REP}/pause", data={"csrf_token": token})
    assert empty.status_code == 422
    assert "Say why letters to this representative are paused." in text_of(empty.text)
    paused = console.post(
        f"/console/representatives/{REP}/pause",
        data={"csrf_token": token, "reason": "Office asked for a week off"},
    )
    assert paused.status_code == 200
    assert "Letters to this representative are paused" in text_of(paused.text)
    assert "Office asked for a week off" in text_of(paused.text)

    bad = console.post(
        f"/console/representatives/{REP}/email", data={"csrf_token": token, "email": "x@y"}
    )
    assert bad.status_code == 422 and "Enter one valid email address." in text_of(bad.text)
    fixed = console.post(
        f"/console/representatives/{REP}/email",
        data={"csrf_token": token, "email": NEW, "source": "Office website"},
    )
    assert fixed.status_code == 200 and NEW in text_of(fixed.text)
    assert "Office website" in text_of(fixed.text)
    assert {_row(session, letter).to_email for letter in letters} == {NEW}

    french = console.get(f"/console/representatives/{REP}?lang=fr")
    assert "Corriger l’adresse électronique" in text_of(french.text)
