"""The console in a real browser: the first admin (made with the command line) signs in and
sets up the second factor, invites an organiser who accepts and sets up theirs, and a staff
member cannot reach the people or personal data pages. Every console page is checked with
axe-core (no serious or critical violation) and photographed under test-artifacts/browser/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from service.accounts import totp
from tests.browser.conftest import Server
from tests.browser.test_journeys import Journey, follow

pytestmark = pytest.mark.browser

ADMIN = "first.admin@example.org"
ORGANISER = "organiser@example.org"
STAFF = "staff.member@example.org"
PASSWORD = "harbour lantern 27 orchard"


@pytest.fixture
def new_page(browser: Any, server: Server) -> Iterator[Any]:
    """Another person's browser (a profile of their own), as many as a test asks for."""
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context(
            bypass_csp=True,
            base_url=server.base_url,
            locale="en-GB",
            viewport={"width": 1024, "height": 800},
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _code(secret: str) -> str:
    return totp.code_at_step(totp._key(secret), totp.time_step(datetime.now(UTC)))


def _sign_in(journey: Journey, email: str, password: str = PASSWORD) -> None:
    page = journey.page
    page.goto("/console/")
    assert "/console/sign-in" in page.url, journey.evidence()
    journey.check("sign-in")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    follow(page, "main form button[type=submit]")


def _enrol(journey: Journey) -> None:
    page = journey.page
    assert page.url.endswith("/console/account/second-factor"), journey.evidence()
    journey.check("enrol")
    secret = page.inner_text(".console-secret code").replace(" ", "")
    uri = page.inner_text(".console-secret >> nth=1")
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    page.fill("#f-code", _code(secret))
    follow(page, "main form button[type=submit]")
    codes = page.locator(".console-codes code")
    assert codes.count() == 10, journey.evidence()
    journey.check("recovery-codes")
    follow(page, "main a.button")
    assert page.url.endswith("/console/"), journey.evidence()


def test_first_admin_enrols_and_invites_an_organiser(server: Server, new_page: Any) -> None:
    server.cli(
        "users", "create", ADMIN, "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    admin = Journey(new_page(), server, "console-admin")
    _sign_in(admin, ADMIN)
    _enrol(admin)
    admin.check("home")
    for path, label in [
        ("/console/account", "account"),
        ("/console/account/second-factor", "second-factor"),
        ("/console/account/sessions", "sessions"),
        ("/console/account/tokens", "tokens"),
        ("/console/personal-data", "personal-data"),
        ("/console/audit", "audit"),
        ("/console/no-such-page", "not-found"),
        ("/console/?lang=fr", "home-fr"),
        ("/console/people?lang=en", "people"),
    ]:
        admin.page.goto(path)
        admin.check(label)
    page = admin.page
    page.fill("#f-email", ORGANISER)
    page.select_option("#f-role", "organiser")
    follow(page, "form[action='/console/people/invite'] button")
    assert "The invitation is on its way." in page.inner_text("main"), admin.evidence()
    admin.check("invited")
    page.goto("/console/account/tokens")
    page.fill("#f-name", "deploy script")
    follow(page, "form[action='/console/account/tokens'] button")
    token = page.inner_text(".notice code")
    assert token.startswith("rmt_")
    admin.check("token-created")

    organiser = Journey(new_page(), server, "console-organiser")
    organiser.page.goto(server.link_in_mail(ORGANISER, "/console/invitation/"))
    organiser.check("invitation")
    organiser.page.fill("#f-password", "password2026")
    organiser.page.fill("#f-confirm", "password2026")
    follow(organiser.page, "main form button[type=submit]")
    assert "too easy to guess" in organiser.page.inner_text("main"), organiser.evidence()
    organiser.check("invitation-refused")
    organiser.page.fill("#f-password", "quiet meadow 93 lantern")
    organiser.page.fill("#f-confirm", "quiet meadow 93 lantern")
    follow(organiser.page, "main form button[type=submit]")
    assert "/console/sign-in" in organiser.page.url, organiser.evidence()
    _sign_in(organiser, ORGANISER, "quiet meadow 93 lantern")
    _enrol(organiser)
    organiser.page.goto("/console/people")
    assert organiser.page.locator("h1").inner_text() == "You cannot open this page"
    organiser.check("forbidden")

    page.goto("/console/audit")
    text = page.inner_text("main")
    assert "account.invitation_accepted" in text and "second_factor.enrolled" in text
    assert re.search(r"account\.invited", text)


def test_staff_cannot_reach_people_or_erasure(server: Server, new_page: Any) -> None:
    server.cli(
        "users", "create", STAFF, "--role", "staff", "--password-stdin", stdin=PASSWORD + "\n"
    )
    staff = Journey(new_page(), server, "console-staff")
    _sign_in(staff, STAFF)
    assert staff.page.url.endswith("/console/"), staff.evidence()
    staff.check("home")
    nav = staff.page.inner_text("nav.console-nav")
    assert "People" not in nav and "Personal data" not in nav and "Audit log" not in nav
    for path in ("/console/people", "/console/personal-data", "/console/audit"):
        response = staff.page.goto(path)
        assert response is not None and response.status == 403, path
    staff.check("forbidden")
    staff.page.goto("/console/account/sessions")
    follow(staff.page, "form[action$='sign-out-everywhere'] button")
    assert "/console/sign-in" in staff.page.url
    staff.check("signed-out")
