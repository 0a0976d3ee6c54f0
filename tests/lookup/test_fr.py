"""French lookups on the bundled data: a code postal (and commune) or a country of residence
→ député, asking rather than guessing where the data cannot decide."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from service.errors import InvalidInput
from service.lookup.fr import FORMER_UNKNOWN_LABEL, resolve_abroad, resolve_fr
from service.lookup.fr_input import (
    CommuneChoice,
    parse_code_postal,
    parse_commune_choice,
    parse_residence,
)
from service.lookup.schemas import LookupResult, LookupStatus, Question
from service.representatives.models import (
    FrAbroadCountry,
    FrCommuneConstituency,
    FrFormerCommune,
    FrPostalCode,
)


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
    assert "Ain (4ᵉ\u00a0circonscription)" in result.message


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
    assert result.options[0].label.endswith("— Ain (1ʳᵉ\u00a0circonscription)")
    assert "mairie" in result.message


def test_a_commune_the_code_postal_does_not_serve_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_fr(session, "01000", "75056")
    assert refused.value.field == "commune"
    with pytest.raises(InvalidInput) as malformed:
        resolve_fr(session, "01000", "Bourg")
    assert malformed.value.field == "commune"


# --- split communes nouvelles: the former commune -------------------------------------------


def _former_values(result: LookupResult) -> list[str]:
    return [o.value for o in result.options]


def test_annecy_asks_for_the_former_commune(session: Session) -> None:
    # Annecy (74010), the only commune of 74000, straddles the 1st and 2nd circonscriptions.
    asked = resolve_fr(session, "74000", None)
    assert asked.status == LookupStatus.choose
    assert asked.question == Question.commune
    assert [(o.value, o.label) for o in asked.options] == [
        ("74010.74010", "Annecy (part of Annecy)"),
        ("74010.74011", "Annecy-le-Vieux (part of Annecy)"),
        ("74010.74093", "Cran-Gevrier (part of Annecy)"),
        ("74010.74182", "Meythet (part of Annecy)"),
        ("74010.74217", "Pringy (part of Annecy)"),
        ("74010.74268", "Seynod (part of Annecy)"),
        ("74010.unknown", FORMER_UNKNOWN_LABEL),
    ]
    # The candidates come with the question, for a client that offers them straight away.
    assert _seats(asked) == ["74-01", "74-02"]
    assert "Which former commune" in asked.message and "2 députés" in asked.message

    seynod = resolve_fr(session, "74000", "74010.74268")
    assert seynod.status == LookupStatus.matched
    assert _seats(seynod) == ["74-02"]
    assert "Seynod (a former commune, now part of Annecy)" in seynod.message
    assert _seats(resolve_fr(session, "74000", "74010.74011")) == ["74-01"]

    # The former commune of Annecy itself is split too: choose among the députés.
    annecy = resolve_fr(session, "74000", "74010.74010")
    assert annecy.question == Question.representative
    assert _seats(annecy) == ["74-01", "74-02"]
    assert "does not place Annecy" in annecy.message
    # So is "I don't know", without asking for the former commune again.
    unknown = resolve_fr(session, "74000", "74010.unknown")
    assert unknown.question == Question.representative
    assert _seats(unknown) == ["74-01", "74-02"]
    assert [o.value for o in unknown.options] == [rep.id for rep in unknown.representatives]
    # Another code postal of Annecy, shared with other communes: the commune first.
    assert resolve_fr(session, "74370", None).question == Question.commune
    assert _seats(resolve_fr(session, "74370", "74010.74217")) == ["74-01"]


def test_chemille_en_anjou_and_its_main_former_commune(session: Session) -> None:
    # 13 former communes; Chemillé shares its INSEE code with the commune nouvelle.
    asked = resolve_fr(session, "49120", None)
    assert asked.question == Question.commune
    assert len(asked.options) == 14
    assert ("49092.49092", "Chemillé (part of Chemillé-en-Anjou)") in [
        (o.value, o.label) for o in asked.options
    ]
    assert _seats(resolve_fr(session, "49120", "49092.49092")) == ["49-02"]
    assert _seats(resolve_fr(session, "49120", "49092.49071")) == ["49-04"]  # Chanzeaux
    # Given as the commune, 49092 is the commune nouvelle: the question again.
    assert resolve_fr(session, "49120", "49092").question == Question.commune


def test_lamballe_armor_after_the_commune_question(session: Session) -> None:
    communes = resolve_fr(session, "22400", None)
    assert communes.question == Question.commune
    assert "22093" in [o.value for o in communes.options]
    assert communes.representatives == []
    formers = resolve_fr(session, "22400", "22093")
    assert formers.question == Question.commune
    assert _former_values(formers) == [
        "22093.22093",
        "22093.22151",
        "22093.22154",
        "22093.22173",
        "22093.unknown",
    ]
    assert _seats(resolve_fr(session, "22400", "22093.22093")) == ["22-03"]  # Lamballe
    assert _seats(resolve_fr(session, "22400", "22093.22173")) == ["22-02"]  # Planguenoual


# data-fr.md §5: split only because of mergers after 2021, each former commune in one seat
# (Porte des Pierres Dorées excepted: two of its three are not placed).
@pytest.mark.parametrize(
    ("postal_code", "commune", "expected"),
    [
        ("01350", "01138", {"01138": ["01-03"], "01039": ["01-05"]}),  # Culoz-Béon
        (
            "19140",
            "19248",  # Les Trois-Saints
            {"19248": ["19-01"], "19223": ["19-02"], "19230": ["19-02"]},
        ),
        (
            "61240",
            "61275",  # Merlerault-le-Pin
            {
                "61017": ["61-02"],
                "61188": ["61-02"],
                "61192": ["61-01"],
                "61275": ["61-02"],
                "61310": ["61-02"],
            },
        ),
        (
            "69400",
            "69114",  # Porte des Pierres Dorées
            {"69114": ["69-09"], "69101": ["69-08", "69-09"], "69159": ["69-08", "69-09"]},
        ),
        ("85460", None, {"85001": ["85-05"], "85307": ["85-02"]}),  # L'Aiguillon-la-Presqu'île
    ],
)
def test_post_2021_mergers_resolve_by_former_commune(
    session: Session, postal_code: str, commune: str | None, expected: dict[str, list[str]]
) -> None:
    parent = commune or "85001"
    if commune is not None:  # a code postal of several communes: the commune first
        assert resolve_fr(session, postal_code, None).question == Question.commune
    asked = resolve_fr(session, postal_code, commune)
    assert asked.question == Question.commune
    assert sorted(_former_values(asked)) == sorted(
        [f"{parent}.{code}" for code in expected] + [f"{parent}.unknown"]
    )
    for code, seats in expected.items():
        answer = resolve_fr(session, postal_code, f"{parent}.{code}")
        assert _seats(answer) == seats, code
        expected_status = LookupStatus.matched if len(seats) == 1 else LookupStatus.choose
        assert answer.status == expected_status


def test_a_commune_whose_main_part_is_not_a_former_commune(session: Session) -> None:
    # Ingrandes-le-Fresne-sur-Loire: Saint-Sigismond decides; Ingrandes itself is not listed.
    asked = resolve_fr(session, "49123", "49160")
    assert _former_values(asked) == ["49160.49382", "49160.49321", "49160.unknown"]
    assert _seats(resolve_fr(session, "49123", "49160.49321")) == ["49-07"]
    unknown = resolve_fr(session, "49123", "49160.unknown")
    assert unknown.question == Question.representative
    assert _seats(unknown) == ["44-06", "49-06", "49-07"]


def test_every_former_commune_question_can_be_answered(session: Session) -> None:
    """On the whole bundled data: each split commune with a deciding former commune asks
    for it under each of its codes postaux, and each answer is the former commune's seat,
    or its commune's députés to choose from."""
    formers = session.exec(select(FrFormerCommune)).all()
    parents = {f.parent_code for f in formers if f.constituency_id}
    assert len(formers) == 140
    assert sum(1 for f in formers if f.constituency_id) == 118
    assert len(parents) == 35
    for parent in sorted(parents):
        parent_seats = sorted(
            session.exec(
                select(FrCommuneConstituency.constituency_id).where(
                    FrCommuneConstituency.code_insee == parent
                )
            ).all()
        )
        postal_codes = session.exec(
            select(FrPostalCode.postal_code).where(col(FrPostalCode.code_insee) == parent)
        ).all()
        for postal_code in postal_codes:
            asked = resolve_fr(session, postal_code, parent)
            assert asked.question == Question.commune, (postal_code, parent)
            assert _seats(asked) == parent_seats
            assert asked.options[-1].value == f"{parent}.unknown"
            for option in asked.options:
                answer = resolve_fr(session, postal_code, option.value)
                if answer.status == LookupStatus.matched:
                    assert _seats(answer)[0] in parent_seats
                else:
                    assert answer.question == Question.representative
                    assert _seats(answer) == parent_seats


@pytest.mark.parametrize(
    ("postal_code", "commune"),
    [("42000", "42218"), ("59000", "59350"), ("49400", "49328"), ("93200", "93066")],
)
def test_split_communes_without_deciding_former_communes(
    session: Session, postal_code: str, commune: str
) -> None:
    # Saint-Étienne, Lille, Saumur: former communes, none in a single seat → the députés.
    # Saint-Denis: Pierrefitte-sur-Seine decides, so the question is asked.
    result = resolve_fr(session, postal_code, commune)
    if commune == "93066":
        assert result.question == Question.commune
        assert _seats(resolve_fr(session, postal_code, "93066.93059")) == ["93-02"]
    else:
        assert result.question == Question.representative
        assert "mairie" in result.message


@pytest.mark.parametrize(
    ("postal_code", "commune"),
    [
        ("01000", "49092.49071"),  # the commune nouvelle is not served by this code
        ("49120", "49092.74011"),  # Annecy-le-Vieux is not a former commune of Chemillé
        ("49120", "49071"),  # a former commune alone is not a commune of the code
        ("01000", "01053.01053"),  # Bourg-en-Bresse has no former communes on record
        ("75016", "75116.75116"),  # nor has an arrondissement
        ("01000", "01053.01054"),
    ],
)
def test_mismatched_former_communes_are_refused(
    session: Session, postal_code: str, commune: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_fr(session, postal_code, commune)
    assert refused.value.field == "commune"


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("49092.", "49092.49071"),
        (".49071", "49092.49071"),
        ("49092.4907", "49092.49071"),
        ("49092.490711", "49092.49071"),
        ("49092.49071.1", "49092.49071"),
        ("49092..49071", "49092.49071"),
        ("49092.unknow", "49092.49071"),
        ("49092.other", "49092.49071"),
        ("49092.2C001", "49092.49071"),
        ("Chemillé.Chanzeaux", "49092.49071"),
        ("4" * 10_000 + ".1", "49092.49071"),
        ("49092-49071", "01053"),
        ("49092 49071", "01053"),
        ("490920", "01053"),
    ],
)
def test_malformed_commune_values_say_how_to_fix_them(typed: str, hint: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_commune_choice(typed)
    assert refused.value.field == "commune"
    assert hint in refused.value.message
    assert "4" * 20 not in refused.value.message


def test_commune_choices_are_read_strictly_but_leniently_spaced() -> None:
    assert parse_commune_choice(" 2a004 ") == CommuneChoice("2A004")
    assert parse_commune_choice("49092.49071") == CommuneChoice("49092", "49071")
    assert parse_commune_choice("２Ｂ０３３.２Ｂ０３３") == CommuneChoice("2B033", "2B033")
    assert parse_commune_choice("49092.Unknown") == CommuneChoice("49092", former_unknown=True)
    with pytest.raises(InvalidInput, match="01053"):
        parse_commune_choice("Bourg")


PARIS = [f"750{n:02d}" for n in range(1, 21)] + ["75116"]
MARSEILLE = [f"130{n:02d}" for n in range(1, 17)]
LYON = [f"6900{n}" for n in range(1, 10)]


@pytest.mark.parametrize(
    ("postal_codes", "department", "seats"),
    [(PARIS, "75", 18), (MARSEILLE, "13", 7), (LYON, "69", 4)],
)
def test_an_arrondissement_offers_its_own_deputes_and_the_whole_city(
    session: Session, postal_codes: list[str], department: str, seats: int
) -> None:
    for postal_code in postal_codes:
        result = resolve_fr(session, postal_code, None)
        assert result.status == LookupStatus.choose, postal_code
        assert result.question == Question.representative
        assert 1 <= len(result.options) <= 3, postal_code
        assert all(o.value.startswith("fr-PA") for o in result.options)
        assert result.alternative is not None
        assert result.alternative.label.startswith("Not in this list: all the députés of")
        whole = resolve_fr(session, postal_code, result.alternative.value)
        assert whole.status == LookupStatus.choose
        assert _seats(whole) == [f"{department}-{n:02d}" for n in range(1, seats + 1)]
        assert set(_seats(result)) < set(_seats(whole))
        assert "Arrondissement" in whole.message


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
@given(
    postcode=st.text(max_size=12) | st.sampled_from(["49120", "74000", "01350", "75016"]),
    commune=st.none()
    | st.text(max_size=14)
    | st.from_regex(r"[0-9]{5}(\.([0-9]{5}|unknown))?", fullmatch=True),
)
def test_resolve_fr_never_fails_otherwise(
    session: Session, postcode: str, commune: str | None
) -> None:
    try:
        result = resolve_fr(session, postcode, commune)
    except InvalidInput as refused:
        assert refused.field in ("postcode", "commune")
    else:
        assert result.status in LookupStatus


def test_residence_codes_are_read_leniently() -> None:
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


def test_api_former_commune_question_then_answer(client: TestClient) -> None:
    params = {"country": "fr", "postcode": "01350"}
    communes = client.get("/api/lookup", params=params).json()
    assert communes["question"] == "commune"
    formers = client.get("/api/lookup", params={**params, "commune": "01138"}).json()
    assert formers["status"] == "choose" and formers["question"] == "commune"
    assert formers["options"] == [
        {"value": "01138.01039", "label": "Béon (part of Culoz-Béon)"},
        {"value": "01138.01138", "label": "Culoz (part of Culoz-Béon)"},
        {"value": "01138.unknown", "label": FORMER_UNKNOWN_LABEL},
    ]
    assert [r["constituency"]["id"] for r in formers["representatives"]] == ["01-03", "01-05"]
    beon = client.get("/api/lookup", params={**params, "commune": "01138.01039"}).json()
    assert beon["status"] == "matched"
    assert [r["constituency"]["id"] for r in beon["representatives"]] == ["01-05"]
    unknown = client.get("/api/lookup", params={**params, "commune": "01138.unknown"}).json()
    assert unknown["question"] == "representative"
    assert len(unknown["representatives"]) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"country": "fr", "postcode": "SW1A 1AA"}, "postcode"),
        ({"country": "fr", "postcode": "01000", "commune": "75056"}, "commune"),
        ({"country": "fr", "postcode": "01350", "commune": "01138.0103"}, "commune"),
        ({"country": "fr", "postcode": "01350", "commune": "01138.49071"}, "commune"),
        ({"country": "fr", "postcode": "01000", "commune": "01138.01039"}, "commune"),
        ({"country": "fr", "postcode": "01350", "commune": "01138.01039.01039"}, "commune"),
        ({"country": "abroad", "residence": "FR"}, "residence"),
    ],
)
def test_api_refusals_are_422(client: TestClient, params: dict[str, str], field: str) -> None:
    response = client.get("/api/lookup", params=params)
    assert response.status_code == 422
    assert response.json()["field"] == field
