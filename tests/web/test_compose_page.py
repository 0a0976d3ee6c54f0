"""The letter form as the supporter writes: the paragraph's limit and count, a paragraph far
too long given back whole with its true length, and the hints of each path."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.letters.schemas import MAX_MESSAGE
from tests.web.conftest import (
    ABROAD_GB_DEPUTE,
    BATH_MP,
    CALAIS,
    field_error,
    letter_form,
    text_of,
    textarea_value,
)


def test_the_limit_is_shown_before_anything_is_typed(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/write?rep={BATH_MP}&country=uk&postcode=BA1+1AA")
    assert 'id="f-message-count"' in page.text
    assert "At most 5,000 characters." in text_of(page.text)
    french = web.get(f"{CALAIS}/write?rep={BATH_MP}&country=uk&postcode=BA1+1AA&lang=fr")
    assert "5\u202f000 caractères au maximum." in french.text


def test_a_paragraph_far_too_long_comes_back_whole_with_its_true_length(web: TestClient) -> None:
    paragraph = ("Calais " * 3000)[:20000]
    page = web.post(f"{CALAIS}/write", data=letter_form(web, message=paragraph))
    assert page.status_code == 422
    assert textarea_value(page.text, "message") == paragraph
    error = field_error(page.text, "message") or ""
    assert "20000" in error and str(MAX_MESSAGE) in error
    # Without JavaScript the count is in the page itself.
    assert "20,000 characters: 15,000 too many (at most 5,000)" in text_of(page.text)


def test_the_form_says_pasting_the_campaign_text_is_not_your_own_words(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/write?rep={BATH_MP}&country=uk&postcode=BA1+1AA")
    assert "pasting them here does not count as your own words" in text_of(page.text)


def test_abroad_the_postcode_is_explained_and_no_english_town_is_offered(
    web: TestClient,
) -> None:
    page = web.get(f"{CALAIS}/write?rep={ABROAD_GB_DEPUTE}&country=abroad&residence=GB")
    text = text_of(page.text)
    assert "The postcode of your address in the country where you live" in text
    assert "Bristol" not in text
    uk = text_of(web.get(f"{CALAIS}/write?rep={BATH_MP}&country=uk&postcode=BA1+1AA").text)
    assert "Bristol" in uk
