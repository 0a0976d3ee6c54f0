"""Campaign settings in a real browser: an organiser creates a campaign by copying the first
one, writes its French name beside the English one, adds a demand and moves it up, opens the
campaign, and supporters see it on its public page with the new demand where it was put.
Every new page is checked with axe-core, the refused form too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server
from tests.browser.test_console import PASSWORD, _enrol, _sign_in
from tests.browser.test_journeys import Journey, follow

pytestmark = pytest.mark.browser

ORGANISER = "spring.organiser@example.org"
FRENCH_TITLE = "Calais au printemps : une frontière qui ne tue plus"
NEW_DEMAND = ("Keep the night shelters open", "Garder les abris de nuit ouverts")


def test_an_organiser_copies_edits_and_opens_a_campaign(server: Server, browser: Any) -> None:
    server.cli(
        "users",
        "create",
        ORGANISER,
        "--role",
        "organiser",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    wide = browser.new_context(
        base_url=server.base_url,
        locale="en-GB",
        bypass_csp=True,
        viewport={"width": 1100, "height": 900},  # the two languages side by side
    )
    wide.set_default_timeout(15_000)
    organiser = Journey(wide.new_page(), server, "campaign-settings")
    _sign_in(organiser, ORGANISER)
    _enrol(organiser)
    console = organiser.page

    console.goto("/console/campaigns")
    organiser.check("campaigns")
    follow(console, "a[href='/console/campaigns/new']")
    organiser.check("new")
    console.fill("#f-slug", "Calais Spring")
    console.select_option("#f-copy_from", "calais-border")
    follow(console, "main form button[type=submit]")
    assert "lower-case letters" in console.inner_text("#f-slug-error"), organiser.evidence()
    assert console.input_value("#f-slug") == "Calais Spring"
    organiser.check("new-refused")
    console.fill("#f-slug", "calais-spring")
    follow(console, "main form button[type=submit]")
    assert console.url.endswith("/console/campaigns/calais-spring?done=created"), (
        organiser.evidence()
    )
    organiser.check("created")

    follow(console, "a[href='/console/campaigns/calais-spring/texts']")
    organiser.check("texts")
    assert console.get_attribute("#f-fr_title", "lang") == "fr"
    console.fill("#f-fr_title", FRENCH_TITLE)
    follow(console, "main form button[type=submit]")
    assert "The texts are saved." in console.inner_text("main"), organiser.evidence()
    assert console.input_value("#f-fr_title") == FRENCH_TITLE
    organiser.check("texts-saved")

    console.goto("/console/campaigns/calais-spring/demands")
    organiser.check("demands")
    console.fill("#f-en_title", NEW_DEMAND[0])
    console.fill("#f-en_body", "People sleep outside in the rain while shelters close at dawn.")
    console.fill("#f-fr_title", NEW_DEMAND[1])
    console.fill("#f-fr_body", "Des gens dorment dehors sous la pluie quand les abris ferment.")
    follow(console, "form[action$='/demands'] button")
    assert "The demand is added" in console.inner_text("main"), organiser.evidence()
    follow(console, "text=Move demand 5 up")
    organiser.check("demand-moved")
    titles = console.locator(".console-demands li h2").all_inner_texts()
    assert titles[:5] == [f"Demand {n}" for n in (1, 2, 3, 5, 4)], titles

    console.goto("/console/campaigns/calais-spring")
    follow(console, "text=Open the campaign")
    assert "The campaign is open" in console.inner_text("main"), organiser.evidence()
    organiser.check("opened")

    context = browser.new_context(base_url=server.base_url, locale="fr-FR", bypass_csp=True)
    context.set_default_timeout(15_000)
    supporter = Journey(context.new_page(), server, "campaign-public")
    public = supporter.page
    public.goto("/campaigns/calais-spring?lang=fr")
    text = public.inner_text("main")
    assert FRENCH_TITLE in text, supporter.evidence()
    assert text.index(NEW_DEMAND[1]) < text.index("Financer la protection de l'enfance")
    supporter.check("public-fr")
    context.close()
    wide.close()
