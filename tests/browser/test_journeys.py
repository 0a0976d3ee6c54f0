"""Three supporters, start to finish, in a real browser: a UK MP (by name, and by an imported
postcode), a French député through the commune question, and a French citizen in the UK.
Every page is checked with axe-core (no serious or critical violation) and photographed
under test-artifacts/browser/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, AXE, Server

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")
MESSAGE = (
    "I volunteer at a food distribution in Calais twice a year. The families I meet there "
    "have relatives in England and no way of joining them safely."
)


def follow(page: Any, selector: str) -> None:
    """Click something that loads a new page, and wait until that page is there."""
    with page.expect_navigation():
        page.click(selector)


class Journey:
    """One supporter's way through the pages, checking each one as it comes."""

    def __init__(self, page: Any, server: Server, name: str) -> None:
        self.page = page
        self.server = server
        self.name = name
        self.step = 0

    def check(self, label: str) -> None:
        """axe-core on the page as it is now, and a screenshot."""
        self.step += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(ARTIFACTS / f"{self.name}-{self.step:02d}-{label}.png"), full_page=True
        )
        self.page.add_script_tag(path=str(AXE))
        violations = self.page.evaluate(
            """async () => {
                const result = await axe.run(document, {
                    runOnly: {type: "tag", values: [
                        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"
                    ]},
                    resultTypes: ["violations"],
                });
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
                }));
            }"""
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert blocking == [], f"{self.name} / {label}: {blocking}"
        lang = self.page.evaluate("document.documentElement.lang")
        assert lang in ("en", "fr"), f"{label}: <html lang={lang!r}>"

    def evidence(self) -> str:
        """For a failed step: the page as it is (whatever it holds) and the server's log."""
        return (
            f"{self.page.url}\n{self.page.content()[:2000]}\n"
            f"--- server log ---\n{self.server.log_tail()}"
        )

    def write_letter(
        self, email_address: str, demands: tuple[str, ...] = ("1", "3"), message: str = MESSAGE
    ) -> None:
        """On the compose page: fill in the letter, preview it, send it."""
        page = self.page
        page.fill("#f-name", "Sam Example")
        page.fill("#f-email", email_address)
        if not page.input_value("#f-postcode"):
            page.fill("#f-postcode", "SW1A 1AA")
        page.fill("#f-address", "10 Station Road")
        for number in demands:
            page.check(f"input[name=demands][value='{number}']")
        page.fill("#f-message", message)
        page.check("#f-consent")
        assert not page.is_checked("#f-updates")
        self.check("compose")
        follow(page, "button[value=preview]")
        assert page.locator("section.letter").count() == 1, self.evidence()
        self.check("preview")
        assert message in page.inner_text("pre.letter__body")
        follow(page, "form[action$='/send'] button:not([formaction])")
        assert re.search(r"/letters/.+\?sent=1$", page.url), self.evidence()
        self.check("sent")

    def confirm(self, email_address: str) -> None:
        """Open the link from the confirmation email, press its button, then the status page."""
        page = self.page
        page.goto(self.server.confirmation_link(email_address))
        self.check("confirm")
        follow(page, "form[action^='/confirm/'] button")
        self.check("confirmed")
        assert page.locator("h1").count() == 1
        follow(page, "a[href^='/letters/']")
        self.check("status")


def test_uk_mp_by_name(page: Any, server: Server) -> None:
    journey = Journey(page, server, "uk-by-name")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    journey.check("campaign")
    follow(page, "a[href$='/find/name?country=uk']")
    journey.check("search")
    page.fill("#f-q", "Bath")
    with page.expect_navigation():
        page.press("#f-q", "Enter")
    journey.check("results")
    follow(page, "text=Write to Wera Hobhouse")
    assert "Wera Hobhouse" in page.inner_text("h1")
    # A refused form first: the error summary takes the focus and links to each field.
    follow(page, "button[value=preview]")
    page.wait_for_function("document.activeElement.hasAttribute('data-error-summary')")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    journey.check("errors")
    page.click(".error-summary a[href='#f-name']")
    assert page.evaluate("document.activeElement.id") == "f-name"
    journey.write_letter("sam.uk@example.org")
    assert "Check your email" in page.inner_text("main")
    journey.confirm("sam.uk@example.org")
    assert "Wera Hobhouse" in page.inner_text("h1")


def test_uk_mp_by_imported_postcode(page: Any, server: Server) -> None:
    journey = Journey(page, server, "uk-by-postcode")
    page.goto("/")
    page.fill("#f-uk-postcode", "ba1 1aa")
    follow(page, "#uk button[type=submit]")
    journey.check("matched")
    assert "Wera Hobhouse" in page.inner_text("main")
    follow(page, "text=Write to Wera Hobhouse")
    assert page.input_value("#f-postcode") == "ba1 1aa"
    journey.write_letter("sam.postcode@example.org")
    journey.confirm("sam.postcode@example.org")


def test_french_depute_through_the_commune_question(page: Any, server: Server) -> None:
    journey = Journey(page, server, "fr-commune")
    page.goto("/?lang=fr")
    journey.check("campagne")
    page.fill("#f-fr-postcode", "01000")
    follow(page, "#fr button[type=submit]")
    journey.check("commune")
    page.check("input[name=commune][value='01344']")
    follow(page, "main form button[type=submit]")
    journey.check("depute")
    follow(page, ".rep-card a.button")
    assert page.evaluate("document.documentElement.lang") == "fr"
    journey.write_letter("sam.fr@example.org")
    letter = page.inner_text("pre.letter__body")
    assert letter.startswith("Monsieur le Député,")  # Xavier Breton: "M." in the data
    journey.confirm("sam.fr@example.org")
    assert "Votre lettre à" in page.inner_text("h1")


def test_french_citizen_in_the_uk(page: Any, server: Server) -> None:
    journey = Journey(page, server, "fr-abroad")
    page.goto("/")
    page.select_option("#f-abroad-residence", "GB")
    follow(page, "#abroad button[type=submit]")
    journey.check("depute")
    main = page.inner_text("main")
    assert "Vincent Caure" in main and "3ᵉ\u00a0circonscription" in main
    follow(page, ".rep-card a.button")
    journey.write_letter("sam.abroad@example.org")
    journey.confirm("sam.abroad@example.org")


def test_the_journey_works_without_javascript(server: Server, browser: Any) -> None:
    context = browser.new_context(base_url=server.base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/find?country=uk&postcode=BA1+1AA")
        follow(page, "text=Write to Wera Hobhouse")
        page.fill("#f-name", "No Script")
        page.fill("#f-email", "noscript@example.org")
        page.fill("#f-address", "2 Station Road")
        page.check("#f-demands")
        page.fill("#f-message", MESSAGE)
        page.check("#f-consent")
        follow(page, "button[value=preview]")
        # The guidance the script gives while typing comes with the preview instead.
        assert "reads like" in page.inner_text("#guidance-title ~ p")
        follow(page, "form[action$='/send'] button:not([formaction])")
        assert "Check your email" in page.inner_text("main")
    finally:
        context.close()
