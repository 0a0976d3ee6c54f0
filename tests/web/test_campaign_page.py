"""The campaign page: stakes, demands, counters, countdown, the three ways in, and the
links partner sites may use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.campaigns.models import Campaign
from service.config import Settings
from service.letters.service import confirm_letter
from tests.web.conftest import CALAIS, confirm_link, letter_form, sent_letter, text_of


def test_campaign_page_shows_the_stakes_demands_counters_and_three_paths(web: TestClient) -> None:
    page = web.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    text = text_of(html)
    assert "Calais: a border that stops costing lives" in text
    for demand in ("Make family reunification work", "Safe and legal routes"):
        assert demand in text
    assert html.count('class="demands__title"') == 4
    assert "days left before the summit" in text or "day left before the summit" in text
    assert "18 December 2026" in text
    assert "0 letters confirmed so far" in text
    # The three paths, each titled in the language of the people it is for.
    assert '<span lang="en">I live in the UK</span>' in html
    assert '<span lang="fr">J&#39;habite en France</span>' in html
    assert "Je suis Français(e) établi(e) hors de France" in html
    assert 'id="f-uk-postcode"' in html and 'id="f-fr-postcode"' in html
    assert '<option value="GB">United Kingdom</option>' in html
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_counters_count_confirmed_letters_by_path(
    web: TestClient, session: Session, settings: Settings
) -> None:
    web.post(f"{CALAIS}/send", data=letter_form(web))
    assert "0 letters confirmed so far" in text_of(web.get("/").text)  # not confirmed yet
    letter = sent_letter(session)
    token = confirm_link(settings, letter).rsplit("/", 1)[-1]
    confirm_letter(session, settings, token, now=datetime.now(UTC))
    text = text_of(web.get("/").text)
    assert "1 letter confirmed so far" in text
    assert "1 to MPs in the UK" in text
    assert "0 to députés in France" in text


def test_partner_link_with_a_postcode_goes_straight_to_the_lookup(web: TestClient) -> None:
    answer = web.get("/?country=uk&postcode=BA1%201AA&lang=fr", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{CALAIS}/find?country=uk&postcode=BA1+1AA&lang=fr"
    found = web.get(answer.headers["location"])
    assert found.status_code == 200
    assert '<html lang="fr">' in found.text
    assert "Wera Hobhouse" in found.text


def test_partner_link_for_french_citizens_abroad(web: TestClient) -> None:
    answer = web.get("/?country=abroad&residence=gb", follow_redirects=False)
    assert answer.headers["location"] == f"{CALAIS}/find?country=abroad&residence=GB"


def test_partner_link_without_a_postcode_shows_the_page(web: TestClient) -> None:
    for query in ("country=fr&postcode=", "country=uk", "country=nowhere&postcode=x", "lang=de"):
        answer = web.get(f"/?{query}", follow_redirects=False)
        assert answer.status_code == 303, query
        assert answer.headers["location"] == f"{CALAIS}?{query}"
        page = web.get(f"{CALAIS}?{query}", follow_redirects=False)
        assert page.status_code == 200, query
        assert 'id="f-uk-postcode"' in page.text


def test_a_closed_campaign_takes_no_more_letters(
    web: TestClient, session: Session, campaign: Campaign
) -> None:
    campaign.closes_at = datetime.now(UTC) - timedelta(days=1)
    session.add(campaign)
    session.flush()
    text = text_of(web.get(CALAIS).text)
    assert "This campaign has closed" in text
    assert f'action="{CALAIS}/find"' not in web.get(CALAIS).text
    # No other campaign is open: the home page says so.
    assert "No campaign is taking letters just now" in text_of(web.get("/").text)
    page = web.get(f"{CALAIS}/write?rep=uk-4602")
    assert page.status_code == 409
    assert "This campaign has closed" in text_of(page.text)


def test_without_a_campaign_the_page_says_so(client: TestClient) -> None:
    page = client.get("/", headers={"Accept": "text/html"})
    # The lead's bootstrap seeds the campaign; on a database without one the page still works.
    assert page.status_code in (200, 503)
