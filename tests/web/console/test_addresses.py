"""The failing-address worklist: organisers correct an address (held letters go to the new
one) or resume after a spam report, from the console and the admin API; staff only read."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts import credentials
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.clock import FakeClock
from service.delivery import service as delivery
from service.delivery.models import OutboxMessage
from service.delivery.recipients import hold_recipient
from service.delivery.schemas import Address
from service.representatives.models import Representative
from service.tracking.models import AddressHealth
from tests.accounts.conftest import NOW, MakePerson
from tests.delivery.support import make_email
from tests.fakes.suppressions import FakeSuppressions
from tests.web.conftest import csrf_token, text_of
from tests.web.console.test_pages import _signed_in

REP = "uk-1171"
OLD = "old.office@parliament.example"
NEW = "new.office@parliament.example"


def _failing(session: Session, state: str = "failing") -> str:
    """A failing address of REP with one letter held for it; returns the held row's id."""
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    rep = session.get(Representative, REP)
    assert rep is not None
    rep.email = OLD  # the address the provider reports failing is the one on record
    session.add(rep)
    session.add(
        AddressHealth(
            address=OLD,
            recipient_key=REP,
            state=state,
            blocks=1,
            spam_reports=1 if state == "paused" else 0,
            last_reason="550 5.7.1 blocked by policy",
            last_event_at=now,
            updated_at=now,
        )
    )
    outbox_id = delivery.enqueue(
        session, make_email(1, letter_id=None, to=Address(OLD, "Office")), now=now
    )
    row = session.get(OutboxMessage, outbox_id)
    assert row is not None
    row.pace_key = REP
    session.flush()
    hold_recipient(
        session,
        REP,
        "address failing" if state == "failing" else "spam report",
        actor="tracking",
        now=now,
    )
    session.commit()
    return outbox_id


def test_the_api_lists_and_an_organiser_corrects(
    client: TestClient, session: Session, make_person: MakePerson
) -> None:
    held = _failing(session)
    staff = credentials.create_token(session, make_person(Role.staff).actor(), "t", NOW)[1]
    organiser = credentials.create_token(session, make_person(Role.organiser).actor(), "t", NOW)[1]
    listed = client.get(
        "/api/admin/tracking/addresses", headers={"authorization": f"Bearer {staff}"}
    )
    assert listed.status_code == 200
    [line] = listed.json()
    assert (line["address"], line["held_letters"], line["last_reason"]) == (
        OLD,
        1,
        "550 5.7.1 blocked by policy",
    )
    body = {"address": OLD, "new_address": "new.office@parliament.example"}
    refused = client.post(
        "/api/admin/tracking/addresses/correct",
        headers={"authorization": f"Bearer {staff}"},
        json=body,
    )
    assert refused.status_code == 403
    done = client.post(
        "/api/admin/tracking/addresses/correct",
        headers={"authorization": f"Bearer {organiser}"},
        json=body,
    )
    assert done.status_code == 200 and done.json()["released"] == 1
    row = session.get(OutboxMessage, held)
    assert row is not None and (row.state, row.to_email) == ("queued", body["new_address"])
    rep = session.get(Representative, REP)
    assert rep is not None and rep.email == body["new_address"]
    assert session.exec(
        select(AuditEntry).where(AuditEntry.action == "representative.contact_corrected")
    ).first()
    again = client.post(
        "/api/admin/tracking/addresses/correct",
        headers={"authorization": f"Bearer {organiser}"},
        json=body,
    )
    assert again.status_code == 409  # no longer failing


def test_the_console_page_resumes_a_paused_office(
    console: TestClient, clock: FakeClock, session: Session, make_person: MakePerson
) -> None:
    held = _failing(session, state="paused")
    _signed_in(console, make_person(Role.organiser), clock)
    page = console.get("/console/addresses")
    assert page.status_code == 200
    assert OLD in page.text and "Paused after a spam report" in page.text
    resumed = console.post(
        "/console/addresses/resume",
        data={"csrf_token": csrf_token(page.text), "address": OLD},
        follow_redirects=False,
    )
    assert resumed.status_code == 303
    row = session.get(OutboxMessage, held)
    assert row is not None and row.state == "queued"
    french = console.get("/console/addresses?lang=fr")
    assert "Aucune adresse n'est en échec." in french.text


def test_the_worklist_correction_leads_to_releasing_the_old_address(
    client: TestClient,
    console: TestClient,
    clock: FakeClock,
    session: Session,
    make_person: MakePerson,
) -> None:
    held = _failing(session)
    _signed_in(console, make_person(Role.organiser), clock)
    page = console.get("/console/addresses")
    original = client.app.state.settings  # type: ignore[attr-defined]
    with FakeSuppressions() as fake:
        fake.suppress(OLD, ["blocks", "bounces"])
        client.app.state.settings = original.model_copy(  # type: ignore[attr-defined]
            update={"sendgrid_api_key": "SG.test-key", "sendgrid_host": fake.url}
        )
        try:
            bad = console.post(
                "/console/addresses/correct",
                data={"csrf_token": csrf_token(page.text), "address": OLD, "new_address": "x"},
            )
            assert bad.status_code == 422 and OLD in bad.text  # the worklist, with the reason
            done = console.post(
                "/console/addresses/correct",
                data={"csrf_token": csrf_token(page.text), "address": OLD, "new_address": NEW},
            )
            assert (
                done.status_code == 200 and str(done.url.path) == f"/console/representatives/{REP}"
            )
            text = text_of(done.text)
            assert "SendGrid still lists" in text and "bounces, blocks" in text
            row = session.get(OutboxMessage, held)
            assert row is not None and (row.state, row.to_email) == ("queued", NEW)
            released = console.post(
                f"/console/representatives/{REP}/release",
                data={
                    "csrf_token": csrf_token(done.text),
                    "address": OLD,
                    "lists": "bounces,blocks",
                },
            )
            assert released.status_code == 200
            assert "off SendGrid's suppression lists" in text_of(released.text)
            assert fake.entries["blocks"] == {} and fake.entries["bounces"] == {}
        finally:
            client.app.state.settings = original  # type: ignore[attr-defined]
    [entry] = session.exec(
        select(AuditEntry).where(AuditEntry.action == "representative.address_released")
    )
    assert entry.target == f"representative:{REP}"
    assert entry.after == {"lists": ["bounces", "blocks"]}
