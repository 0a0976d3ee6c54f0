"""The bundled seat maps (representatives/maps/, written by `repmail geo build`), read once
per data folder: each seat's SVG path in each frame of its chamber's map."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from service.representatives.models import ChamberId
from service.representatives.snapshot_csv import read_csv

MAP_OF_CHAMBER = {ChamberId.uk_commons: "uk", ChamberId.fr_an: "fr"}
SEATS_FILE = "maps/seats.csv"
FRAMES_FILE = "maps/frames.csv"
# French citizens abroad: eleven seats drawn as tiles, not from shapes.
ABROAD_PREFIX = "099-"


@dataclass(frozen=True)
class Frame:
    name: str  # "main", "london", "paris", or an overseas département's number
    label: str  # a place name, as the source spells it ("" for the main frame)
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class SeatDrawing:
    frame: str
    constituency_id: str
    path: str


@dataclass(frozen=True)
class SeatMap:
    chamber_id: ChamberId
    frames: tuple[Frame, ...]
    drawings: tuple[SeatDrawing, ...]

    @property
    def width(self) -> int:
        return max(f.x + f.width for f in self.frames)

    @property
    def height(self) -> int:
        return max(f.y + f.height for f in self.frames)


def seat_map(data_dir: Path, chamber_id: ChamberId) -> SeatMap:
    return _maps(data_dir)[chamber_id]


@lru_cache(maxsize=4)
def _maps(data_dir: Path) -> dict[ChamberId, SeatMap]:
    frames = read_csv(data_dir / FRAMES_FILE)
    seats = read_csv(data_dir / SEATS_FILE)
    maps = {}
    for chamber_id, name in MAP_OF_CHAMBER.items():
        # The main frame first, so insets are drawn over it.
        ordered = sorted(
            (f for f in frames if f["map"] == name), key=lambda f: f["frame"] != "main"
        )
        maps[chamber_id] = SeatMap(
            chamber_id,
            tuple(
                Frame(f["frame"], f["label"], *(int(f[k]) for k in ("x", "y", "width", "height")))
                for f in ordered
            ),
            tuple(
                SeatDrawing(s["frame"], s["constituency_id"], s["path"])
                for s in seats
                if s["map"] == name
            ),
        )
    return maps
