"""Care of a representative in a real browser: two supporters write to one MP; the first
letter goes at once to the official address, the second waits for its slot. An organiser
corrects the MP's address on the representative's page, and the waiting letter goes to the
new address while the first keeps the one it was sent to (both read from the .eml files the
file backend writes). The representatives' list with its filters and the official-data page
(whose diff now shows the corrected address against the official one) are checked with
axe-core, in English and French."""

from __future__ import annotations

import email
import email.policy
import time
from typing import Any

import pytest

from tests.browser.conftest import Server
from tests.browser.test_console import PASSWORD, _enrol, _sign_in
from tests.browser.test_journeys import Journey, follow

pytestmark = pytest.mark.browser

ORGANISER = "address.organiser@example.org"
COMPOSE = "/campaigns/calais-border/write?rep=uk-4602&country=uk&postcode=BA1+1AA"
OFFICIAL = "wera.hobhouse.mp@parliament.uk"
CORRECTED = "bath.constituency.office@parliament.example"
FIRST = (
    "I volunteer at a night shelter in Bath where we meet people who crossed the Channel. "
    "They tell me safe routes would have spared them weeks of fear and danger."
)
SECOND = (
    "My neighbour waited three years to see her son again because no legal way existed. "
    "I would like you to speak for family reunion routes when the summit meets."
)


def _letter_to(server: Server, words: str) -> str | None:
    """The address the letter containing `words` was sent to, if it was sent (the mails to
    the supporters, at example.org, quote it too)."""
    for path in sorted(server.outbox.rglob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if "@example.org" in str(message["To"]):
            continue
        body = message.get_body(preferencelist=("plain",))
        if body is not None and words in body.get_content():
            return str(message["To"])
    return None


def _wait_for_letter(server: Server, words: str) -> str:
    deadline = time.monotonic() + 60
    while (to := _letter_to(server, words)) is None:
        assert time.monotonic() < deadline, f"the letter was not sent\n{server.log_tail()}"
        time.sleep(0.5)
    return to


def test_a_corrected_address_takes_the_waiting_letter(
    server: Server, page: Any, browser: Any
) -> None:
    first = Journey(page, server, "care-first-writer")
    page.goto(COMPOSE)
    first.write_letter("shelter.volunteer@example.org", message=FIRST)
    first.confirm("shelter.volunteer@example.org")
    assert OFFICIAL in _wait_for_letter(server, FIRST)
    page.context.clear_cookies()
    second = Journey(page, server, "care-second-writer")
    page.goto(COMPOSE)
    second.write_letter("patient.neighbour@example.org", message=SECOND)
    second.confirm("patient.neighbour@example.org")
    assert _letter_to(server, SECOND) is None  # waiting for its slot, two minutes on

    server.cli(
        "users", "create", ORGANISER, "--role", "organiser", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    context = browser.new_context(base_url=server.base_url, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(15_000)
    organiser = Journey(context.new_page(), server, "care-address-organiser")
    _sign_in(organiser, ORGANISER)
    _enrol(organiser)
    org = organiser.page
    org.goto("/console/representatives?failing=on&paused=on")
    organiser.check("filtered-list")
    org.goto("/console/representatives?name=hobhouse")
    organiser.check("list")
    follow(org, "main table a[href='/console/representatives/uk-4602']")
    organiser.check("representative")
    main = org.inner_text("main")
    assert OFFICIAL in main and "Recent provider outcomes" in main, organiser.evidence()
    org.fill("#f-email", CORRECTED)
    org.fill("#f-source", "The constituency office, by phone")
    follow(org, "form[action$='/email'] button")
    main = org.inner_text("main")
    assert "The address is corrected" in main and CORRECTED in main, organiser.evidence()
    organiser.check("corrected")
    org.goto("/console/representatives/uk-4602?lang=fr")
    organiser.check("representative-fr")

    # The waiting letter's slot is brought forward (the pace at its maximum), and it goes to
    # the corrected address; the first letter keeps the one it was sent to.
    org.goto("/console/campaigns/calais-border?lang=en")
    org.fill("#f-letters_per_hour", "3600")
    follow(org, "button[value=save]")
    assert "The settings are saved" in org.inner_text("main"), organiser.evidence()
    assert CORRECTED in _wait_for_letter(server, SECOND)
    assert OFFICIAL in str(_letter_to(server, FIRST))

    # Re-importing the official data would put the official address back: the diff says so.
    org.goto("/console/reimport")
    organiser.check("reimport")
    org.goto("/console/reimport?chamber=uk-commons")
    main = org.inner_text("main")
    assert "Seats changed (1)" in main and CORRECTED in main, organiser.evidence()
    organiser.check("reimport-diff")
    org.goto("/console/reimport?chamber=uk-commons&lang=fr")
    organiser.check("reimport-diff-fr")
    context.close()
