"""The console through its pages, as a browser uses it: signing in with the second factor,
enrolling one, invitations through the outbox, people, tokens, sessions, the audit log, and
French."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts import credentials, totp
from service.accounts.models import Account, AuditEntry
from service.accounts.roles import Role
from service.clock import FakeClock
from service.config import Settings
from service.delivery.models import OutboxMessage
from tests.accounts.conftest import NOW, PASSWORD, MakePerson, Person
from tests.web.conftest import csrf_token, field_error, text_of
from tests.web.console.conftest import SignedInBrowser


def _sign_in(console: TestClient, email: str, password: str = PASSWORD, next_: str = ""):  # type: ignore[no-untyped-def]
    page = console.get("/console/sign-in" + (f"?next={next_}" if next_ else ""))
    assert page.status_code == 200
    return console.post(
        "/console/sign-in",
        data={
            "csrf_token": csrf_token(page.text),
            "email": email,
            "password": password,
            "next": next_,
        },
        follow_redirects=False,
    )


def _post(console: TestClient, page_url: str, action: str, **data: str):  # type: ignore[no-untyped-def]
    page = console.get(page_url)
    return console.post(
        action, data={"csrf_token": csrf_token(page.text), **data}, follow_redirects=False
    )


def _signed_in(console: TestClient, person: Person, clock: FakeClock) -> None:
    response = _sign_in(console, person.account.email)
    assert response.headers["location"] == "/console/second-factor"
    done = _post(
        console, "/console/second-factor", "/console/second-factor", code=person.code(clock.now())
    )
    assert done.headers["location"] == "/console/"


def test_sign_in_with_the_second_factor_reaches_the_page_asked_for(
    console: TestClient, clock: FakeClock, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    assert console.get("/console/people", follow_redirects=False).headers["location"] == (
        "/console/sign-in?next=/console/people"
    )
    response = _sign_in(console, admin.account.email, next_="/console/people")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    assert "Path=/console" in cookie
    # Half signed in: every page leads to the second factor.
    assert console.get("/console/people", follow_redirects=False).headers["location"] == (
        "/console/second-factor"
    )
    wrong = _post(console, "/console/second-factor", "/console/second-factor", code="123456")
    assert wrong.status_code == 401 and field_error(wrong.text, "code")
    _post(console, "/console/second-factor", "/console/second-factor", code=admin.code(clock.now()))
    people = console.get("/console/people")
    assert people.status_code == 200 and admin.account.email in people.text
    assert 'aria-current="page"' in people.text


def test_wrong_password_and_open_redirects(console: TestClient, make_person: MakePerson) -> None:
    staff = make_person(Role.staff)
    refused = _sign_in(console, staff.account.email, "not my password")
    assert refused.status_code == 401
    assert "do not match an active account" in text_of(refused.text)
    outside = _sign_in(console, staff.account.email, next_="//evil.example/")
    assert outside.headers["location"] == "/console/"


def test_an_organiser_must_enrol_before_anything_else(
    console: TestClient, clock: FakeClock, session: Session, make_person: MakePerson
) -> None:
    organiser = make_person(Role.organiser, enrol=False)
    _sign_in(console, organiser.account.email)
    assert console.get("/console/", follow_redirects=False).headers["location"] == (
        "/console/second-factor"
    )
    assert (
        console.get("/console/second-factor", follow_redirects=False).headers["location"]
        == "/console/account/second-factor"
    )
    page = console.get("/console/account/second-factor")
    assert page.status_code == 200
    uri = re.search(r"otpauth://totp/[^<\s]+", page.text)
    assert uri is not None
    secret = re.search(r"secret=([A-Z2-7]+)", uri.group(0))
    assert secret is not None
    shown = re.search(r'<p class="console-secret"><code>([A-Z2-7 ]+)</code>', page.text)
    assert shown is not None and shown.group(1).replace(" ", "") == secret.group(1)
    code = totp.code_at_step(totp._key(secret.group(1)), totp.time_step(clock.now()))
    done = console.post(
        "/console/account/second-factor", data={"csrf_token": csrf_token(page.text), "code": code}
    )
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.text)
    assert len(codes) == 10
    assert console.get("/console/").status_code == 200
    session.refresh(organiser.account)
    assert organiser.account.totp_secret == secret.group(1)


def test_invitation_goes_through_the_outbox_and_is_accepted(
    console: TestClient,
    clock: FakeClock,
    session: Session,
    settings: Settings,
    make_person: MakePerson,
) -> None:
    admin = make_person(Role.admin)
    _signed_in(console, admin, clock)
    sent = _post(
        console,
        "/console/people",
        "/console/people/invite",
        email="Org@Example.org",
        role="organiser",
    )
    assert sent.headers["location"] == "/console/people?done=invited"
    mail = session.exec(
        select(OutboxMessage).where(OutboxMessage.to_email == "org@example.org")
    ).one()
    link = re.search(r"https?://\S+/console/invitation/(\S+)", mail.text_body)
    assert link is not None
    console.cookies.clear()
    accept_url = f"/console/invitation/{link.group(1)}"
    mismatch = _post(
        console,
        accept_url,
        accept_url,
        password="river lantern 88 brume",
        confirm="something else entirely",
    )
    assert mismatch.status_code == 422 and field_error(mismatch.text, "confirm")
    weak = _post(console, accept_url, accept_url, password="Password2026!", confirm="Password2026!")
    assert weak.status_code == 422 and "too easy to guess" in text_of(weak.text)
    ok = _post(
        console,
        accept_url,
        accept_url,
        password="river lantern 88 brume",
        confirm="river lantern 88 brume",
    )
    assert ok.headers["location"] == "/console/sign-in?done=password"
    again = console.get(accept_url)
    assert again.status_code == 410
    assert (
        _sign_in(console, "org@example.org", "river lantern 88 brume").headers["location"]
        == "/console/second-factor"
    )


def test_people_admin_changes_role_disables_and_unlocks(
    console: TestClient, clock: FakeClock, session: Session, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    staff = make_person(Role.staff)
    _signed_in(console, admin, clock)
    people_url = "/console/people"
    _post(console, people_url, f"/console/people/{staff.account.id}/role", role="moderator")
    _post(console, people_url, f"/console/people/{staff.account.id}/disable")
    session.refresh(staff.account)
    assert staff.account.role == Role.moderator and staff.account.disabled_at is not None
    _post(console, people_url, f"/console/people/{staff.account.id}/enable")
    staff.account.locked_at = clock.now()
    session.add(staff.account)
    session.commit()
    assert "Lift the lockout" in console.get(people_url).text
    _post(console, people_url, f"/console/people/{staff.account.id}/unlock")
    session.refresh(staff.account)
    assert staff.account.disabled_at is None and staff.account.locked_at is None
    bad = _post(console, people_url, f"/console/people/{staff.account.id}/role", role="king")
    assert bad.status_code == 422
    own = _post(console, people_url, f"/console/people/{admin.account.id}/disable")
    assert own.status_code == 409


def test_tokens_and_sessions_pages(
    console: TestClient, clock: FakeClock, make_person: MakePerson
) -> None:
    staff = make_person(Role.staff)
    assert _sign_in(console, staff.account.email).headers["location"] == "/console/"
    created = _post(
        console, "/console/account/tokens", "/console/account/tokens", name="export script"
    )
    token = re.search(r"<code>(rmt_[A-Za-z0-9_-]+)</code>", created.text)
    assert token is not None
    me = console.get(
        "/api/admin/me",
        headers={"authorization": f"Bearer {token.group(1)}", "accept": "application/json"},
    )
    assert me.status_code == 200 and me.json()["person"]["email"] == staff.account.email
    listing = console.get("/console/account/tokens").text
    assert "export script" in listing and token.group(1) not in listing
    token_id = re.search(r"/console/account/tokens/([0-9a-f]{32})/revoke", listing)
    assert token_id is not None
    _post(console, "/console/account/tokens", f"/console/account/tokens/{token_id.group(1)}/revoke")
    assert (
        console.get(
            "/api/admin/me",
            headers={"authorization": f"Bearer {token.group(1)}", "accept": "application/json"},
        ).status_code
        == 401
    )
    assert "this browser" in console.get("/console/account/sessions").text
    out = _post(
        console, "/console/account/sessions", "/console/account/sessions/sign-out-everywhere"
    )
    assert out.headers["location"] == "/console/sign-in?done=signed-out"
    assert console.get("/console/account", follow_redirects=False).status_code == 303


def test_password_change_keeps_this_session_only(
    console: TestClient,
    clock: FakeClock,
    session: Session,
    make_person: MakePerson,
    settings: Settings,
) -> None:
    staff = make_person(Role.staff)
    other = TestClient(console.app, base_url="https://testserver", headers={"accept": "text/html"})
    _sign_in(other, staff.account.email)
    _sign_in(console, staff.account.email)
    changed = _post(
        console,
        "/console/account",
        "/console/account/password",
        current_password=PASSWORD,
        new_password="tidal orchard 51 beacon",
        confirm="tidal orchard 51 beacon",
    )
    assert changed.headers["location"] == "/console/account?done=password"
    assert console.get("/console/account").status_code == 200
    assert other.get("/console/account", follow_redirects=False).status_code == 303
    wrong = _post(
        console,
        "/console/account",
        "/console/account/password",
        current_password="nope",
        new_password="x",
        confirm="x",
    )
    assert wrong.status_code == 422 and field_error(wrong.text, "current_password")


def test_audit_log_filters_and_csv(
    console: TestClient, clock: FakeClock, session: Session, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    staff = make_person(Role.staff)
    _sign_in(console, staff.account.email, "wrong password!")
    _signed_in(console, admin, clock)
    page = console.get("/console/audit", params={"action": "sign_in.failed"})
    assert page.status_code == 200
    rows = text_of(page.text)
    assert "sign_in.failed" in rows and "sign_in.succeeded" not in rows
    mine = console.get("/console/audit", params={"person": admin.account.email})
    assert "sign_in.succeeded" in text_of(mine.text)
    bad = console.get("/console/audit", params={"since": "yesterday"})
    assert bad.status_code == 422 and field_error(bad.text, "since")
    day = clock.now().date().isoformat()
    csv_text = console.get("/console/audit.csv", params={"since": day, "until": day}).text
    assert csv_text.startswith("at,actor,") and "sign_in.failed" in csv_text
    assert PASSWORD not in csv_text
    assert session.exec(select(AuditEntry)).first() is not None


def test_console_speaks_french(
    console: TestClient, clock: FakeClock, make_person: MakePerson
) -> None:
    page = console.get("/console/sign-in?lang=fr")
    assert '<html lang="fr">' in page.text
    text = text_of(page.text)
    assert "Se connecter à la console" in text and "Mot de passe oublié\u00a0?" in page.text
    assert 'href="/console/sign-in?lang=en"' in page.text
    refused = _sign_in(console, "nobody@example.org", "whatever it is")
    assert "ne correspondent à aucun compte actif" in text_of(refused.text)


def test_unknown_console_pages_get_the_console_error_page(console: TestClient) -> None:
    page = console.get("/console/no-such-page")
    assert page.status_code == 404 and "console" in page.text and "<html" in page.text


def test_reset_request_answers_the_same_for_anyone(
    console: TestClient, session: Session, make_person: MakePerson
) -> None:
    staff = make_person(Role.staff)
    known = _post(console, "/console/reset", "/console/reset", email=staff.account.email)
    unknown = _post(console, "/console/reset", "/console/reset", email="nobody@example.org")
    assert text_of(known.text) == text_of(unknown.text)
    assert session.exec(
        select(OutboxMessage).where(OutboxMessage.to_email == staff.account.email)
    ).one()
    assert (
        session.exec(select(Account).where(Account.email == "nobody@example.org")).first() is None
    )


def test_the_home_page_says_how_current_the_representatives_data_is(
    client: TestClient, signed_in_as: SignedInBrowser
) -> None:
    signed_in_as(Role.staff)
    page = client.get("/console/")
    assert page.status_code == 200
    assert "Representatives data" in page.text
    assert "uk-commons" in page.text and "fr-an" in page.text
    french = client.get("/console/?lang=fr")
    assert "Données des élus" in french.text


def test_the_freshness_api_gives_the_same_figures_as_data_status(
    client: TestClient, session: Session, settings: Settings, make_person: MakePerson
) -> None:
    person = make_person(Role.staff)
    token = credentials.create_token(session, person.actor(), "freshness", NOW)[1]
    answer = client.get("/api/admin/data-freshness", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["stale_after_days"] == settings.representatives.stale_after_days
    chambers = {chamber["chamber_id"]: chamber for chamber in body["chambers"]}
    assert set(chambers) == {"uk-commons", "fr-an"}
    assert chambers["uk-commons"]["seats"] == 650 and chambers["fr-an"]["seats"] == 577
    for chamber in chambers.values():
        assert (
            chamber["written_to"] + chamber["no_address"] + chamber["vacant"] + chamber["paused"]
            <= chamber["seats"]
        )
