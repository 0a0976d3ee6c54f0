"""Admins export and erase a supporter's data from the console and the API; each is in the
audit log under a pseudonym, never the address."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts import credentials
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.clock import FakeClock
from service.letters.models import Letter
from service.letters.routes import get_now
from tests.accounts.conftest import NOW, MakePerson
from tests.web.conftest import csrf_token, text_of
from tests.web.console.test_pages import _signed_in

SUPPORTER = "zoe.quill@example.org"


@pytest.fixture
def letter(client: TestClient, clock: FakeClock) -> Iterator[str]:
    client.app.dependency_overrides[get_now] = clock.now  # type: ignore[attr-defined]
    response = client.post(
        "/api/letters",
        headers={"accept": "application/json"},
        json={
            "campaign": "calais-border",
            "representative_id": "uk-1171",
            "name": "Zoé Quillfeather",
            "email": SUPPORTER,
            "postcode": "B34 7QZ",
            "address": "17 Quillfeather Lane",
            "demands": [1],
            "message": "I volunteer at the harbour drop-in every winter and see the cold "
            "children arrive at night; please act before the summit.",
            "consent": True,
            "updates": False,
            "lang": "en",
        },
    )
    assert response.status_code == 202, response.text
    yield str(response.json()["id"])
    client.app.dependency_overrides.pop(get_now, None)  # type: ignore[attr-defined]


def _audit(session: Session, action: str) -> AuditEntry:
    return session.exec(select(AuditEntry).where(AuditEntry.action == action)).one()


def test_console_export_and_erasure_with_confirmation(
    console: TestClient,
    clock: FakeClock,
    session: Session,
    make_person: MakePerson,
    letter: str,
) -> None:
    admin = make_person(Role.admin)
    _signed_in(console, admin, clock)
    page = console.get("/console/personal-data")
    exported = console.post(
        "/console/personal-data/export",
        data={"csrf_token": csrf_token(page.text), "email": SUPPORTER},
    )
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment")
    assert json.loads(exported.text)["letters"][0]["id"] == letter
    entry = _audit(session, "personal_data.exported")
    assert entry.target and entry.target.startswith("subject:") and SUPPORTER not in entry.target

    asked = console.post(
        "/console/personal-data/erase",
        data={"csrf_token": csrf_token(page.text), "email": SUPPORTER},
    )
    assert "We hold 1 letter written with" in text_of(asked.text)
    unconfirmed = console.post(
        "/console/personal-data/erase/confirmed",
        data={"csrf_token": csrf_token(page.text), "email": SUPPORTER},
    )
    assert unconfirmed.status_code == 422
    assert session.get(Letter, letter).email == SUPPORTER  # type: ignore[union-attr]
    done = console.post(
        "/console/personal-data/erase/confirmed",
        data={"csrf_token": csrf_token(page.text), "email": SUPPORTER, "confirm": "yes"},
    )
    assert done.status_code == 200 and "1 letter scrubbed" in text_of(done.text)
    session.expire_all()
    assert session.get(Letter, letter).email == ""  # type: ignore[union-attr]
    erased = _audit(session, "personal_data.erased")
    assert erased.after and erased.after["letters"] == 1 and erased.target == entry.target
    assert SUPPORTER not in json.dumps(erased.after)


def test_api_twin_needs_confirmation_and_the_permission(
    client: TestClient,
    clock: FakeClock,
    session: Session,
    make_person: MakePerson,
    letter: str,
) -> None:
    admin = make_person(Role.admin)
    organiser = make_person(Role.organiser)
    token = credentials.create_token(session, admin.actor(), "privacy", NOW)[1]
    theirs = credentials.create_token(session, organiser.actor(), "privacy", NOW)[1]
    auth = {"authorization": f"Bearer {token}"}
    refused = client.post(
        "/api/admin/personal-data/erase",
        headers={"authorization": f"Bearer {theirs}"},
        json={"email": SUPPORTER, "confirm": True},
    )
    assert refused.status_code == 403
    exported = client.post(
        "/api/admin/personal-data/export", headers=auth, json={"email": SUPPORTER}
    )
    assert exported.json()["letters"][0]["email"] == SUPPORTER
    unconfirmed = client.post(
        "/api/admin/personal-data/erase", headers=auth, json={"email": SUPPORTER, "confirm": False}
    )
    assert unconfirmed.status_code == 422
    done = client.post(
        "/api/admin/personal-data/erase", headers=auth, json={"email": SUPPORTER, "confirm": True}
    )
    assert done.status_code == 200 and done.json()["letters"] == 1
    assert (
        client.post(
            "/api/admin/personal-data/export", headers=auth, json={"email": SUPPORTER}
        ).json()["letters"]
        == []
    )
