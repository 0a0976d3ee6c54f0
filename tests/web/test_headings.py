"""One word per path for who the letter goes to: every heading of the UK journey, page after
page (the campaign, each answer the postcode can get, the name search, the letter, its
preview, the confirmation and the status page), speaks of an MP, never of a constituency or
a député; the French path's step 1 speaks of a député."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.app import create_app
from service.config import Settings
from service.deps import get_session
from service.lookup.service import LookupDependencies
from service.lookup.uk_nearby import NearbyShortList
from tests.web.conftest import (
    BATH,
    CALAIS,
    HTML,
    FakeResolver,
    confirm_link,
    csrf_token,
    letter_form,
    sent_letter,
)

_HEADING = re.compile(r"<(title|h[1-6]|legend)\b[^>]*>(.*?)</\1>", re.S)
_OTHER_WORDS = ("constituency", "constituencies", "député", "circonscription")


@pytest.fixture
def uk(settings: Settings, engine: Any, session: Session, campaign: Any) -> Iterator[TestClient]:
    """Bath's postcode resolves; any other UK postcode goes to the nearby short lists."""
    deps = LookupDependencies(
        uk_resolvers=[FakeResolver({"BA11AA": BATH})],
        uk_nearby=NearbyShortList.from_data_dir(settings.data_dir),
    )
    app = create_app(settings, engine=engine, lookup_deps=deps)

    def _test_session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = _test_session
    yield TestClient(app, headers={"Accept": HTML, "Accept-Language": "en-GB,en;q=0.9"})


def headings(page: str) -> list[str]:
    """The page's title and headings (legends too: a question's heading), as read."""
    found = []
    for _tag, inner in _HEADING.findall(page):
        words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split())
        found.append(words.removesuffix(" – repmail"))
    return found


def _step_one(client: TestClient, path: str) -> list[str]:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    assert "Step 1 of 4" in page.text, path
    return headings(page.text)


# Step 1 on the UK path: every answer a postcode can get, and the name search.
UK_STEP_ONE = (
    f"{CALAIS}/find?country=uk&postcode=ba1+1aa",  # found
    f"{CALAIS}/find?country=uk&postcode=SW1A+1AA",  # one nearby MP: a yes/no question
    f"{CALAIS}/find?country=uk&postcode=SW1A",  # several nearby: a choice
    f"{CALAIS}/find?country=uk&postcode=BT1+5GS",  # Northern Ireland's seats
    f"{CALAIS}/find/name?country=uk",
    f"{CALAIS}/find/name?country=uk&q=Bath",
    f"{CALAIS}/find/name?country=uk&q=Nowhere+at+all",
)


def test_every_heading_of_the_uk_journey_speaks_of_an_mp(
    uk: TestClient, web: TestClient, session: Session, settings: Settings
) -> None:
    seen: dict[str, list[str]] = {}
    campaign = uk.get(CALAIS)
    seen["campaign"] = headings(campaign.text)
    # The start form sent empty asks again (the start page, shared by the three paths).
    seen["empty postcode"] = headings(uk.get(f"{CALAIS}/find?country=uk&postcode=").text)
    # A postcode nothing is known about (no nearby lists here): the name search is offered.
    unknown = _step_one(web, f"{CALAIS}/find?country=uk&postcode=SW1A+1AA")
    assert unknown[:2] == ["Find your MP by name"] * 2, unknown
    seen["unknown postcode"] = unknown
    for path in UK_STEP_ONE:
        found = _step_one(uk, path)
        # The question each step asks names who the letter goes to: the MP.
        assert "MP" in found[0] and "MP" in found[1], (path, found)
        seen[path] = found
    compose = uk.get(f"{CALAIS}/write?rep=uk-4602&country=uk&postcode=BA1+1AA")
    seen["compose"] = headings(compose.text)
    preview = uk.post(f"{CALAIS}/write", data=letter_form(uk))
    assert preview.status_code == 200
    seen["preview"] = headings(preview.text)
    sent = uk.post(f"{CALAIS}/send", data=letter_form(uk))
    assert sent.status_code == 200 and "Check your email" in sent.text
    seen["sent"] = headings(sent.text)
    link = confirm_link(settings, sent_letter(session))
    confirm = uk.get(link)
    seen["confirm"] = headings(confirm.text)
    confirmed = uk.post(link, data={"csrf_token": csrf_token(confirm.text)})
    seen["confirmed"] = headings(confirmed.text)
    status = uk.get(str(sent.url).split("?")[0])
    seen["status"] = headings(status.text)
    for where, found in seen.items():
        assert found, where
        for heading in found:
            assert not any(word in heading.casefold() for word in _OTHER_WORDS), (where, heading)


@pytest.mark.parametrize(
    "path",
    [
        f"{CALAIS}/find?country=fr&postcode=01000&commune=01344",  # found
        f"{CALAIS}/find?country=fr&postcode=01000&commune=01053",  # a split commune
        f"{CALAIS}/find?country=abroad&residence=GB",
        f"{CALAIS}/find/name?country=fr",
        f"{CALAIS}/find/name?country=fr&q=Dunkerque",
    ],
)
def test_the_french_paths_step_one_speaks_of_a_depute(uk: TestClient, path: str) -> None:
    english = _step_one(uk, path + "&lang=en")
    assert "député" in english[0] and "député" in english[1], english
    assert not any("MP" in heading or "constituenc" in heading for heading in english)
