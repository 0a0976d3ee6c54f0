"""The admin JSON API's accounts routes: the same use cases as the console pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts import credentials, totp
from service.accounts.roles import Role
from service.clock import FakeClock
from service.delivery.models import OutboxMessage
from tests.accounts.conftest import NOW, PASSWORD, MakePerson, Person


def _bearer(session: Session, person: Person) -> dict[str, str]:
    _token, raw = credentials.create_token(session, person.actor(), "tests", NOW)
    return {"authorization": f"Bearer {raw}"}


def test_people_twin(client: TestClient, session: Session, make_person: MakePerson) -> None:
    client.app.state.clock = FakeClock(NOW)  # type: ignore[attr-defined]
    admin = make_person(Role.admin)
    staff = make_person(Role.staff)
    auth = _bearer(session, admin)
    invited = client.post(
        "/api/admin/people",
        headers=auth,
        json={"email": "mod@example.org", "role": "moderator", "lang": "fr"},
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["invited"] is True and invited.json()["role"] == "moderator"
    mail = session.exec(
        select(OutboxMessage).where(OutboxMessage.to_email == "mod@example.org")
    ).one()
    assert "Vous êtes invité" in mail.subject
    again = client.post(
        "/api/admin/people", headers=auth, json={"email": "MOD@example.org", "role": "staff"}
    )
    assert again.status_code == 409
    listed = client.get("/api/admin/people", headers=auth).json()["people"]
    assert {p["email"] for p in listed} >= {
        admin.account.email,
        staff.account.email,
        "mod@example.org",
    }
    changed = client.patch(
        f"/api/admin/people/{staff.account.id}",
        headers=auth,
        json={"role": "organiser", "disabled": True},
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "organiser" and changed.json()["disabled"] is True
    unlocked = client.post(f"/api/admin/people/{staff.account.id}/unlock", headers=auth)
    assert unlocked.status_code == 200 and unlocked.json()["locked"] is False
    assert client.patch(f"/api/admin/people/{'f' * 32}", headers=auth, json={}).status_code == 404
    audit = client.get("/api/admin/audit", headers=auth, params={"action": "account.invited"})
    assert audit.status_code == 200
    entries = audit.json()["entries"]
    assert [e["target"] for e in entries] == ["mod@example.org"]
    assert entries[0]["actor"] == admin.account.email
    csv_text = client.get("/api/admin/audit.csv", headers=auth).text
    assert "account.role_changed" in csv_text


def test_own_account_twin(client: TestClient, session: Session, make_person: MakePerson) -> None:
    clock = FakeClock(NOW)
    client.app.state.clock = clock  # type: ignore[attr-defined]
    staff = make_person(Role.staff)
    auth = _bearer(session, staff)
    me = client.get("/api/admin/me", headers=auth).json()
    assert me["person"]["second_factor"] is False
    assert "manage_people" not in me["permissions"] and "own_account" in me["permissions"]
    enrolment = client.post("/api/admin/me/second-factor", headers=auth).json()
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/")
    code = totp.code_at_step(totp._key(enrolment["secret"]), totp.time_step(clock.now()))
    codes = client.post("/api/admin/me/second-factor/confirm", headers=auth, json={"code": code})
    assert codes.status_code == 200 and len(codes.json()["recovery_codes"]) == 10
    state = client.get("/api/admin/me/second-factor", headers=auth).json()
    assert state == {"enrolled": True, "recovery_codes_left": 10}
    new = client.post("/api/admin/me/tokens", headers=auth, json={"name": "second"})
    assert new.status_code == 201 and new.json()["token"].startswith("rmt_")
    names = [t["name"] for t in client.get("/api/admin/me/tokens", headers=auth).json()["tokens"]]
    assert names == ["tests", "second"]
    assert (
        client.delete(f"/api/admin/me/tokens/{new.json()['id']}", headers=auth).status_code == 204
    )
    weak = client.post(
        "/api/admin/me/password",
        headers=auth,
        json={"current_password": PASSWORD, "new_password": "azertyuiop12"},
    )
    assert weak.status_code == 422 and weak.json()["field"] == "password"
    ok = client.post(
        "/api/admin/me/password",
        headers=auth,
        json={"current_password": PASSWORD, "new_password": "quiet harbour 64 moss"},
    )
    assert ok.status_code == 204
    assert client.get("/api/admin/me/sessions", headers=auth).json() == {"sessions": []}
    assert client.post("/api/admin/me/sign-out-everywhere", headers=auth).json() == {"ended": 0}
