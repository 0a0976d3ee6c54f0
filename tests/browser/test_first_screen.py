"""The campaign page as a supporter first sees it: the way in (where do you live, and the
first form) sits within the first screen on a desktop and on a phone; the campaign's case
follows below."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server
from tests.browser.test_journeys import Journey

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_the_form_is_on_the_first_screen(page: Any, server: Server, device: str, lang: str) -> None:
    width, height = VIEWPORTS[device]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/?lang={lang}")
    Journey(page, server, f"first-screen-{device}-{lang}").check("campaign")
    question = page.locator(".paths__question").bounding_box()
    form = page.locator("#uk form").bounding_box()
    button = page.locator("#uk form button").bounding_box()
    assert question is not None and form is not None and button is not None
    assert form["y"] < height, f"the form starts at {form['y']}px on a {device}"
    assert button["y"] + button["height"] <= height, f"the button ends below the fold ({device})"
    # The three ways in are offered from the first screen, each a link to its own form.
    for path in ("uk", "fr", "abroad"):
        link = page.locator(f".paths__jump a[href='#{path}']").bounding_box()
        assert link is not None and link["y"] + link["height"] <= height
    # The campaign's case is still on the page, below the way in.
    demands = page.locator("#demands-title").bounding_box()
    assert demands is not None and demands["y"] > form["y"]


def test_the_character_count_follows_the_typing(page: Any, server: Server) -> None:
    page.goto("/campaigns/calais-border/write?rep=uk-4602&country=uk&postcode=BA1+1AA&lang=en")
    count = page.locator("#f-message-count")
    assert count.inner_text() == "0 of 5,000 characters"
    page.fill("#f-message", "é" * 12)
    assert count.inner_text() == "12 of 5,000 characters"
    page.fill("#f-message", "x" * 5003)
    assert count.inner_text() == "5,003 characters: 3 too many (at most 5,000)"
