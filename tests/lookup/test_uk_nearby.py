"""The UK lookup order (exact sources → the nearby short list → search by name), on a nearby
table the tests write, and the bundled table through the API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.errors import InvalidInput
from service.lookup.schemas import Basis, LookupStatus, Question
from service.lookup.uk import resolve_uk
from service.lookup.uk_nearby import NearbyShortList
from service.representatives.uk_nearby import NearbyRows, write_nearby
from tests.lookup.test_uk import ALDERSHOT, BOLTON_SOUTH, TableResolver

FARNHAM = "E14001236"  # "Farnham and Bordon"


def _inline(work: Callable[[], None]) -> None:
    work()


@pytest.fixture
def nearby(tmp_path: Path) -> NearbyShortList:
    path = tmp_path / "nearby.csv.gz"
    write_nearby(
        path,
        NearbyRows(
            districts={"GU11": (ALDERSHOT,), "GU9": (ALDERSHOT, FARNHAM)},
            postcodes={("GU9", (ALDERSHOT, FARNHAM)): ["8AA"], ("GU9", (FARNHAM,)): ["9AA"]},
        ),
    )
    short_list = NearbyShortList(path, background=_inline)
    short_list.start_warm_up()
    return short_list


def test_an_exact_source_wins_over_the_short_list(
    session: Session, nearby: NearbyShortList
) -> None:
    result = resolve_uk(session, "GU11 1AA", [TableResolver({"GU111AA": BOLTON_SOUTH})], nearby)
    assert result.status is LookupStatus.matched
    assert result.basis is Basis.exact
    assert result.representatives[0].constituency.id == BOLTON_SOUTH


def test_one_nearby_candidate_is_offered_as_a_question(
    session: Session, nearby: NearbyShortList
) -> None:
    result = resolve_uk(session, "GU11 1AA", [TableResolver({})], nearby)
    assert result.status is LookupStatus.choose
    assert result.question is Question.representative
    assert result.basis is Basis.nearby
    assert [o.value for o in result.options] == ["uk-5173"]
    assert "is in or near Aldershot" in result.message
    assert "search for your constituency by name" in result.message


def test_several_nearby_candidates_are_a_choice(session: Session, nearby: NearbyShortList) -> None:
    result = resolve_uk(session, "GU9 8AA", [], nearby)
    assert result.basis is Basis.nearby
    assert {r.constituency.id for r in result.representatives} == {ALDERSHOT, FARNHAM}
    assert "2 constituencies meet" in result.message
    narrower = resolve_uk(session, "GU9 9AA", [], nearby)
    assert [r.constituency.id for r in narrower.representatives] == [FARNHAM]


def test_an_outward_code_alone_gets_its_district(session: Session, nearby: NearbyShortList) -> None:
    result = resolve_uk(session, "gu9", [], nearby)
    assert result.basis is Basis.nearby
    assert {r.constituency.id for r in result.representatives} == {ALDERSHOT, FARNHAM}
    assert "Postcodes starting GU9 are in 2 constituencies" in result.message
    with pytest.raises(InvalidInput, match="Enter your full postcode"):
        resolve_uk(session, "SW1A", [], nearby)  # not in this table
    with pytest.raises(InvalidInput, match="Enter your full postcode"):
        resolve_uk(session, "GU9", [])  # no table at all


def test_northern_ireland_chooses_among_its_18_seats(
    session: Session, nearby: NearbyShortList
) -> None:
    result = resolve_uk(session, "BT9 5AA", [TableResolver({})], nearby)
    assert result.status is LookupStatus.choose
    assert result.basis is None
    assert len(result.options) == 18
    assert {r.constituency.id[:3] for r in result.representatives} == {"N05"}
    exact = resolve_uk(session, "BT9 5AA", [TableResolver({"BT95AA": "N05000003"})], nearby)
    assert exact.status is LookupStatus.matched


def test_no_source_at_all_asks_for_a_name(session: Session, nearby: NearbyShortList) -> None:
    result = resolve_uk(session, "SW1A 1AA", [TableResolver({})], nearby)
    assert result.status is LookupStatus.unresolved
    assert result.basis is None
    assert result.question is Question.constituency


def test_a_missing_table_leaves_the_short_list_empty(session: Session, tmp_path: Path) -> None:
    missing = NearbyShortList(tmp_path / "absent.csv.gz", background=_inline)
    missing.start_warm_up()
    assert missing.for_postcode("GU111AA") == ()
    assert resolve_uk(session, "GU11 1AA", [], missing).status is LookupStatus.unresolved


def test_out_of_the_box_the_api_answers_from_the_bundled_table(client: TestClient) -> None:
    response = client.get("/api/lookup", params={"country": "uk", "postcode": "SW1A 1AA"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["basis"] == "nearby"
    assert body["status"] == "choose"
    [rep] = body["representatives"]
    assert rep["constituency"]["name"] == "Cities of London and Westminster"
    outward = client.get("/api/lookup", params={"country": "uk", "postcode": "SW1A"}).json()
    assert "Cities of London and Westminster" in {
        r["constituency"]["name"] for r in outward["representatives"]
    }
    belfast = client.get("/api/lookup", params={"country": "uk", "postcode": "BT1 5GS"}).json()
    assert len(belfast["representatives"]) == 18
