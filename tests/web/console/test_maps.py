"""The seat maps: every seat of both chambers drawn (the eleven seats abroad as tiles), each
shaded by the campaign's letters as the legend says, the table beside the map and the JSON
twin giving the same numbers."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts import credentials
from service.accounts.roles import Role
from service.campaigns.models import Campaign
from service.letters.states import LetterStatus
from service.representatives.models import Constituency, Representative
from service.web.seat_map_view import legend, shade_of, thresholds
from tests.accounts.conftest import NOW, MakePerson
from tests.web.conftest import BATH, BATH_MP
from tests.web.console.conftest import SignedInBrowser
from tests.web.console.letter_rows import add_letters

S = LetterStatus


def _seats(session: Session, chamber: str) -> set[str]:
    return set(session.exec(select(Constituency.id).where(Constituency.chamber_id == chamber)))


def _member(session: Session, seat: str) -> str:
    return (
        session.exec(
            select(Representative.id).where(Representative.constituency_id == seat)
        ).first()
        or ""
    )


@pytest.fixture
def written(session: Session, campaign: Campaign) -> dict[str, tuple[int, int]]:
    """Letters to three UK seats and one seat abroad; seat → (sent, delivered)."""
    assert campaign.id is not None
    other = _member(session, "E14001063")  # Aldershot
    abroad = _member(session, "099-03")
    add_letters(
        session,
        campaign.id,
        [(BATH_MP, S.delivered)] * 6
        + [(BATH_MP, S.sent)] * 3
        + [(BATH_MP, S.bounced), (BATH_MP, S.queued), (BATH_MP, S.held)]
        + [(other, S.sent), (other, S.pending_confirmation)]
        + [(abroad, S.delivered)] * 2,
    )
    return {BATH: (10, 6), "E14001063": (1, 0), "099-03": (2, 2)}


def test_the_scale_has_five_equal_steps_up_to_the_busiest_seat() -> None:
    tops = thresholds(10)
    assert tops == [2, 4, 6, 8, 10]
    assert [shade_of(n, tops) for n in (0, 1, 2, 3, 10)] == [0, 1, 1, 2, 5]
    # Two letters in all: steps that would be empty are left out of the legend.
    assert [(s.shade, s.low, s.high) for s in legend(thresholds(2))] == [
        (0, 0, 0),
        (3, 1, 1),
        (5, 2, 2),
    ]


def test_the_uk_map_draws_every_seat_shaded_as_its_row_says(
    client: TestClient,
    session: Session,
    signed_in_as: SignedInBrowser,
    written: dict[str, tuple[int, int]],
) -> None:
    signed_in_as(Role.staff)
    page = client.get("/console/maps?campaign=calais-border&chamber=uk-commons&measure=sent")
    assert page.status_code == 200, page.text
    paths = re.findall(r'<path class="shade-(\d)" d="[^"]+" data-seat="([^"]+)"', page.text)
    assert {seat for _shade, seat in paths} == _seats(session, "uk-commons")
    shades = {seat: int(shade) for shade, seat in paths}
    assert shades[BATH] == 5 and shades["E14001063"] == 1
    assert Counter(shades.values()) == Counter({0: 648, 5: 1, 1: 1})
    assert len(paths) > 650  # London's seats are drawn again in the inset
    rows = {
        seat: (int(sent), int(delivered))
        for seat, sent, delivered in re.findall(
            r'<tr data-seat="([^"]+)">\s*<th scope="row">[^<]*</th>\s*<td>[^<]*</td>\s*'
            r'<td class="numeric">(\d+)</td>\s*<td class="numeric">(\d+)</td>',
            page.text,
        )
    }
    assert len(rows) == 650
    assert rows[BATH] == written[BATH] and rows["E14001063"] == written["E14001063"]
    assert sum(sent for sent, _d in rows.values()) == 11
    assert "Bath (" in page.text and "10 sent, 6 delivered" in page.text
    titles = {
        seat: (int(sent), int(delivered))
        for seat, sent, delivered in re.findall(
            r'data-seat="([^"]+)"><title>[^<]*: (\d+) sent, (\d+) delivered</title>', page.text
        )
    }
    assert titles == rows  # what a pointer shows over each seat is its row of the table
    assert "/console/exports/constituencies.csv?campaign=calais-border" in page.text


def test_the_french_map_draws_566_seats_and_eleven_tiles_abroad(
    client: TestClient,
    session: Session,
    signed_in_as: SignedInBrowser,
    written: dict[str, tuple[int, int]],
) -> None:
    signed_in_as(Role.staff)
    page = client.get("/console/maps?campaign=calais-border&chamber=fr-an&measure=delivered")
    assert page.status_code == 200
    paths = set(re.findall(r'<path class="shade-\d" d="[^"]+" data-seat="([^"]+)"', page.text))
    tiles = re.findall(r'<g data-seat="(099-\d\d)">\s*<rect class="shade-(\d)"', page.text)
    every = _seats(session, "fr-an")
    assert len(tiles) == 11 and {seat for seat, _shade in tiles} | paths == every
    assert not any(seat.startswith("099-") for seat in paths)
    assert dict(tiles)["099-03"] == "5"
    assert 'role="img"' in page.text and "<title>" in page.text
    french = client.get("/console/maps?campaign=calais-border&chamber=fr-an&lang=fr")
    assert "Français établis hors de France" in french.text
    # No campaign named: the first one; a campaign that does not exist: said so.
    assert 'value="calais-border" selected' in client.get("/console/maps").text
    unknown = client.get("/console/maps?campaign=no-such-campaign&lang=en")
    assert unknown.status_code == 404 and "There is no campaign with that name." in unknown.text


def test_the_json_twin_gives_the_table_numbers(
    client: TestClient,
    session: Session,
    make_person: MakePerson,
    written: dict[str, tuple[int, int]],
) -> None:
    token = credentials.create_token(session, make_person(Role.staff).actor(), "maps", NOW)[1]
    headers = {"authorization": f"Bearer {token}"}
    answer = client.get(
        "/api/admin/maps?campaign=calais-border&chamber=fr-an&measure=delivered", headers=headers
    )
    assert answer.status_code == 200
    body = answer.json()
    seats = {s["constituency_id"]: s for s in body["seats"]}
    assert len(seats) == 577 and sum(s["abroad"] for s in seats.values()) == 11
    assert (seats["099-03"]["sent"], seats["099-03"]["delivered"]) == written["099-03"]
    assert seats["099-03"]["shade"] == 5
    uk = client.get("/api/admin/maps?campaign=calais-border", headers=headers).json()
    by_seat = {s["constituency_id"]: (s["sent"], s["delivered"]) for s in uk["seats"]}
    assert by_seat[BATH] == written[BATH]
    assert uk["legend"][0] == {"shade": 0, "low": 0, "high": 0}
    missing = client.get("/api/admin/maps?campaign=nope", headers=headers)
    assert missing.status_code == 404
    wrong = client.get("/api/admin/maps?campaign=calais-border&chamber=mars", headers=headers)
    assert wrong.status_code == 422 and wrong.json()["field"] == "chamber"
