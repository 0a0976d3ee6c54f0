"""The public privacy page (both languages, linked from every page's footer) and the consent
record a sent letter leaves."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.campaigns.models import Campaign
from service.config import Settings
from service.letters.consent import CURRENT_WORDING, ConsentRecord
from tests.web.conftest import CALAIS, letter_form, sent_letter, text_of


def test_privacy_page_in_both_languages(web: TestClient, settings: Settings) -> None:
    home = web.get("/")
    assert '<a href="/privacy">' in home.text
    page = web.get("/privacy")
    text = text_of(page.text)
    assert page.status_code == 200
    assert f"{settings.privacy.retention_days_after_deadline} days after the campaign" in text
    # No contact set yet: neutral words and the way to erase, never a placeholder address.
    assert "repmail.invalid" not in page.text
    assert "open your letter's page" in text
    french = text_of(web.get("/privacy?lang=fr").text)
    assert "Ce que nous gardons sur vous" in french
    assert "90 jours après la date limite de la campagne" in french
    assert "repmail.invalid" not in french


def test_the_privacy_page_names_the_campaigns_contact_once_set(
    web: TestClient, session: Session, campaign: Campaign
) -> None:
    campaign.contact_email = "donnees@frontiere-calais.fr"
    session.add(campaign)
    session.commit()
    text = text_of(web.get("/privacy").text)
    assert "Write to donnees@frontiere-calais.fr from the address you used." in text
    french = text_of(web.get("/privacy?lang=fr").text)
    assert "donnees@frontiere-calais.fr" in french


def test_a_sent_letter_records_which_consent_wording_was_ticked(
    web: TestClient, session: Session
) -> None:
    response = web.post(f"{CALAIS}/send", data=letter_form(web), follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    letter = sent_letter(session)
    record = session.exec(select(ConsentRecord).where(ConsentRecord.letter_id == letter.id)).one()
    assert record.wording_version == CURRENT_WORDING and record.lang == "en"
