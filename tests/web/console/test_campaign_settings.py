"""Campaign settings: organisers see what a change to the deadline or the pace does to the
queue before saving it; saving re-slots the queued letters and is audited; refusals are
clear; the console page and its API twin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts import credentials
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.campaigns.models import Campaign
from service.clock import FakeClock
from service.letters.models import Letter
from service.letters.routes import get_now
from tests.accounts.conftest import NOW, MakePerson
from tests.web.conftest import csrf_token, text_of
from tests.web.console.test_pages import _signed_in
from tests.web.console.test_representative_care import _queued_letter, _row

URL = "/api/admin/campaigns/calais-border"


@pytest.fixture
def queued(client: TestClient, clock: FakeClock, session: Session) -> Iterator[list[Letter]]:
    client.app.dependency_overrides[get_now] = clock.now  # type: ignore[attr-defined]
    yield [_queued_letter(client, session, n) for n in range(3)]
    client.app.dependency_overrides.pop(get_now, None)  # type: ignore[attr-defined]


@pytest.fixture
def organiser(session: Session, make_person: MakePerson) -> dict[str, str]:
    person = make_person(Role.organiser)
    token = credentials.create_token(session, person.actor(), "settings", NOW)[1]
    return {"authorization": f"Bearer {token}"}


def _campaign(session: Session) -> Campaign:
    found = session.exec(select(Campaign).where(Campaign.slug == "calais-border")).one()
    session.refresh(found)
    return found


def test_the_api_lists_and_shows_campaigns(client: TestClient, organiser: dict[str, str]) -> None:
    listed = client.get("/api/admin/campaigns", headers=organiser).json()["campaigns"]
    assert "calais-border" in [c["slug"] for c in listed]
    one = client.get(URL, headers=organiser).json()
    assert one["timezone"] == "Europe/Paris" and one["letters_per_hour"] >= 1
    assert client.get("/api/admin/campaigns/nope", headers=organiser).status_code == 404


def test_a_preview_changes_nothing_and_saving_re_slots_the_queue(
    client: TestClient, session: Session, queued: list[Letter], organiser: dict[str, str]
) -> None:
    before = _campaign(session).letters_per_hour
    slots = [_row(session, letter).not_before for letter in queued]
    preview = client.patch(URL + "?preview=true", json={"letters_per_hour": 1}, headers=organiser)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["saved"] is False and body["changed"] == ["letters_per_hour"]
    assert body["replanned"] is True
    assert body["plan_now"]["queued"] == 3 and body["plan_after"]["queued"] == 3
    assert _campaign(session).letters_per_hour == before
    assert [_row(session, letter).not_before for letter in queued] == slots
    assert (
        session.exec(
            select(AuditEntry).where(AuditEntry.action == "campaign.settings_changed")
        ).all()
        == []
    )

    saved = client.patch(URL, json={"letters_per_hour": 1}, headers=organiser)
    assert saved.status_code == 200 and saved.json()["saved"] is True
    assert _campaign(session).letters_per_hour == 1
    new_slots = sorted(s for s in (_row(session, letter).not_before for letter in queued) if s)
    # One letter an hour: the slots are at least an hour apart now.
    assert all(
        b - a >= timedelta(minutes=59) for a, b in zip(new_slots, new_slots[1:], strict=False)
    )
    [entry] = session.exec(
        select(AuditEntry).where(AuditEntry.action == "campaign.settings_changed")
    ).all()
    assert entry.target == "campaign:calais-border"
    assert entry.after is not None and entry.after["letters_per_hour"] == "1"
    assert entry.after["replanned"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": "2026-12-01T10:00:00+00:00"}, "deadline"),
        ({"closes_at": "2027-01-30T10:00:00+00:00"}, "closes_at"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"letters_per_hour": 0}, "letters_per_hour"),
        ({"office_hours_start": 18, "office_hours_end": 9}, "office_hours_start"),
        ({"sender_email": "nobody"}, "sender_email"),
        ({"sender_name": "   "}, "sender_name"),
        ({"goal": -1}, "goal"),
        ({"contact_email": "write to us"}, "contact_email"),
    ],
)
def test_refusals_name_the_setting(
    client: TestClient, organiser: dict[str, str], change: dict[str, object], field: str
) -> None:
    response = client.patch(URL, json=change, headers=organiser)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_who_runs_the_campaign_is_set_and_cleared_through_the_api(
    client: TestClient, session: Session, organiser: dict[str, str]
) -> None:
    shown = client.get(URL, headers=organiser).json()
    assert shown["organisation_name"] is None and shown["contact_email"] is None
    change = {
        "organisation_name": " Border  Solidarity Network ",
        "organisation_name_fr": "Réseau Solidarité Frontière",
        "contact_email": "contact@frontiere-calais.fr",
    }
    saved = client.patch(URL, json=change, headers=organiser)
    assert saved.status_code == 200, saved.text
    assert saved.json()["campaign"]["organisation_name"] == "Border Solidarity Network"
    campaign = _campaign(session)
    assert campaign.organisation_name_fr == "Réseau Solidarité Frontière"
    assert campaign.contact_email == "contact@frontiere-calais.fr"
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "campaign.settings_changed")
    ).all()[-1]
    assert "contact@frontiere-calais.fr" not in str(entry.after)  # an address stays out
    cleared = client.patch(URL, json={"contact_email": ""}, headers=organiser)
    assert cleared.status_code == 200 and cleared.json()["campaign"]["contact_email"] is None


def test_the_console_page_previews_then_saves(
    console: TestClient, clock: FakeClock, session: Session, make_person: MakePerson
) -> None:
    _signed_in(console, make_person(Role.organiser), clock)
    assert "calais-border" in console.get("/console/campaigns").text
    page = console.get("/console/campaigns/calais-border")
    assert page.status_code == 200
    assert 'value="2026-12-18T09:00"' in page.text  # the deadline, in the campaign's timezone
    form = {
        "csrf_token": csrf_token(page.text),
        "timezone": "Europe/Paris",
        "deadline": "2026-12-18T12:00",
        "closes_at": "2026-12-14T23:59",
        "letters_per_hour": "12",
        "office_hours_only": "",
        "office_hours_start": "9",
        "office_hours_end": "18",
        "goal": "6000",
        "sender_name": "Calais Border Letters",
        "sender_email": "letters@example.org",
        "organisation_name": "Border Solidarity Network",
        "organisation_name_fr": "",
        "contact_email": "contact@frontiere-calais.fr",
        "action": "preview",
    }
    preview = console.post("/console/campaigns/calais-border", data=form)
    assert preview.status_code == 200
    assert "What these settings would do" in text_of(preview.text)
    assert _campaign(session).goal != 6000
    bad = console.post("/console/campaigns/calais-border", data={**form, "goal": "many"})
    assert bad.status_code == 422 and "Enter a whole number." in text_of(bad.text)
    saved = console.post(
        "/console/campaigns/calais-border", data={**form, "action": "save"}, follow_redirects=False
    )
    assert saved.status_code == 303
    campaign = _campaign(session)
    assert campaign.goal == 6000 and campaign.letters_per_hour == 12
    assert campaign.organisation_name == "Border Solidarity Network"
    assert campaign.organisation_name_fr is None
    assert campaign.contact_email == "contact@frontiere-calais.fr"
    assert campaign.deadline.isoformat() == "2026-12-18T11:00:00+00:00"
    french = console.get(saved.headers["location"] + "&lang=fr")
    assert "Paramètres de calais-border" in text_of(french.text)


def test_test_mode_sends_letters_to_the_organiser_marked_test(
    client: TestClient, clock: FakeClock, session: Session, make_person: MakePerson
) -> None:
    person = make_person(Role.organiser)
    token = credentials.create_token(session, person.actor(), "test-mode", NOW)[1]
    headers = {"authorization": f"Bearer {token}"}
    on = client.patch(URL, json={"test_mode": True}, headers=headers)
    assert on.status_code == 200, on.text
    assert on.json()["campaign"]["test_mode"] is True
    client.app.dependency_overrides[get_now] = clock.now  # type: ignore[attr-defined]
    try:
        letter = _queued_letter(client, session, 9)
    finally:
        client.app.dependency_overrides.pop(get_now, None)  # type: ignore[attr-defined]
    row = _row(session, letter)
    assert row.to_email == person.account.email
    assert row.subject.startswith("[TEST] ")
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "campaign.test_mode"))
    assert entry.after == {"on": True}
    # Correcting the representative's address leaves test letters with the organiser.
    care = client.patch(
        "/api/admin/representatives/uk-1171",
        json={"email": "new.office@parliament.uk"},
        headers=headers,
    )
    assert care.status_code == 200
    assert _row(session, letter).to_email == person.account.email
    off = client.patch(URL, json={"test_mode": False}, headers=headers)
    assert off.json()["campaign"]["test_mode"] is False


def test_test_mode_from_the_console(
    console: TestClient, clock: FakeClock, session: Session, make_person: MakePerson
) -> None:
    person = make_person(Role.organiser)
    _signed_in(console, person, clock)
    page = console.get("/console/campaigns/calais-border")
    assert "Turn test mode on" in text_of(page.text)
    on = console.post(
        "/console/campaigns/calais-border/test-mode",
        data={"csrf_token": csrf_token(page.text), "mode": "on"},
    )
    assert on.status_code == 200
    text = text_of(on.text)
    assert "Test mode is on" in text and person.account.email in text
    assert _campaign(session).test_recipient == person.account.email
