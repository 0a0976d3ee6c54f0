"""Find your representative: matched, the commune question, the chooser, pick-by-name, and
every refusal, with errors tied to their fields."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.representatives.models import Representative
from tests.web.conftest import ABROAD_GB_DEPUTE, BATH_MP, CALAIS, field_error, input_value, text_of


def test_uk_postcode_matched(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find?country=uk&postcode=ba1+1aa")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Your MP" in text
    assert "Wera Hobhouse" in text and "Liberal Democrat" in text and "Bath" in text
    assert f'href="{CALAIS}/write?country=uk&amp;postcode=ba1+1aa&amp;rep={BATH_MP}"' in page.text


def test_uk_postcode_nobody_imported_offers_pick_by_name(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find?country=uk&postcode=SW1A+1AA")
    assert page.status_code == 200
    assert f'action="{CALAIS}/find/name"' in page.text
    assert "Find your MP by name" in text_of(page.text)


@pytest.mark.parametrize(
    ("postcode", "words"),
    [
        ("QQ1 1QQ", "does not look like a UK postcode"),
        ("75011", "French code postal"),
        ("JE2 3AB", "no MP at Westminster"),
        ("SW1A", "full postcode"),
        ("x" * 500, ""),
    ],
)
def test_uk_postcode_refused_next_to_its_field(web: TestClient, postcode: str, words: str) -> None:
    page = web.get(f"{CALAIS}/find", params={"country": "uk", "postcode": postcode})
    assert page.status_code == 422
    error = field_error(page.text, "uk-postcode")
    assert error and words in error
    assert 'aria-invalid="true"' in page.text
    assert 'aria-describedby="f-uk-postcode-hint f-uk-postcode-error"' in page.text
    assert '<a href="#f-uk-postcode">' in page.text  # the error summary links to the field
    assert page.text.count("<title>Error: ") == 1
    assert input_value(page.text, "postcode") == postcode[:40]


def test_french_page_gives_its_own_words_with_the_detail(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find?country=uk&postcode=nonsense&lang=fr")
    assert page.status_code == 422
    error = field_error(page.text, "uk-postcode")
    assert error and error.startswith("Nous n'avons pas pu utiliser ce code postal britannique.")
    assert '<span lang="en">' in page.text


def test_code_postal_shared_by_communes_asks_which(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find?country=fr&postcode=01000")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Which commune do you live in?" in text
    assert "Saint-Denis-lès-Bourg" in text and "Bourg-en-Bresse" in text
    assert '<legend><h1 class="fieldset__heading">' in page.text
    assert 'type="radio"' in page.text and 'name="commune"' in page.text


def test_commune_answer_matches_or_asks_for_the_deputy(web: TestClient) -> None:
    answered = web.get(f"{CALAIS}/find?country=fr&postcode=01000&commune=01344")
    assert answered.status_code == 200
    assert "Your député" in text_of(answered.text)
    assert f'class="button" href="{CALAIS}/write?' in answered.text
    split = web.get(f"{CALAIS}/find?country=fr&postcode=01000&commune=01053")
    assert split.status_code == 200
    assert "Which of these is your député?" in text_of(split.text)
    assert split.text.count('name="rep"') >= 2
    assert f'action="{CALAIS}/write"' in split.text


def test_commune_not_served_by_the_code_postal_is_refused(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find?country=fr&postcode=01000&commune=75056")
    assert page.status_code == 422
    assert field_error(page.text, "fr-postcode")


def test_french_citizen_in_the_uk_gets_the_third_abroad_seat(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find?country=abroad&residence=GB")
    assert page.status_code == 200
    assert "Vincent Caure" in text_of(page.text)
    assert f"rep={ABROAD_GB_DEPUTE}" in page.text


@pytest.mark.parametrize("residence", ["ZZ", "FR", "1", "GBR"])
def test_unknown_or_french_residence_is_refused(web: TestClient, residence: str) -> None:
    page = web.get(f"{CALAIS}/find?country=abroad&residence={residence}")
    assert page.status_code == 422
    assert field_error(page.text, "abroad-residence")


def test_find_without_enough_input_shows_the_paths(web: TestClient) -> None:
    for query in ("", "country=bogus", "country=uk", "country=abroad"):
        page = web.get(f"{CALAIS}/find?{query}")
        assert page.status_code == 200, query
        assert "Find your representative" in text_of(page.text)
    only_uk = web.get(f"{CALAIS}/find?country=uk").text
    assert 'id="f-uk-postcode"' in only_uk and 'id="f-fr-postcode"' not in only_uk


def test_representative_who_cannot_be_written_to_is_shown_but_not_selectable(
    web: TestClient, session: Session
) -> None:
    rep = session.get(Representative, BATH_MP)
    assert rep is not None
    rep.email = None
    session.add(rep)
    session.flush()
    page = web.get(f"{CALAIS}/find?country=uk&postcode=BA11AA")
    assert page.status_code == 200
    assert "Cannot be written to yet." in text_of(page.text)
    assert f"{CALAIS}/write?" not in page.text
    compose = web.get(f"{CALAIS}/write?rep={BATH_MP}")
    assert compose.status_code == 409
    assert 'name="name"' not in compose.text


def test_pick_by_name(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find/name?country=uk&q=bath")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "2 results" in text and "Wera Hobhouse" in text
    assert f"rep={BATH_MP}" in page.text
    french = web.get(f"{CALAIS}/find/name?country=fr&q=Caure")
    assert "Vincent Caure" in text_of(french.text)
    empty_form = web.get(f"{CALAIS}/find/name?country=uk")
    assert empty_form.status_code == 200 and "result" not in text_of(empty_form.text)
    nothing = web.get(f"{CALAIS}/find/name?country=uk&q=zzzzqqq")
    assert "Nothing matches" in text_of(nothing.text)


@pytest.mark.parametrize("q", ["", "   ", "x" * 101])
def test_pick_by_name_refusals(web: TestClient, q: str) -> None:
    page = web.get(f"{CALAIS}/find/name", params={"country": "uk", "q": q})
    assert page.status_code == 422
    assert field_error(page.text, "q")


def test_odd_input_in_the_query_never_breaks_a_page(web: TestClient) -> None:
    for raw in ("%00", "%0D%0A", "%ED%A0%80", "%F0%9F%98%80", "a%E2%80%AEb", "%FF%FE"):
        for path in (
            f"{CALAIS}/find?country=uk&postcode={raw}",
            f"{CALAIS}/find/name?country=fr&q={raw}",
        ):
            page = web.get(path)
            assert page.status_code in (200, 422), path


def test_commune_made_of_former_communes_asks_which_one(web: TestClient) -> None:
    english = web.get(f"{CALAIS}/find?country=fr&postcode=74000")
    assert english.status_code == 200
    assert "Which former commune do you live in?" in text_of(english.text)
    assert "Seynod (part of Annecy)" in text_of(english.text)
    french = text_of(web.get(f"{CALAIS}/find?country=fr&postcode=74000&lang=fr").text)
    assert "Dans quelle commune déléguée habitez-vous ?" in french
    assert "Seynod (rattachée à Annecy)" in french
    assert "Je ne sais pas / ma commune déléguée n'est pas dans la liste" in french
    unknown = web.get(f"{CALAIS}/find?country=fr&postcode=74000&commune=74010.unknown&lang=en")
    assert "Which of these is your député?" in text_of(unknown.text)


@pytest.mark.parametrize(
    ("query", "field", "english", "french"),
    [
        ("country=uk&postcode=", "uk-postcode", "Enter your postcode", "Saisissez votre code"),
        ("country=fr&postcode=+", "fr-postcode", "Enter your code postal", "Saisissez votre code"),
        ("country=abroad&residence=", "abroad-residence", "Choose the country", "Choisissez le"),
    ],
)
def test_a_start_form_sent_empty_says_what_is_missing(
    web: TestClient, query: str, field: str, english: str, french: str
) -> None:
    for lang, words in (("en", english), ("fr", french)):
        page = web.get(f"{CALAIS}/find?{query}&lang={lang}")
        assert page.status_code == 422
        assert words in (field_error(page.text, field) or "")
        assert "error-summary" in page.text


def test_a_link_to_the_start_form_is_not_an_error(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find?country=uk")
    assert page.status_code == 200
    assert "error-summary" not in page.text


def test_the_chooser_sent_with_nothing_chosen_asks_again(web: TestClient) -> None:
    split = web.get(f"{CALAIS}/find?country=fr&postcode=01000&commune=01053&lang=fr")
    assert 'name="rep"' in split.text
    went_on = web.get(f"{CALAIS}/write?country=fr&postcode=01000&commune=01053")
    assert went_on.status_code == 422, went_on.url
    assert "unanswered=rep" in str(went_on.url)
    assert "Choisissez votre circonscription" in (field_error(went_on.text, "rep") or "")
    assert 'name="rep"' in went_on.text  # the same question, with its choices


def test_the_commune_question_sent_with_nothing_chosen_asks_again(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find?country=fr&postcode=01000&unanswered=commune&lang=en")
    assert page.status_code == 422
    assert "Choose your commune" in (field_error(page.text, "commune") or "")
    chosen = web.get(f"{CALAIS}/find?country=fr&postcode=01000&commune=01344&unanswered=commune")
    assert chosen.status_code == 200


def test_the_french_name_search_finds_a_commune(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find/name?country=fr&q=Dunkerque")
    assert page.status_code == 200
    # The commune's two circonscriptions, with French ordinals (raised, a no-break space).
    assert "Nord (13ᵉ\u00a0circonscription)" in page.text
    assert "Nord (14ᵉ\u00a0circonscription)" in page.text


def test_the_uk_name_search_hint_does_not_mention_deputes(web: TestClient) -> None:
    page = web.get(f"{CALAIS}/find?country=uk&postcode=SW1A+1AA&lang=en")
    assert "Find your MP by name" in text_of(page.text)
    assert (
        "député"
        not in text_of(page.text)
        .split("Find your MP by name", 1)[1]
        .split("This campaign is run by")[0]
    )


@pytest.mark.parametrize("typed", ["1000", "75001 CEDEX", "SW1A 1AA", "2A004", "abc", "750011"])
def test_an_invalid_code_postal_is_refused_entirely_in_french(web: TestClient, typed: str) -> None:
    from service.web.public.lookup_messages import CODE_POSTAL_REFUSALS

    english = web.get(f"{CALAIS}/find", params={"country": "fr", "postcode": typed, "lang": "en"})
    assert english.status_code == 422
    assert field_error(english.text, "fr-postcode") in CODE_POSTAL_REFUSALS
    french = web.get(f"{CALAIS}/find", params={"country": "fr", "postcode": typed, "lang": "fr"})
    error = field_error(french.text, "fr-postcode") or ""
    assert error and 'lang="en"' not in french.text.split('id="f-fr-postcode-error"')[1][:400]
    assert "code postal" in error
