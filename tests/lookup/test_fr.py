"""French lookups on the bundled data: a code postal (and commune) or a country of residence
→ député, asking rather than guessing where the data cannot decide."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from service.errors import InvalidInput
from service.lookup.fr import resolve_abroad, resolve_fr
from service.lookup.fr_input import parse_code_postal, parse_commune_code, parse_residence
from service.lookup.models import FrAbroadCountry
from service.lookup.schemas import LookupResult, LookupStatus, Question


def _seats(result: LookupResult) -> list[str]:
    return [rep.constituency.id for rep in result.representatives]


# --- code postal ---------------------------------------------------------------------------


def test_a_code_postal_in_one_seat_is_matched(session: Session) -> None:
    # 01090 serves six communes, all in the Ain's 4th circonscription.
    result = resolve_fr(session, "01090", None)
    assert result.status == LookupStatus.matched
    assert result.question is None
    assert _seats(result) == ["01-04"]
    assert result.representatives[0].can_write
    assert "Ain (4e circonscription)" in result.message


def test_a_code_postal_of_several_communes_asks_for_the_commune(session: Session) -> None:
    result = resolve_fr(session, "01000", None)
    assert result.status == LookupStatus.choose
    assert result.question == Question.commune
    assert [(o.value, o.label) for o in result.options] == [
        ("01053", "Bourg-en-Bresse (01000)"),
        ("01344", "Saint-Denis-lès-Bourg (01000)"),
    ]
    assert result.representatives == []
    assert "Which commune" in result.message

    answered = resolve_fr(session, "01000", "01344")
    assert answered.status == LookupStatus.matched
    assert _seats(answered) == ["01-01"]


def test_a_split_commune_offers_its_deputes(session: Session) -> None:
    result = resolve_fr(session, "01000", "01053")  # Bourg-en-Bresse: 1st and 4th
    assert result.status == LookupStatus.choose
    assert result.question == Question.representative
    assert _seats(result) == ["01-01", "01-04"]
    assert [o.value for o in result.options] == [rep.id for rep in result.representatives]
    assert result.options[0].label.endswith("— Ain (1re circonscription)")
    assert "mairie" in result.message


def test_a_commune_the_code_postal_does_not_serve_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_fr(session, "01000", "75056")
    assert refused.value.field == "commune"
    with pytest.raises(InvalidInput) as malformed:
        resolve_fr(session, "01000", "Bourg")
    assert malformed.value.field == "commune"


def test_former_communes_decide_a_split_commune_nouvelle(session: Session) -> None:
    # Chemillé-en-Anjou (49092), the only commune of 49120, straddles the 2nd and 4th.
    result = resolve_fr(session, "49120", None)
    assert result.status == LookupStatus.choose
    assert result.question == Question.representative
    assert _seats(result) == ["49-02", "49-04"]
    fourth = result.options[1].label
    assert "Chanzeaux" in fourth and "Valanjou" in fourth
    assert "Chanzeaux" not in result.options[0].label
    assert "former communes" in result.message

    # The INSEE code of a former commune is accepted as the commune, and decides.
    chanzeaux = resolve_fr(session, "49120", "49071")
    assert chanzeaux.status == LookupStatus.matched
    assert _seats(chanzeaux) == ["49-04"]
    assert "Chemillé-en-Anjou" in chanzeaux.message
    # ... but only with a code postal of its commune nouvelle.
    with pytest.raises(InvalidInput):
        resolve_fr(session, "01000", "49071")


PARIS = [f"750{n:02d}" for n in range(1, 21)] + ["75116"]
MARSEILLE = [f"130{n:02d}" for n in range(1, 17)]
LYON = [f"6900{n}" for n in range(1, 10)]


@pytest.mark.parametrize(
    ("postal_codes", "department", "seats"),
    [(PARIS, "75", 18), (MARSEILLE, "13", 7), (LYON, "69", 4)],
)
def test_paris_lyon_marseille_offer_every_depute_of_the_city(
    session: Session, postal_codes: list[str], department: str, seats: int
) -> None:
    for postal_code in postal_codes:
        result = resolve_fr(session, postal_code, None)
        assert result.status == LookupStatus.choose, postal_code
        assert result.question == Question.representative
        assert _seats(result) == [f"{department}-{n:02d}" for n in range(1, seats + 1)]
        assert len(result.options) == seats
        assert all(o.value.startswith("fr-PA") for o in result.options)
        assert "Arrondissement" in result.message


def test_an_arrondissement_can_be_given_as_the_commune(session: Session) -> None:
    result = resolve_fr(session, "75016", "75116")
    assert result.question == Question.representative
    with pytest.raises(InvalidInput):
        resolve_fr(session, "75016", "75056")  # Paris as a whole is not the answer


def test_an_unknown_code_postal_offers_search_by_name(session: Session) -> None:
    result = resolve_fr(session, "99999", None)
    assert result.status == LookupStatus.unresolved
    assert result.question == Question.constituency
    assert "99999" in result.message


def test_monaco_is_sent_to_the_abroad_path(session: Session) -> None:
    with pytest.raises(InvalidInput, match="Monaco"):
        resolve_fr(session, "98000", None)


def test_overseas_and_corsica(session: Session) -> None:
    assert resolve_fr(session, "97133", None).representatives[0].constituency.id == "977-01"
    ajaccio = resolve_fr(session, "20000", None)
    assert all(seat.startswith("2A-") for seat in _seats(ajaccio))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("01090", "01090"), (" 75 001 ", "75001"), ("７５００１", "75001"), ("75\u00a0001", "75001")],
)
def test_code_postal_forms_accepted(typed: str, expected: str) -> None:
    assert parse_code_postal(typed) == expected


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("", "Enter your code postal"),
        ("1000", "include the 0"),
        ("750011", "exactly 5 digits"),
        ("SW1A 1AA", "UK postcode"),
        ("2A004", "INSEE code"),
        ("F-75001", "without letters"),
        ("Paris", "5 digits"),
        ("7" * 10_000, "too long"),
        ("٧٥٠٠١", "5 digits"),  # Arabic-Indic digits are not a code postal
    ],
)
def test_malformed_codes_postaux_say_how_to_fix_them(typed: str, hint: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_code_postal(typed)
    assert refused.value.field == "postcode"
    assert hint in refused.value.message
    assert "7" * 20 not in refused.value.message


@given(st.text(max_size=40))
def test_the_code_postal_parser_only_ever_refuses_with_invalid_input(typed: str) -> None:
    try:
        parsed = parse_code_postal(typed)
    except InvalidInput as refused:
        assert refused.field == "postcode" and refused.message
    else:
        assert len(parsed) == 5 and parsed.isascii() and parsed.isdigit()


@given(st.from_regex(r"\s*[0-9]{2}\s?[0-9]{3}\s*", fullmatch=True))
def test_every_five_digit_code_is_accepted(typed: str) -> None:
    assert parse_code_postal(typed) == "".join(c for c in typed if c.isdigit())


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(postcode=st.text(max_size=12), commune=st.none() | st.text(max_size=6))
def test_resolve_fr_never_fails_otherwise(
    session: Session, postcode: str, commune: str | None
) -> None:
    try:
        result = resolve_fr(session, postcode, commune)
    except InvalidInput as refused:
        assert refused.field in ("postcode", "commune")
    else:
        assert result.status in LookupStatus


def test_commune_and_residence_codes_are_read_leniently() -> None:
    assert parse_commune_code(" 2a004 ") == "2A004"
    assert parse_residence(" gb ") == "GB"
    assert parse_residence("uk") == "GB"


# --- abroad --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["GB", "gb", " Gb ", "UK"])
def test_living_in_the_uk_is_the_third_abroad_seat(session: Session, typed: str) -> None:
    result = resolve_abroad(session, typed)
    assert result.status == LookupStatus.matched
    [rep] = result.representatives
    assert rep.constituency.id == "099-03"
    assert rep.id == "fr-PA842311"
    assert "United Kingdom" in result.message


@pytest.mark.parametrize(("iso2", "seat"), [("PS", "099-08"), ("BT", "099-11"), ("KP", "099-11")])
def test_places_the_source_left_unassigned(session: Session, iso2: str, seat: str) -> None:
    assert _seats(resolve_abroad(session, iso2)) == [seat]


def test_every_country_gets_a_seat_or_a_clear_message(session: Session) -> None:
    countries = session.exec(select(FrAbroadCountry)).all()
    assert len(countries) == 250
    seats = set()
    for country in countries:
        try:
            result = resolve_abroad(session, country.iso2)
        except InvalidInput as refused:
            assert country.constituency_id is None
            assert refused.field == "residence"
            assert "code postal" in refused.message
        else:
            assert result.status == LookupStatus.matched
            seats.update(_seats(result))
    assert seats == {f"099-{n:02d}" for n in range(1, 12)}


def test_french_territory_points_to_the_code_postal(session: Session) -> None:
    for iso2 in ("FR", "RE", "NC"):
        with pytest.raises(InvalidInput, match="French territory") as refused:
            resolve_abroad(session, iso2)
        assert refused.value.field == "residence"
    with pytest.raises(InvalidInput, match="Antarctica"):
        resolve_abroad(session, "AQ")


@pytest.mark.parametrize("typed", ["", "GBR", "G", "1A", "éé"])
def test_malformed_residence(session: Session, typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_abroad(session, typed)
    assert refused.value.field == "residence"


def test_unknown_country_code(session: Session) -> None:
    with pytest.raises(InvalidInput, match="ZZ"):
        resolve_abroad(session, "ZZ")


# --- through the API ------------------------------------------------------------------------


def test_api_commune_question_then_answer(client: TestClient) -> None:
    asked = client.get("/api/lookup", params={"country": "fr", "postcode": "01000"})
    assert asked.status_code == 200
    assert asked.json()["question"] == "commune"
    value = asked.json()["options"][1]["value"]
    answered = client.get(
        "/api/lookup", params={"country": "fr", "postcode": "01000", "commune": value}
    )
    assert answered.json()["status"] == "matched"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "fr", "postcode": "SW1A 1AA"}, "postcode"),
        ({"country": "fr", "postcode": "01000", "commune": "75056"}, "commune"),
        ({"country": "abroad", "residence": "FR"}, "residence"),
    ],
)
def test_api_refusals_are_422(client: TestClient, params: dict[str, str], field: str) -> None:
    response = client.get("/api/lookup", params=params)
    assert response.status_code == 422
    assert response.json()["field"] == field
