"""Re-importing the bundled official data: the differences first (seats changed, vacated),
nothing written until an organiser applies exactly those; a member who left keeps their
letters' history and their queued letters are held for the organisers. From the console and
the admin API; refusals for another role, an unknown chamber, a stale diff, nothing to do."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts import credentials
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.clock import FakeClock
from service.delivery.models import OutboxMessage
from service.letters.models import Letter
from service.letters.routes import get_now
from service.letters.states import HoldReason
from service.representatives.import_diff import compare
from service.representatives.models import Representative, RepresentativeStatus
from tests.accounts.conftest import NOW, MakePerson
from tests.web.conftest import csrf_token, text_of
from tests.web.console.test_pages import _signed_in
from tests.web.console.test_representative_care import REP, _queued_letter, _row

GONE = "uk-999999"  # a member the official data no longer has on this seat
URL = "/api/admin/imports/uk-commons"


def _departing_member_with_a_letter(client: TestClient, session: Session, clock: FakeClock) -> str:
    """REP's party differs from the official data, and a second member sits on REP's seat
    with one queued letter: the official data replaces them. Returns the letter's id."""
    rep = session.get(Representative, REP)
    assert rep is not None
    official_party = rep.party
    rep.party = "Old Party"
    session.add(rep)
    session.add(
        Representative(
            id=GONE,
            chamber_id=rep.chamber_id,
            constituency_id=rep.constituency_id,
            name="Former Member",
            party=official_party,
            email="former.member@parliament.example",
            source=rep.source,
            retrieved_on=rep.retrieved_on,
            search_key="former member",
            updated_at=datetime(2026, 11, 1, tzinfo=UTC),
        )
    )
    session.flush()
    client.app.dependency_overrides[get_now] = clock.now  # type: ignore[attr-defined]
    letter = _queued_letter(client, session, 7)
    client.app.dependency_overrides.pop(get_now, None)  # type: ignore[attr-defined]
    row = _row(session, letter)
    letter.representative_id = row.pace_key = GONE  # written to the member who now leaves
    session.add_all([letter, row])
    session.commit()
    return letter.id


def test_the_api_shows_the_diff_and_applies_exactly_it(
    client: TestClient,
    session: Session,
    clock: FakeClock,
    make_person: MakePerson,
    organiser: dict[str, str],
) -> None:
    current = client.get(URL, headers=organiser)
    assert current.status_code == 200, current.text
    body = current.json()
    assert (body["added"], body["changed"], body["vacated"]) == ([], [], [])
    staff = credentials.create_token(session, make_person(Role.staff).actor(), "t", NOW)[1]
    assert client.get(URL, headers={"authorization": f"Bearer {staff}"}).status_code == 403
    assert client.get("/api/admin/imports/senate", headers=organiser).status_code == 422
    nothing = client.post(URL, json={"digest": body["digest"]}, headers=organiser)
    assert nothing.status_code == 409

    letter_id = _departing_member_with_a_letter(client, session, clock)
    diff = client.get(URL, headers=organiser).json()
    [changed] = diff["changed"]
    assert changed["representative_id"] == REP
    assert changed["fields"]["party"]["before"] == "Old Party"
    assert [seat["representative_id"] for seat in diff["vacated"]] == [GONE]
    session.expire_all()
    still = session.get(Representative, GONE)
    assert still is not None and still.status == RepresentativeStatus.active  # nothing written

    stale = client.post(URL, json={"digest": "0" * 32}, headers=organiser)
    assert stale.status_code == 409 and "look at them again" in stale.json()["message"]
    applied = client.post(URL, json={"digest": diff["digest"]}, headers=organiser)
    assert applied.status_code == 200, applied.text
    assert applied.json()["letters_held"] == 1
    session.expire_all()
    gone = session.get(Representative, GONE)
    assert gone is not None and gone.status == RepresentativeStatus.vacant
    letter = session.get(Letter, letter_id)
    assert letter is not None and letter.status == "held"
    assert letter.hold_reason == HoldReason.representative_unavailable
    [row] = session.exec(select(OutboxMessage).where(OutboxMessage.id == letter.outbox_id))
    assert row.state == "cancelled"  # its history stays; it will not go
    [entry] = session.exec(
        select(AuditEntry).where(AuditEntry.action == "representatives.reimported")
    )
    assert entry.target == "chamber:uk-commons"
    assert entry.after is not None and entry.after["vacated"] == 1
    again = client.post(URL, json={"digest": diff["digest"]}, headers=organiser)
    assert again.status_code == 409


def test_the_console_page_shows_the_diff_and_applies_it(
    client: TestClient,
    console: TestClient,
    clock: FakeClock,
    session: Session,
    make_person: MakePerson,
) -> None:
    letter_id = _departing_member_with_a_letter(client, session, clock)
    _signed_in(console, make_person(Role.organiser), clock)
    start = console.get("/console/reimport")
    assert start.status_code == 200 and "Show the differences" in start.text
    unknown = console.get("/console/reimport?chamber=senate")
    assert unknown.status_code == 422 and "Choose a chamber" in text_of(unknown.text)
    page = console.get("/console/reimport?chamber=uk-commons")
    text = text_of(page.text)
    assert page.status_code == 200
    assert "Seats changed (1)" in text and "Old Party → " in text
    assert "Seats vacated (1)" in text and "Former Member" in text
    token = csrf_token(page.text)
    digest = page.text.split('name="digest" value="')[1].split('"')[0]
    forged = console.post("/console/reimport", data={"chamber": "uk-commons", "digest": digest})
    assert forged.status_code == 403  # no CSRF token
    stale = console.post(
        "/console/reimport", data={"csrf_token": token, "chamber": "uk-commons", "digest": "x"}
    )
    assert stale.status_code == 409 and "look at them again" in text_of(stale.text)
    done = console.post(
        "/console/reimport", data={"csrf_token": token, "chamber": "uk-commons", "digest": digest}
    )
    assert done.status_code == 200, text_of(done.text)
    assert "1 letters waiting for members who left are held" in text_of(done.text)
    session.expire_all()
    letter = session.get(Letter, letter_id)
    assert letter is not None and letter.status == "held"
    french = console.get("/console/reimport?chamber=uk-commons&lang=fr")
    assert french.status_code == 200 and "Données officielles" in text_of(french.text)


def test_compare_names_every_kind_of_change() -> None:
    before = {
        "a": {"name": "A", "party": "X", "email": "a@x", "civility": None,
              "constituency_id": "S1", "status": "active"},
        "b": {"name": "B", "party": "Y", "email": None, "civility": None,
              "constituency_id": "S2", "status": "active"},
    }  # fmt: skip
    after = {
        "a": {**before["a"], "party": "Z", "email": "a2@x"},
        "b": {**before["b"], "status": "vacant"},
        "c": {"name": "C", "party": "Y", "email": None, "civility": "Mme",
              "constituency_id": "S2", "status": "active"},
    }  # fmt: skip
    diff = compare("fr-an", before, after)
    assert [c.representative_id for c in diff.added] == ["c"]
    assert [c.representative_id for c in diff.vacated] == ["b"]
    [changed] = diff.changed
    assert changed.fields == {"party": ("X", "Z"), "email": ("a@x", "a2@x")}
    assert diff.email_changes == [("a", "a@x", "a2@x")]
    assert diff.digest != compare("fr-an", before, before).digest
    assert compare("fr-an", before, before).empty
