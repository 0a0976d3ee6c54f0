"""Two campaigns open at once, in one process: the home page offers both, each campaign's
pages carry its own name, and a letter written in each goes out with its own campaign's
demands, sender and subject."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.campaigns.models import Campaign
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.letters.models import Letter
from tests.campaigns.factory import RESCUE_DEMANDS, RESCUE_SLUG, RESCUE_TITLES, add_rescue_campaign
from tests.web.conftest import (
    BATH_MP,
    CALAIS,
    confirm,
    confirm_link,
    csrf_token,
    letter_form,
    text_of,
)

RESCUE = f"/campaigns/{RESCUE_SLUG}"
CALAIS_DEMAND = "Make family reunification work"
RESCUE_DEMAND = RESCUE_DEMANDS["en"][0][0]


@pytest.fixture
def rescue(session: Session, campaign: Campaign) -> Campaign:
    return add_rescue_campaign(session, datetime.now(UTC))


def test_the_home_page_offers_every_open_campaign(web: TestClient, rescue: Campaign) -> None:
    page = web.get("/", follow_redirects=False)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Choose a campaign" in text
    assert "Calais: a border that stops costing lives" in text
    assert RESCUE_TITLES["en"] in text
    # The nearest deadline first, each with its own date.
    assert text.index("Calais") < text.index(RESCUE_TITLES["en"])
    assert "18 December 2026" in text and "26 March 2027" in text
    assert f'href="{CALAIS}"' in page.text and f'href="{RESCUE}"' in page.text


def test_a_partner_link_keeps_its_query_through_the_choice(
    web: TestClient, rescue: Campaign
) -> None:
    page = web.get("/?country=uk&postcode=BA1+1AA&lang=fr", follow_redirects=False)
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    link = f"{RESCUE}?country=uk&amp;postcode=BA1+1AA&amp;lang=fr"
    assert f'href="{link}"' in page.text
    chosen = web.get(link.replace("&amp;", "&"), follow_redirects=False)
    assert chosen.headers["location"] == f"{RESCUE}/find?country=uk&postcode=BA1+1AA&lang=fr"
    found = web.get(chosen.headers["location"])
    assert f'href="{RESCUE}/write?country=uk&amp;postcode=BA1+1AA&amp;rep={BATH_MP}"' in found.text


def test_old_links_offer_the_choice_too(web: TestClient, rescue: Campaign) -> None:
    page = web.get(f"/write?rep={BATH_MP}", follow_redirects=False)
    assert page.status_code == 200
    assert f'href="{RESCUE}/write?rep={BATH_MP}"' in page.text
    assert f'href="{CALAIS}/write?rep={BATH_MP}"' in page.text


def test_each_campaigns_pages_show_its_own_demands(web: TestClient, rescue: Campaign) -> None:
    calais = text_of(web.get(CALAIS).text)
    rescue_page = text_of(web.get(RESCUE).text)
    assert CALAIS_DEMAND in calais and RESCUE_DEMAND not in calais
    assert RESCUE_DEMAND in rescue_page and CALAIS_DEMAND not in rescue_page
    assert "26 March 2027" in rescue_page
    form = web.get(f"{RESCUE}/write?rep={BATH_MP}&country=uk&postcode=BA1+1AA")
    assert form.status_code == 200
    assert f'action="{RESCUE}/write"' in form.text
    assert RESCUE_DEMAND in text_of(form.text) and CALAIS_DEMAND not in text_of(form.text)


def _write(web: TestClient, root: str, message: str) -> str:
    """Send a letter from `root`'s form (demand 1 only); its status page's path."""
    form = letter_form(web, demands=["1"], message=message)
    form["csrf_token"] = csrf_token(web.get(f"{root}/write?rep={BATH_MP}").text)
    preview = web.post(f"{root}/write", data=form)
    assert preview.status_code == 200, text_of(preview.text)[:500]
    assert f'action="{root}/send"' in preview.text
    sent = web.post(f"{root}/send", data=form, follow_redirects=False)
    assert sent.status_code == 303, text_of(sent.text)[:500]
    assert re.fullmatch(r"/letters/[^/?]+\?sent=1", sent.headers["location"])
    return sent.headers["location"].split("?")[0]


def test_a_letter_in_each_campaign_carries_its_own_demands(
    web: TestClient, session: Session, settings: Settings, campaign: Campaign, rescue: Campaign
) -> None:
    calais_status = _write(
        web, CALAIS, "I have seen families at Calais wait for years to join their relatives."
    )
    rescue_status = _write(
        web, RESCUE, "Last winter I helped on a lifeboat crew and we arrived too late twice."
    )
    letters = {
        letter.campaign_id: letter
        for letter in session.exec(select(Letter).where(Letter.email == "ann@example.org"))
    }
    assert set(letters) == {campaign.id, rescue.id}
    for letter in letters.values():
        assert confirm(web, confirm_link(settings, letter)).status_code == 200
    mail = {
        row.letter_id: row
        for row in session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.letter)
        )
    }
    assert campaign.id is not None and rescue.id is not None
    calais_letter = mail[letters[campaign.id].id]
    rescue_letter = mail[letters[rescue.id].id]
    assert CALAIS_DEMAND in calais_letter.text_body
    assert RESCUE_DEMAND not in calais_letter.text_body
    assert RESCUE_DEMAND in rescue_letter.text_body
    assert CALAIS_DEMAND not in rescue_letter.text_body
    assert "letters@rescue.example" in rescue_letter.sender_email
    assert rescue_letter.subject == RESCUE_TITLES["en"]
    # Each status page shares its own campaign.
    assert f"{settings.base_url.rstrip('/')}{CALAIS}" in web.get(calais_status).text
    assert f"{settings.base_url.rstrip('/')}{RESCUE}" in web.get(rescue_status).text


def test_a_form_cannot_switch_campaigns_by_its_hidden_field(
    web: TestClient, session: Session, rescue: Campaign
) -> None:
    form = letter_form(web, demands=["1"], campaign="calais-border")
    form["csrf_token"] = csrf_token(web.get(f"{RESCUE}/write?rep={BATH_MP}").text)
    assert web.post(f"{RESCUE}/send", data=form, follow_redirects=False).status_code == 303
    letter = session.exec(select(Letter).where(Letter.email == "ann@example.org")).one()
    assert letter.campaign_id == rescue.id


def test_an_unknown_campaign_is_not_found(web: TestClient) -> None:
    for path in ("/campaigns/nowhere", "/campaigns/nowhere/find", "/campaigns/Bad%20Name/write"):
        page = web.get(path)
        assert page.status_code == 404, path
    assert web.post("/campaigns/nowhere/send", data={}).status_code == 404


def test_a_form_posted_to_the_old_address_goes_to_the_campaign_it_names(
    web: TestClient, session: Session, rescue: Campaign
) -> None:
    form = letter_form(web, demands=["1"], campaign=RESCUE_SLUG)
    moved = web.post("/send", data=form, follow_redirects=False)
    assert moved.status_code == 307  # the browser sends the same letter again, there
    assert moved.headers["location"] == f"{RESCUE}/send"
    sent = web.post("/send", data=form, follow_redirects=True)
    assert sent.status_code == 200 and "/letters/" in str(sent.url)
    letter = session.exec(select(Letter).where(Letter.email == "ann@example.org")).one()
    assert letter.campaign_id == rescue.id


def test_the_api_lists_the_open_campaigns(web: TestClient, rescue: Campaign) -> None:
    answer = web.get(
        "/api/campaigns", params={"lang": "fr"}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 200
    listed = answer.json()
    assert [c["slug"] for c in listed] == ["calais-border", RESCUE_SLUG]
    assert listed[1]["title"] == RESCUE_TITLES["fr"] and listed[1]["lang"] == "fr"
    assert listed[1]["deadline"].startswith("2027-03-26")
