"""The public pages for short lists: one nearby MP as a yes/no question, several nearby MPs as
a choice, Northern Ireland's seats, and an arrondissement's députés with the whole city one
link away; in English and French."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.app import create_app
from service.config import Settings
from service.deps import get_session
from service.lookup.service import LookupDependencies
from service.lookup.uk_nearby import NearbyShortList
from service.representatives.models import Representative
from tests.web.conftest import HTML, text_of


@pytest.fixture
def web(settings: Settings, engine: Any, session: Session, campaign: Any) -> Iterator[TestClient]:
    deps = LookupDependencies(
        uk_resolvers=[], uk_nearby=NearbyShortList.from_data_dir(settings.data_dir)
    )
    app = create_app(settings, engine=engine, lookup_deps=deps)

    def _test_session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = _test_session
    yield TestClient(app, headers={"Accept": HTML, "Accept-Language": "en-GB"})


def test_one_nearby_mp_is_a_question_with_a_way_to_say_no(web: TestClient) -> None:
    page = web.get("/find?country=uk&postcode=SW1A+1AA")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Is this your MP?" in text
    assert "Your postcode SW1A 1AA is in or near Cities of London and Westminster" in text
    assert "Your MP " not in text  # never called a match
    assert "/write?country=uk&amp;postcode=SW1A+1AA&amp;rep=" in page.text
    assert 'href="/find/name?country=uk&amp;postcode=SW1A+1AA"' in page.text
    assert "No, this is not my MP" in text


def test_several_nearby_mps_are_a_choice(web: TestClient) -> None:
    page = web.get("/find?country=uk&postcode=SW1A")
    text = text_of(page.text)
    assert "Which of these is your MP?" in text
    assert page.text.count('name="rep"') == 2
    assert "None of these: search for my constituency by name" in text


def test_northern_ireland_chooses_among_its_seats(web: TestClient) -> None:
    page = web.get("/find?country=uk&postcode=BT1+5GS&lang=fr")
    assert page.status_code == 200
    assert page.text.count('name="rep"') == 18
    assert "parmi les 18 sièges d'Irlande du Nord" in text_of(page.text)


def test_an_unwritable_nearby_mp_gets_the_cannot_write_page(
    web: TestClient, session: Session
) -> None:
    page = web.get("/find?country=uk&postcode=SW1A+1AA")
    rep_id = page.text.split("rep=", 1)[1].split('"', 1)[0]
    rep = session.get(Representative, rep_id)
    assert rep is not None
    rep.email = None
    session.add(rep)
    session.flush()
    again = web.get("/find?country=uk&postcode=SW1A+1AA")
    assert "Cannot be written to yet." in text_of(again.text)
    assert web.get(f"/write?rep={rep_id}").status_code == 409


def test_an_arrondissement_offers_its_deputes_and_the_whole_city(web: TestClient) -> None:
    page = web.get("/find?country=fr&postcode=75007&lang=fr")
    assert page.status_code == 200
    text = text_of(page.text)
    assert page.text.count('name="rep"') == 2
    assert "Comment il se partage" in text and "École-Militaire" in text
    assert "Pas dans cette liste : tous les députés de Paris" in text
    assert 'href="/find?country=fr&amp;postcode=75007&amp;commune=75107.unknown"' in page.text
    whole = web.get("/find?country=fr&postcode=75007&commune=75107.unknown")
    assert whole.text.count('name="rep"') == 18


def test_a_cedex_code_asks_for_the_home_code(web: TestClient) -> None:
    page = web.get("/find?country=fr&postcode=75700")
    assert page.status_code == 422
    assert "CEDEX" in text_of(page.text)
