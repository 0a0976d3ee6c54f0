"""The template studio in a real browser: an organiser rewrites the letter to representatives,
a second organiser approves it (after checking the difference and a preview against a real
MP), the next supporter's letter is written with the new version (read from the .eml the file
backend writes), and the letter records that version. Every new page is checked with axe."""

from __future__ import annotations

import email
import email.policy
import time
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Server
from tests.browser.test_console import PASSWORD, _enrol, _sign_in
from tests.browser.test_journeys import Journey, follow

pytestmark = pytest.mark.browser

AUTHOR = "letter.author@example.org"
APPROVER = "letter.approver@example.org"
READER = "letter.reader@example.org"
MARK = "We write to you from the studio's approved letter."
LETTER = (
    "{{ salutation }}\n\n" + MARK + "\n\n{{ campaign.intro }}\n\n{{ message }}\n\n"
    "{% for demand in demands %}{{ loop.index }}. {{ demand.title }}. {{ demand.body }}\n\n"
    "{% endfor %}{{ campaign.closing }}\n\n{{ sign_off }}\n\n{{ supporter.name }}\n"
    "{% for line in supporter.lines %}{{ line }}\n{% endfor %}\n"
    '{% include "_footer.txt.j2" %}'
)
STUDIO = "/console/templates/calais-border/letter"
COMPOSE = "/campaigns/calais-border/write?rep=uk-4602&country=uk&postcode=BA1+1AA"


def _organiser(server: Server, browser: Any, address: str, name: str) -> Journey:
    server.cli(
        "users", "create", address, "--role", "organiser", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    context = browser.new_context(base_url=server.base_url, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(15_000)
    journey = Journey(context.new_page(), server, name)
    _sign_in(journey, address)
    _enrol(journey)
    return journey


def _letter_to_mp(server: Server, words: str) -> email.message.EmailMessage | None:
    for path in sorted(server.outbox.rglob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        if "parliament.uk" in str(message["To"]) and body and words in body.get_content():
            return message
    return None


def test_an_approved_letter_is_the_one_sent(server: Server, page: Any, browser: Any) -> None:
    author = _organiser(server, browser, AUTHOR, "studio-author")
    one = author.page
    one.goto("/console/templates")
    author.check("campaigns")
    follow(one, "main a[href='/console/templates/calais-border']")
    author.check("templates")
    follow(one, f"main a[href='{STUDIO}']")
    author.check("editor")
    one.fill("#f-body", LETTER)
    one.fill("#f-html", "")
    one.fill("#f-subjects", "A letter from Bath about the Calais border")
    one.fill("#f-note", "Opens with why we write")
    follow(one, "form[action$='/letter'] button[type=submit]")
    assert "The draft is saved" in one.inner_text("main"), author.evidence()
    author.check("saved")
    follow(one, "form[action$='/versions/1/approve'] button")
    assert "Another organiser must approve" in one.inner_text("main"), author.evidence()
    author.check("self-approval")
    # A supporter email's editor: its one subject line, and what its variables mean there.
    one.goto("/console/templates/calais-border/rejected")
    assert "never read as a template" in one.inner_text("main"), author.evidence()
    assert "{{ representative_name }}" in one.input_value("#f-subjects")
    author.check("editor-email")

    approver = _organiser(server, browser, APPROVER, "studio-approver")
    two = approver.page
    two.goto(STUDIO + "/versions/1?q=Hobhouse")
    approver.check("version")
    follow(two, "main a[href*='representative_id=uk-4602']")
    assert MARK in two.inner_text("main"), approver.evidence()
    assert "Sam Sample via" in two.inner_text("main")
    approver.check("preview")
    follow(two, "form[action$='/test'] button")
    assert "A test email is on its way" in two.inner_text("main"), approver.evidence()
    two.goto(STUDIO)
    two.fill("#note-1", "Read against the French letter")
    follow(two, "form[action$='/versions/1/approve'] button")
    assert "The version is approved" in two.inner_text("main"), approver.evidence()
    assert "the French version did not" in two.inner_text("main")
    approver.check("approved")
    follow(two, "form[action$='/versions/1/restore'] button")
    follow(two, "main a[href$='/diff?old=1&new=2']")
    assert "The two versions are the same." in two.inner_text("main"), approver.evidence()
    approver.check("diff")
    two.goto(STUDIO + "?lang=fr")
    approver.check("editor-fr")

    supporter = Journey(page, server, "studio-supporter")
    page.goto(COMPOSE)
    supporter.write_letter("studio.supporter@example.org")
    supporter.confirm("studio.supporter@example.org")
    deadline = time.monotonic() + 30
    while (sent := _letter_to_mp(server, MARK)) is None:
        assert time.monotonic() < deadline, f"no letter with the new text\n{server.log_tail()}"
        time.sleep(0.5)
    assert sent["Subject"] == "A letter from Bath about the Calais border"
    html = sent.get_body(preferencelist=("html",))
    assert html is not None and MARK.replace("'", "&#39;") in html.get_content()

    server.cli(
        "users", "create", READER, "--role", "moderator", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    context = browser.new_context(base_url=server.base_url, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(15_000)
    reader = Journey(context.new_page(), server, "studio-reader")
    _sign_in(reader, READER)
    _enrol(reader)
    token = server.cli("users", "token", READER, "--name", "studio").strip().splitlines()[-1]
    listed = httpx.get(
        f"{server.base_url}/api/admin/letters?campaign=calais-border",
        headers={"authorization": f"Bearer {token}"},
    )
    assert listed.status_code == 200, listed.text
    [letter] = listed.json()["letters"]
    assert letter["template_version"] == 1
    reader.page.goto(f"/console/moderation/{letter['id']}")
    assert "Letter template version 1" in " ".join(reader.page.inner_text("main").split())
    reader.check("letter")
    context.close()
    author.page.context.close()
    approver.page.context.close()
