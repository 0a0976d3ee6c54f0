"""A campaign's letters on a map of one chamber's seats: every seat shaded by the letters
sent to it (or delivered), a legend, the tiles of the seats abroad, and the same numbers as
rows for the table beside the map and for the JSON twin. The counts come from
service.web.seat_tallies, the drawings from the bundled maps (representatives.seat_maps)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlmodel import Session

from service.campaigns.models import Campaign
from service.representatives.models import ChamberId
from service.representatives.seat_maps import ABROAD_PREFIX, Frame, seat_map
from service.web.seat_tallies import SeatTally, seat_tallies

SHADES = 5  # shades above zero; 0 is "no letters"
ABROAD_COLUMNS = 4
TILE_WIDTH, TILE_HEIGHT, TILE_GAP = 90, 60, 8


class Measure(StrEnum):
    sent = "sent"
    delivered = "delivered"


@dataclass(frozen=True)
class LegendStep:
    shade: int
    low: int
    high: int


@dataclass(frozen=True)
class SeatRow:
    constituency_id: str
    name: str
    representative: str | None
    sent: int
    delivered: int
    shade: int
    abroad: bool


@dataclass(frozen=True)
class Drawing:
    path: str
    seat: SeatRow


@dataclass(frozen=True)
class Tile:
    x: int
    y: int
    number: int
    seat: SeatRow


@dataclass(frozen=True)
class MapView:
    campaign: str
    chamber_id: ChamberId
    measure: Measure
    width: int
    height: int
    frames: list[Frame]
    drawings: list[Drawing]
    tiles: list[Tile]
    tiles_width: int
    tiles_height: int
    legend: list[LegendStep]
    seats: list[SeatRow]


def thresholds(highest: int) -> list[int]:
    """The top of each shade's range: equal steps up to the busiest seat, which always gets
    the darkest shade (with few letters some steps are empty: 2 at most gives 1 → 3, 2 → 5)."""
    return [highest * step // SHADES for step in range(1, SHADES + 1)]


def shade_of(value: int, tops: list[int]) -> int:
    if value <= 0:
        return 0
    return next(step for step, top in enumerate(tops, start=1) if value <= top)


def legend(tops: list[int]) -> list[LegendStep]:
    steps = [LegendStep(0, 0, 0)]
    low = 1
    for shade, top in enumerate(tops, start=1):
        if top >= low:  # a few letters in all: some steps would be empty
            steps.append(LegendStep(shade, low, top))
            low = top + 1
    return steps


def map_view(
    session: Session,
    data_dir: Path,
    campaign: Campaign,
    chamber_id: ChamberId,
    measure: Measure,
) -> MapView:
    assert campaign.id is not None
    tallies = [
        (t, t.letters.sent, t.letters.delivered)
        for t in seat_tallies(session, campaign.id, chamber_id)
    ]
    measured = [sent if measure is Measure.sent else delivered for _t, sent, delivered in tallies]
    tops = thresholds(max(measured, default=0))
    rows = {
        t.constituency_id: _row(t, sent, delivered, shade_of(value, tops))
        for (t, sent, delivered), value in zip(tallies, measured, strict=True)
    }
    drawn = seat_map(data_dir, chamber_id)
    abroad = [row for row in rows.values() if row.abroad]
    tiles = [
        Tile(
            x=(n % ABROAD_COLUMNS) * (TILE_WIDTH + TILE_GAP),
            y=(n // ABROAD_COLUMNS) * (TILE_HEIGHT + TILE_GAP),
            number=int(row.constituency_id.removeprefix(ABROAD_PREFIX)),
            seat=row,
        )
        for n, row in enumerate(abroad)
    ]
    tile_rows = math.ceil(len(tiles) / ABROAD_COLUMNS)
    return MapView(
        campaign=campaign.slug,
        chamber_id=chamber_id,
        measure=measure,
        width=drawn.width,
        height=drawn.height,
        frames=[f for f in drawn.frames if f.name != "main"],
        drawings=[
            Drawing(d.path, rows[d.constituency_id])
            for d in drawn.drawings
            if d.constituency_id in rows
        ],
        tiles=tiles,
        tiles_width=min(len(tiles), ABROAD_COLUMNS) * (TILE_WIDTH + TILE_GAP) - TILE_GAP,
        tiles_height=tile_rows * (TILE_HEIGHT + TILE_GAP) - TILE_GAP,
        legend=legend(tops),
        seats=list(rows.values()),
    )


def _row(tally: SeatTally, sent: int, delivered: int, shade: int) -> SeatRow:
    return SeatRow(
        constituency_id=tally.constituency_id,
        name=tally.name,
        representative=tally.representative,
        sent=sent,
        delivered=delivered,
        shade=shade,
        abroad=tally.constituency_id.startswith(ABROAD_PREFIX),
    )
