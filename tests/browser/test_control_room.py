"""The control room in a real browser, as staff see it: the funnel, the charts with their
tables, the deadline and delivery health, in English and French, with no pause form (staff
only watch); and as an organiser sees it: pausing this campaign's sending needs a reason,
and resuming lifts it. Checked with axe-core and photographed under test-artifacts/browser/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server
from tests.browser.test_console import PASSWORD, _enrol, _sign_in, new_page
from tests.browser.test_journeys import Journey, follow

pytestmark = pytest.mark.browser
__all__ = ["new_page"]

WATCHER = "control.room@example.org"
SWITCHER = "pause.switch@example.org"


def test_staff_watch_the_control_room(server: Server, new_page: Any) -> None:
    server.cli(
        "users", "create", WATCHER, "--role", "staff", "--password-stdin", stdin=PASSWORD + "\n"
    )
    staff = Journey(new_page(), server, "control-room-staff")
    _sign_in(staff, WATCHER)
    page = staff.page
    follow(page, "nav.console-nav a[href='/console/control-room']")
    assert page.locator("h1").inner_text() == "Control room", staff.evidence()
    main = page.inner_text("main")
    for heading in ("Funnel", "Letters over time", "The deadline", "What needs a person"):
        assert heading in main, heading
    assert page.locator("figure.console-chart svg").count() >= 1  # per day: none yet
    assert page.locator("form[action='/console/control-room/pause']").count() == 0
    staff.check("control-room")
    page.locator("figure.console-chart summary").first.click()
    assert page.locator("figure.console-chart table").first.is_visible()
    staff.check("control-room-table")
    page.goto("/console/control-room?lang=fr")
    assert page.locator("h1").inner_text() == "Salle de contrôle", staff.evidence()
    staff.check("control-room-fr")


def test_an_organiser_pauses_and_resumes_the_campaign(server: Server, new_page: Any) -> None:
    server.cli(
        "users", "create", SWITCHER, "--role", "organiser", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    organiser = Journey(new_page(), server, "control-room-organiser")
    _sign_in(organiser, SWITCHER)
    _enrol(organiser)
    page = organiser.page
    page.goto("/console/control-room")
    pause = page.locator("form[action='/console/control-room/pause']").first
    pause.locator("button").click()  # no reason given: refused, with a message
    assert page.locator("p.error").first.is_visible(), organiser.evidence()
    organiser.check("control-room-pause-refused")
    pause = page.locator("form[action='/console/control-room/pause']").first
    pause.locator("textarea").fill("The summit moved: hold letters until we know the date.")
    pause.locator("button").click()
    notice = page.locator("p.notice").first.inner_text()
    assert "The summit moved" in notice, organiser.evidence()
    organiser.check("control-room-paused")
    page.locator("form[action='/console/control-room/resume'] button").first.click()
    assert "The summit moved" not in page.inner_text("main"), organiser.evidence()
    assert page.locator("form[action='/console/control-room/pause']").count() == 2
