"""The moderation queue in a real browser: two supporters send the same paragraph to one MP,
the second letter is held; a moderator reads it beside the first and returns it with a reason;
the supporter opens the link in the email, rewrites the paragraph, and the letter goes to the
MP (read from the .eml). An organiser visits the representatives' and campaigns' pages. Every
new page is checked with axe-core."""

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

MODERATOR = "moderator@example.org"
ORGANISER = "care.organiser@example.org"
COPIED = (
    "Families are split by the Channel and the only way across is a dinghy at night. Please "
    "open safe routes for people who have relatives in the United Kingdom already."
)
OWN = (
    "My grandmother crossed a border with two children and a suitcase, and a stranger's "
    "kindness kept them alive. I teach in Bath and want that kindness to be our policy."
)
COMPOSE = "/campaigns/calais-border/write?rep=uk-4602&country=uk&postcode=BA1+1AA"


def _letters_to(server: Server, mp_address_part: str, words: str) -> bool:
    for path in sorted(server.outbox.rglob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        if mp_address_part in str(message["To"]) and body and words in body.get_content():
            return True
    return False


def test_a_returned_letter_is_rewritten_and_sent(server: Server, page: Any, browser: Any) -> None:
    first = Journey(page, server, "moderation-first-writer")
    page.goto(COMPOSE)
    first.write_letter("first.writer@example.org", message=COPIED)
    first.confirm("first.writer@example.org")
    page.context.clear_cookies()
    second = Journey(page, server, "moderation-second-writer")
    page.goto(COMPOSE)
    second.write_letter("second.writer@example.org", message=COPIED)
    second.confirm("second.writer@example.org")

    server.cli(
        "users",
        "create",
        MODERATOR,
        "--role",
        "moderator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    context = browser.new_context(base_url=server.base_url, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(15_000)
    moderator = Journey(context.new_page(), server, "moderation-moderator")
    _sign_in(moderator, MODERATOR)
    _enrol(moderator)
    mod = moderator.page
    assert "1 held letter is waiting for a decision." in mod.inner_text("main")
    follow(mod, "a[href='/console/moderation']")
    moderator.check("queue")
    follow(mod, "main table a[href^='/console/moderation/']")
    moderator.check("letter")
    assert mod.locator("blockquote mark").count() >= 1, moderator.evidence()
    mod.check("#f-decision-return")
    mod.fill("#f-reason", "Please tell the MP in your own words why this matters to you.")
    follow(mod, "form[action$='/decision'] button")
    assert "The letter is returned" in mod.inner_text("main"), moderator.evidence()
    moderator.check("returned")
    mod.goto("/console/moderation?lang=fr")
    moderator.check("queue-fr")

    server.cli(
        "users",
        "create",
        ORGANISER,
        "--role",
        "organiser",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    organiser_context = browser.new_context(
        base_url=server.base_url, locale="en-GB", bypass_csp=True
    )
    organiser_context.set_default_timeout(15_000)
    organiser = Journey(organiser_context.new_page(), server, "care-organiser")
    _sign_in(organiser, ORGANISER)
    _enrol(organiser)
    org = organiser.page
    for path, label in [
        ("/console/representatives?name=hobhouse", "representatives"),
        ("/console/representatives/uk-4602", "representative"),
        ("/console/campaigns", "campaigns"),
        ("/console/campaigns/calais-border", "campaign"),
        ("/console/representatives/uk-4602?lang=fr", "representative-fr"),
    ]:
        org.goto(path)
        organiser.check(label)
    # The pace goes up to its maximum so that the rewritten letter leaves at once.
    org.goto("/console/campaigns/calais-border?lang=en")
    org.fill("#f-letters_per_hour", "3600")
    follow(org, "button[value=preview]")
    assert "What these settings would do" in org.inner_text("main"), organiser.evidence()
    organiser.check("campaign-preview")
    follow(org, "button[value=save]")
    assert "The settings are saved" in org.inner_text("main"), organiser.evidence()

    status_link = server.link_in_mail("second.writer@example.org", "/letters/")
    page.goto(status_link)
    second.check("returned-status")
    assert "ask you to make it your own" in page.inner_text("main"), second.evidence()
    page.fill("#f-message", OWN)
    follow(page, "form[action$='/message'] button")
    deadline = time.monotonic() + 30
    while not _letters_to(server, "parliament.uk", OWN):
        assert time.monotonic() < deadline, (
            f"the rewritten letter was not sent\n{server.log_tail()}"
        )
        time.sleep(0.5)

    context.close()
    organiser_context.close()
