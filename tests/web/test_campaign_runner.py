"""Who runs the campaign, on every supporter's page: its name in the page's language, a
contact, the privacy page, and the address letters come from once organisers set it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.campaigns.models import Campaign
from tests.web.conftest import BATH_MP, CALAIS, text_of

PAGES = (
    CALAIS,
    f"{CALAIS}/find?country=uk",
    f"{CALAIS}/find/name?country=fr",
    f"{CALAIS}/write?rep={BATH_MP}&country=uk&postcode=BA1+1AA",
    "/privacy",
)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_names_who_runs_the_campaign(web: TestClient, path: str) -> None:
    english = web.get(path, params={"lang": "en"})
    assert "This campaign is run by Calais Border Campaign." in text_of(english.text)
    assert 'href="/privacy"' in english.text
    # The seeded placeholder sender is never shown as if it were the campaign's address.
    assert "letters@repmail.invalid" not in english.text
    french = web.get(path, params={"lang": "fr"})
    assert "Cette campagne est menée par Campagne pour la frontière de Calais." in text_of(
        french.text
    )


def test_the_real_sender_address_and_contact_are_shown_once_set(
    web: TestClient, session: Session, campaign: Campaign
) -> None:
    campaign.sender_email = "lettres@frontiere-calais.example.fr"
    session.add(campaign)
    session.commit()
    page = text_of(web.get(CALAIS, params={"lang": "en"}).text)
    assert "Letters and emails come from lettres@frontiere-calais.example.fr." in page


def test_until_organisers_set_them_the_footer_words_the_addresses_neutrally(
    web: TestClient,
) -> None:
    page = web.get(CALAIS, params={"lang": "en"})
    text = text_of(page.text)
    assert "Its organisers have not published a contact address yet." in text
    assert "Letters go out in your name, via the campaign, with your own address" in text
    assert "mailto:" not in page.text and "@" not in text
    french = text_of(web.get(CALAIS, params={"lang": "fr"}).text)
    assert "@" not in french


def test_the_organisation_is_named_in_the_pages_language_with_its_contact(
    web: TestClient, session: Session, campaign: Campaign
) -> None:
    campaign.organisation_name = "Border Solidarity Network"
    campaign.organisation_name_fr = "Réseau Solidarité Frontière"
    campaign.contact_email = "contact@frontiere-calais.fr"
    session.add(campaign)
    session.commit()
    for path in PAGES:
        english = web.get(path, params={"lang": "en"})
        text = text_of(english.text)
        assert "This campaign is run by Border Solidarity Network." in text, path
        assert 'href="mailto:contact@frontiere-calais.fr"' in english.text, path
        assert "This campaign is run by Réseau" not in text
    french = text_of(web.get(CALAIS, params={"lang": "fr"}).text)
    assert "Cette campagne est menée par Réseau Solidarité Frontière." in french
    assert "contact@frontiere-calais.fr" in french


def test_an_organisation_named_in_one_language_is_named_in_both(
    web: TestClient, session: Session, campaign: Campaign
) -> None:
    campaign.organisation_name = "Border Solidarity Network"
    session.add(campaign)
    session.commit()
    french = text_of(web.get(CALAIS, params={"lang": "fr"}).text)
    assert "Cette campagne est menée par Border Solidarity Network." in french
