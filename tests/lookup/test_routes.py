"""The public lookup API: its shape and its refusals."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

LOOKUP_KEYS = {
    "status",
    "question",
    "options",
    "representatives",
    "message",
    "basis",
    "detail",
    "alternative",
}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "country"),
        ({"country": "de", "postcode": "10115"}, "country"),
        ({"country": "uk"}, "postcode"),
        ({"country": "uk", "postcode": ""}, "postcode"),
        ({"country": "uk", "postcode": "A" * 10_000}, "postcode"),
        ({"country": "fr", "postcode": "7" * 10_000}, "postcode"),
        ({"country": "abroad"}, "residence"),
        ({"country": "abroad", "residence": "GBR"}, "residence"),
    ],
)
def test_malformed_lookups_are_422_with_a_readable_message(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get("/api/lookup", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field
    assert body["message"]
    # The offending input is not echoed back.
    assert "A" * 100 not in response.text


def test_uk_postcode_with_no_local_data_offers_pick_by_name(client: TestClient) -> None:
    # ZE9 is no district: neither an exact source nor the nearby table knows it.
    response = client.get("/api/lookup", params={"country": "uk", "postcode": "ZE9 9ZZ"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == LOOKUP_KEYS
    assert body["status"] == "unresolved"
    assert body["question"] == "constituency"
    assert body["basis"] is None


def test_abroad_in_the_uk_matches_the_third_seat(client: TestClient) -> None:
    body = client.get("/api/lookup", params={"country": "abroad", "residence": "gb"}).json()
    assert body["status"] == "matched"
    [rep] = body["representatives"]
    assert rep["constituency"]["id"] == "099-03"
    assert rep["chamber"] == "fr-an"
    assert set(rep) == {"id", "name", "party", "chamber", "constituency", "can_write"}


def test_constituency_search_by_name(client: TestClient) -> None:
    response = client.get("/api/constituencies", params={"country": "uk", "q": "Bath"})
    assert response.status_code == 200
    names = [rep["constituency"]["name"] for rep in response.json()]
    assert names[0] == "Bath"


def test_constituency_search_in_france(client: TestClient) -> None:
    response = client.get("/api/constituencies", params={"country": "fr", "q": "hors de France"})
    ids = {rep["constituency"]["id"] for rep in response.json()}
    assert "099-03" in ids


@pytest.mark.parametrize(
    "params",
    [
        {"country": "uk", "q": ""},
        {"country": "uk", "q": "x" * 101},
        {"country": "abroad", "q": "London"},
    ],
)
def test_constituency_search_refusals(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/api/constituencies", params=params)
    assert response.status_code == 422
    assert response.json()["message"]
