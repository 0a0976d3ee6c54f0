"""Paris, Lyon and Marseille arrondissements narrowed to their own circonscriptions (with the
way out to the whole city), and CEDEX or company codes postaux."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlmodel import Session

from service.errors import InvalidInput
from service.lookup.fr import resolve_fr
from service.lookup.schemas import LookupStatus, Question
from service.representatives.models import FrArrondissementConstituency


def _replace_rows(
    session: Session, code: str, seats: list[str], detail: str, confidence: str
) -> None:
    session.execute(
        delete(FrArrondissementConstituency).where(
            FrArrondissementConstituency.code_insee == code  # type: ignore[arg-type]
        )
    )
    for seat in seats:
        session.add(
            FrArrondissementConstituency(
                code_insee=code, constituency_id=seat, detail=detail, confidence=confidence
            )
        )
    session.flush()


def test_a_split_arrondissement_says_how_it_divides(session: Session) -> None:
    _replace_rows(session, "75107", ["75-02", "75-12"], "quartier Test → 75-12", "high")
    result = resolve_fr(session, "75007", None)
    assert result.status is LookupStatus.choose
    assert result.question is Question.representative
    assert [r.constituency.id for r in result.representatives] == ["75-02", "75-12"]
    assert result.detail == "quartier Test → 75-12"
    assert "divided between 2 circonscriptions (quartier Test → 75-12;" in result.message
    assert "all the députés of Paris" in result.message
    assert result.alternative is not None
    assert result.alternative.value == "75107.unknown"
    assert result.alternative.label == "Not in this list: all the députés of Paris"
    assert "published descriptions" not in result.message


def test_one_circonscription_is_still_a_question_with_the_way_out(session: Session) -> None:
    _replace_rows(session, "75101", ["75-01"], "", "high")
    result = resolve_fr(session, "75001", None)
    assert result.status is LookupStatus.choose
    assert [r.constituency.id for r in result.representatives] == ["75-01"]
    assert "lies in one circonscription" in result.message
    assert result.alternative is not None


def test_medium_confidence_rows_say_where_they_come_from(session: Session) -> None:
    _replace_rows(session, "69381", ["69-02"], "", "medium")
    result = resolve_fr(session, "69001", None)
    assert "published descriptions" in result.message
    assert "all the députés of Lyon" in result.message


def test_the_way_out_lists_the_whole_city(session: Session) -> None:
    _replace_rows(session, "13205", ["13-04", "13-05"], "", "medium")
    whole = resolve_fr(session, "13005", "13205.unknown")
    assert len(whole.representatives) == 7
    assert whole.alternative is None


def test_an_arrondissement_without_rows_offers_the_whole_city(session: Session) -> None:
    _replace_rows(session, "75120", [], "", "high")
    result = resolve_fr(session, "75020", None)
    assert len(result.representatives) == 18


def test_cedex_and_company_codes_ask_for_the_home_code(session: Session) -> None:
    for code in ("75700", "13331", "92081"):
        with pytest.raises(InvalidInput, match="CEDEX or company code postal") as caught:
            resolve_fr(session, code, None)
        assert caught.value.field == "postcode"
    with pytest.raises(InvalidInput, match="CEDEX code postal belongs"):
        resolve_fr(session, "75007 CEDEX 07", None)
    # A code of no département at all is not called a CEDEX code.
    unknown = resolve_fr(session, "96000", None)
    assert unknown.status is LookupStatus.unresolved


def test_the_api_carries_the_short_list_fields(client: TestClient) -> None:
    body = client.get("/api/lookup", params={"country": "fr", "postcode": "75007"}).json()
    assert body["status"] == "choose"
    assert body["alternative"]["value"] == "75107.unknown"
    assert body["basis"] is None
    cedex = client.get("/api/lookup", params={"country": "fr", "postcode": "75700"})
    assert cedex.status_code == 422
    assert "CEDEX" in cedex.json()["message"]


def test_every_paris_arrondissement_matches_the_source(session: Session, shared_data: Path) -> None:
    path = shared_data / "fr" / "circonscriptions" / "plm_arrondissement_circonscriptions.csv"
    with path.open(encoding="utf-8") as handle:
        rows = [
            row for row in csv.DictReader(handle) if row["arrondissement_insee"].startswith("751")
        ]
    assert len(rows) == 20
    for row in rows:
        expected = sorted(row["circonscriptions"].split("|"))
        for code_postal in row["codes_postaux"].split(";"):
            result = resolve_fr(session, code_postal, None)
            assert [r.constituency.id for r in result.representatives] == expected, code_postal
            assert result.detail == row["detail"]
            assert result.alternative is not None
            assert "all the députés of Paris" in result.alternative.label
