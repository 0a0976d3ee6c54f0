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
