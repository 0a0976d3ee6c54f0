"""`repmail geo build`'s builder: the bundled seat maps (representatives/maps/), drawn from the
generalised boundary files of both chambers.

Each map is a set of frames: the main one, and insets where seats are too small to see (London;
Paris and its inner suburbs) or far away (the overseas départements and collectivities). Every
frame has its own projection, fitted into its box of the drawing; lines are simplified there,
in the frame's own units, then rounded to whole units, so a seat drawn twice (in the main map
and in an inset) keeps the detail its frame can show. The eleven seats of French citizens
abroad are not drawn from geometry (their shapes are continents): the page shows them as tiles.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from service.errors import InvalidInput
from service.representatives.importers.grid_projection import to_national_grid
from service.representatives.importers.map_shapes import (
    Box,
    Ring,
    area,
    bounds,
    fit,
    path_text,
    rounded,
    simplify,
)

MAPS_DIR = "maps"
SEATS_FILE = f"{MAPS_DIR}/seats.csv"
FRAMES_FILE = f"{MAPS_DIR}/frames.csv"
SEAT_COLUMNS = ("map", "frame", "constituency_id", "path")
FRAME_COLUMNS = ("map", "frame", "label", "x", "y", "width", "height")

# Points closer than this (in units of the drawing) to the simplified line are dropped, and
# islands or holes smaller than this area are left out (the seat's largest part always stays).
TOLERANCE = 0.6
MIN_AREA = 2.0

# The Ministère de l'Intérieur's letters for overseas départements in the French file, with
# the label of their inset (short enough for its box).
FR_OVERSEAS = {
    "ZA": ("971", "Guadeloupe"),
    "ZB": ("972", "Martinique"),
    "ZC": ("973", "Guyane"),
    "ZD": ("974", "La Réunion"),
    "ZM": ("976", "Mayotte"),
    "ZN": ("988", "Nouvelle-Calédonie"),
    "ZP": ("987", "Polynésie française"),
    "ZS": ("975", "St-Pierre-et-Miquelon"),
    "ZW": ("986", "Wallis-et-Futuna"),
    "ZX": ("977", "St-Barth., St-Martin"),
}
FR_ABROAD = "99"
PARIS_AND_INNER_SUBURBS = ("75", "92", "93", "94")
# Greater London's extent, national grid metres (west, south, east, north), with 300 m to spare:
# the inset is a window on it (the one seat it holds beyond London, Esher and Walton, lies
# wholly inside that rectangle).
LONDON = (503_200.0, 155_500.0, 562_300.0, 201_300.0)


@dataclass(frozen=True)
class SeatShape:
    constituency_id: str
    polygons: list[list[Ring]]  # lon/lat; each polygon is an outer ring then its holes


@dataclass(frozen=True)
class FrameRow:
    map: str
    frame: str
    label: str
    box: Box


@dataclass
class MapBuild:
    frames: list[FrameRow]
    seats: list[tuple[str, str, str, str]]  # map, frame, constituency id, path
    abroad: list[str]  # French seats abroad found in the source (drawn as tiles)


def read_features(path: Path, seat_id: Callable[[dict[str, str]], str]) -> list[SeatShape]:
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError) as exc:
        raise InvalidInput(f"{path} is not a readable GeoJSON file: {exc}") from exc
    shapes = []
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        shapes.append(
            SeatShape(
                seat_id(feature["properties"]),
                [[[(float(x), float(y)) for x, y, *_ in ring] for ring in p] for p in polygons],
            )
        )
    return shapes


def uk_seat_id(properties: dict[str, str]) -> str:
    return properties["PCON24CD"]


def fr_seat_id(properties: dict[str, str]) -> str:
    code = properties["ID"]
    department, number = code[:-3], int(code[-3:])
    department = FR_OVERSEAS.get(department, (department, ""))[0]
    if department == FR_ABROAD:
        department = "099"
    return f"{department}-{number:02d}"


def _project(
    shapes: Iterable[SeatShape], project: Callable[[float, float], tuple[float, float]]
) -> list[tuple[str, list[list[Ring]]]]:
    return [
        (s.constituency_id, [[[project(x, y) for x, y in ring] for ring in p] for p in s.polygons])
        for s in shapes
    ]


def _draw(
    map_name: str, frame: str, box: Box, projected: list[tuple[str, list[list[Ring]]]]
) -> list[tuple[str, str, str, str]]:
    every_ring = [ring for _id, polygons in projected for p in polygons for ring in p]
    scale, dx, dy = fit(bounds(every_ring), box)
    rows = []
    for seat_id, polygons in projected:
        rings = []
        for polygon in polygons:
            for ring in polygon:
                placed = [(x * scale + dx, y * scale + dy) for x, y in ring]
                rings.append(rounded(simplify(placed, TOLERANCE)))
        rows.append((map_name, frame, seat_id, path_text(_visible(rings))))
    return rows


def _visible(rings: list[list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    """Rings big enough to see; the seat's largest part always, as a dot if need be."""
    largest = max(rings, key=area)
    kept = [r for r in rings if len(r) >= 3 and area(r) >= MIN_AREA]
    if not kept:
        x, y = largest[0]
        kept = [[(x - 1, y - 1), (x + 1, y - 1), (x + 1, y + 1), (x - 1, y + 1)]]
    return kept


def _lon_lat(latitude: float) -> Callable[[float, float], tuple[float, float]]:
    """Plate carrée squeezed by the cosine of the frame's middle latitude; y points down."""
    squeeze = math.cos(math.radians(latitude))
    return lambda lon, lat: (lon * squeeze, -lat)


def _middle_latitude(shapes: list[SeatShape]) -> float:
    lats = [lat for s in shapes for p in s.polygons for ring in p for _lon, lat in ring]
    return (min(lats) + max(lats)) / 2


def _inside(shape: SeatShape, box: tuple[float, float, float, float]) -> bool:
    west, south, east, north = box
    points = [p for polygon in shape.polygons for ring in polygon for p in ring]
    return all(west <= x <= east and south <= y <= north for x, y in points)


def build_uk(shapes: list[SeatShape]) -> MapBuild:
    grid = [SeatShape(s.constituency_id, _grid_polygons(s)) for s in shapes]
    main, london = Box(0, 0, 540, 1000), Box(560, 560, 300, 240)
    in_london = [s for s in grid if _inside(s, LONDON)]
    frames = [FrameRow("uk", "main", "", main), FrameRow("uk", "london", "London", london)]
    seats = _draw("uk", "main", main, _project(grid, _north_up))
    seats += _draw("uk", "london", london, _project(in_london, _north_up))
    return MapBuild(frames, seats, [])


def _north_up(easting: float, northing: float) -> tuple[float, float]:
    return easting, -northing


def _grid_polygons(shape: SeatShape) -> list[list[Ring]]:
    """The seat in national grid metres (Ordnance Survey's projection, as the nearby table)."""
    return [[[to_national_grid(x, y) for x, y in ring] for ring in p] for p in shape.polygons]


def build_fr(shapes: list[SeatShape], department: Callable[[str], str]) -> MapBuild:
    """`department` gives the source's département code of a seat id (ZA, 75, 99, ...)."""
    by_department: dict[str, list[SeatShape]] = {}
    for shape in shapes:
        by_department.setdefault(department(shape.constituency_id), []).append(shape)
    abroad = sorted(s.constituency_id for s in by_department.pop(FR_ABROAD, []))
    overseas = {code: by_department.pop(code) for code in FR_OVERSEAS if code in by_department}
    metropole = [s for group in by_department.values() for s in group]
    paris = [s for code in PARIS_AND_INNER_SUBURBS for s in by_department.get(code, [])]

    main, paris_box = Box(0, 0, 1000, 960), Box(0, 980, 300, 300)
    frames = [
        FrameRow("fr", "main", "", main),
        FrameRow("fr", "paris", "Paris", paris_box),
    ]
    seats = _draw("fr", "main", main, _project(metropole, _lon_lat(46.5)))
    seats += _draw("fr", "paris", paris_box, _project(paris, _lon_lat(48.85)))
    for n, (code, group) in enumerate(sorted(overseas.items())):
        box = Box(320 + (n % 5) * 136, 980 + (n // 5) * 152, 128, 128)
        name, label = FR_OVERSEAS[code]
        frames.append(FrameRow("fr", name, label, box))
        seats += _draw("fr", name, box, _project(group, _lon_lat(_middle_latitude(group))))
    return MapBuild(frames, seats, abroad)


def fr_department_of(seat_id: str) -> str:
    """The source file's département code of one of our seat ids."""
    department = seat_id.split("-")[0]
    if department == "099":
        return FR_ABROAD
    for code, (ours, _label) in FR_OVERSEAS.items():
        if ours == department:
            return code
    return department
