"""The UK nearby table's build, on a small generated postcode directory (the msgpack + brotli
files of the PyPI package) and a generated boundary set: squares side by side, and a fan of six
wedges meeting at one point."""

from __future__ import annotations

import json
import math
from pathlib import Path

import brotli
import msgpack
import pytest
from typer.testing import CliRunner

from service.config import get_settings
from service.errors import ImportFailed
from service.representatives.importers.grid_projection import to_national_grid
from service.representatives.importers.uk_nearby_build import (
    build_nearby,
    read_boundaries,
    read_district_table,
)
from service.representatives.uk_nearby import NEARBY_FILE, read_nearby, write_nearby

WEST, EAST = "E14000001", "E14000002"  # two squares sharing the meridian 0.9° W
FAN = [f"E1400010{i}" for i in range(6)]  # six wedges around (1.5° W, 53° N)
SCOTLAND = "S14000001"  # far north, beside nothing
BELFAST = "N05000001"

# (postcode as the package writes it, longitude, latitude); None for no grid reference.
POSTCODES: list[tuple[str, float | None, float | None]] = [
    ("GU1  1AA", -0.95, 52.05),  # deep inside WEST
    ("GU1  1AB", -0.9015, 52.05),  # ~100 m west of the shared edge: both
    ("GU1  1AD", -0.85, 52.05),  # deep inside EAST
    ("GU1  1AE", -0.9015, 52.05),  # same grid reference as 1AB
    ("GU1  1AF", -1.2, 52.05),  # beyond every boundary's tolerance: the nearest (WEST)
    ("GU2  1AA", -0.9015, 52.05),  # near both, but its district has EAST only
    ("GU3  1AA", -0.9015, 52.05),  # district missing from the table: the boundaries alone
    ("GU3  1AB", 2.5, 50.0),  # district missing, and near nothing (the sea)
    ("GU4  1AA", None, None),  # no grid reference
    ("S1   1AA", -1.5, 53.0),  # where six wedges meet: four kept
    ("BT1  1AA", -0.95, 52.05),  # Northern Ireland: left out whatever its grid reference
    ("JE1  1AA", -0.95, 52.05),  # Jersey: left out
]
DISTRICTS = {
    "GU1": [WEST, EAST],
    "GU2": [EAST],
    "S1": FAN,
    "BT1": [BELFAST],
}


def _square(west: float, south: float, size: float) -> list[list[float]]:
    return [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]


def _wedge(index: int) -> list[list[float]]:
    centre = (-1.5, 53.0)
    first, second = (math.radians(60 * index + a) for a in (0, 60))
    return [
        list(centre),
        [centre[0] + 0.2 * math.cos(first), centre[1] + 0.1 * math.sin(first)],
        [centre[0] + 0.2 * math.cos(second), centre[1] + 0.1 * math.sin(second)],
        list(centre),
    ]


def write_boundaries(path: Path) -> Path:
    shapes = {
        WEST: [_square(-1.0, 52.0, 0.1)],
        EAST: [_square(-0.9, 52.0, 0.1)],
        SCOTLAND: [_square(-4.0, 57.0, 0.1)],
        BELFAST: [_square(-5.95, 54.55, 0.1)],
        **{seat: [_wedge(i)] for i, seat in enumerate(FAN)},
    }
    features = [
        {
            "type": "Feature",
            "properties": {"PCON24CD": code, "PCON24NM": code},
            "geometry": {"type": "Polygon", "coordinates": rings},
        }
        for code, rings in shapes.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def write_districts(path: Path) -> Path:
    lines = ["postcode_district,n_pcon24,pcon24cds"]
    lines += [f"{d},{len(s)},{'|'.join(s)}" for d, s in DISTRICTS.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_directory(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    by_letter: dict[str, list[tuple[str, float | None, float | None]]] = {}
    for postcode, lon, lat in POSTCODES:
        by_letter.setdefault(postcode[0], []).append((postcode, lon, lat))
    for letter, rows in by_letter.items():
        eastings, northings = [], []
        for _, lon, lat in rows:
            if lon is None or lat is None:
                eastings.append(math.nan)
                northings.append(math.nan)
            else:
                easting, northing = to_national_grid(lon, lat)
                eastings.append(round(easting))
                northings.append(round(northing))
        data = {
            "columns": ["pcd", "laua", "oseast1m", "osnrth1m"],
            "data": {
                "pcd": [r[0] for r in rows],
                "laua": ["E06000001"] * len(rows),
                "oseast1m": eastings,
                "osnrth1m": northings,
            },
        }
        packed = brotli.compress(msgpack.packb(data, use_bin_type=True))
        (folder / f"postcodes_{letter}.msgpack.br").write_bytes(packed)
    return folder


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path, Path]:
    return (
        write_directory(tmp_path / "directory"),
        write_boundaries(tmp_path / "boundaries.geojson"),
        write_districts(tmp_path / "districts.csv"),
    )


def _build(sources: tuple[Path, Path, Path], tmp_path: Path) -> Path:
    directory, boundaries, districts = sources
    rows, _ = build_nearby(
        directory, read_boundaries(boundaries, 500.0), read_district_table(districts)
    )
    target = tmp_path / "out" / NEARBY_FILE
    write_nearby(target, rows)
    return target


def test_national_grid_matches_a_published_point() -> None:
    # The Ordnance Survey's worked example area: Buckingham Palace's postcode grid reference
    # (SW1A 1AA, 529090 179645) is within a few tens of metres of the palace's WGS84 point.
    easting, northing = to_national_grid(-0.14189, 51.501364)
    assert abs(easting - 529090) < 60 and abs(northing - 179645) < 60


def test_short_lists_follow_boundaries_and_the_district_table(
    sources: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    index = read_nearby(_build(sources, tmp_path))
    assert index.for_postcode("GU11AA") == (WEST,)
    assert index.for_postcode("GU11AB") == (WEST, EAST)
    assert index.for_postcode("GU11AE") == (WEST, EAST)
    assert index.for_postcode("GU11AD") == (EAST,)
    assert index.for_postcode("GU11AF") == (WEST,)
    assert index.for_postcode("GU21AA") == (EAST,)  # the district table has the last word
    assert index.for_postcode("GU31AA") == (WEST, EAST)  # boundaries alone
    assert index.for_postcode("GU31AB") == ()
    assert len(index.for_postcode("S11AA")) == 4
    assert set(index.for_postcode("S11AA")) <= set(FAN)


def test_outward_codes_get_the_district_table_and_northern_ireland_is_left_out(
    sources: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    index = read_nearby(_build(sources, tmp_path))
    assert index.for_district("GU1") == (WEST, EAST)
    assert index.for_district("S1") == tuple(sorted(FAN))
    assert index.for_district("GU3") == ()  # not in the table
    assert index.for_district("BT1") == ()
    assert index.for_postcode("BT11AA") == ()
    assert index.for_postcode("JE11AA") == ()
    # A postcode the directory does not have gets its district's list.
    assert index.for_postcode("GU19ZZ") == (WEST, EAST)


def test_report_counts_every_postcode(sources: tuple[Path, Path, Path]) -> None:
    directory, boundaries, districts = sources
    _, report = build_nearby(
        directory, read_boundaries(boundaries, 500.0), read_district_table(districts)
    )
    assert report.postcodes == 8
    assert dict(report.by_candidates) == {1: 4, 2: 3, 4: 1}
    assert (report.northern_ireland, report.crown_dependencies) == (1, 1)
    assert (report.no_grid_reference, report.unplaced, report.district_unknown) == (1, 1, 2)
    assert (report.nearest_kept, report.trimmed) == (1, 1)


def test_a_tighter_tolerance_narrows_the_lists(sources: tuple[Path, Path, Path]) -> None:
    directory, boundaries, districts = sources
    rows, _ = build_nearby(
        directory, read_boundaries(boundaries, 50.0), read_district_table(districts)
    )
    assert all(WEST not in seats or EAST not in seats for _, seats in rows.postcodes)


def test_rebuilds_give_identical_bytes(sources: tuple[Path, Path, Path], tmp_path: Path) -> None:
    first = _build(sources, tmp_path).read_bytes()
    assert _build(sources, tmp_path).read_bytes() == first


def test_unreadable_sources_are_refused(tmp_path: Path, sources: tuple[Path, Path, Path]) -> None:
    directory, boundaries, districts = sources
    with pytest.raises(ImportFailed, match="msgpack"):
        build_nearby(tmp_path, read_boundaries(boundaries, 500.0), {})
    with pytest.raises(ImportFailed, match="without a boundary"):
        build_nearby(directory, {}, read_district_table(districts))
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    with pytest.raises(ImportFailed):
        read_boundaries(broken, 500.0)
    not_a_table = tmp_path / "table.csv.gz"
    not_a_table.write_bytes(b"nope")
    with pytest.raises(ImportFailed):
        read_nearby(not_a_table)


def test_the_command_writes_the_table_into_the_data_folder(
    sources: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli import app

    directory, boundaries, districts = sources
    monkeypatch.setenv("REPMAIL_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app,
            [
                "import",
                "uk-nearby",
                "--postcodes",
                str(directory),
                "--boundaries",
                str(boundaries),
                "--districts",
                str(districts),
            ],
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "8 GB postcodes placed" in result.output
    assert read_nearby(tmp_path / "data" / NEARBY_FILE).for_postcode("GU11AB") == (WEST, EAST)


def test_bundled_table_places_well_known_postcodes() -> None:
    from service.config import PROJECT_ROOT

    index = read_nearby(PROJECT_ROOT / "representatives" / NEARBY_FILE)
    cities_of_london_and_westminster = "E14001172"
    for postcode in ("SW1A1AA", "SW1A0AA", "SW1A2AA"):
        assert index.for_postcode(postcode) == (cities_of_london_and_westminster,)
    assert index.for_postcode("CB21TN") == ("E14001149",)  # Cambridge
    assert cities_of_london_and_westminster in index.for_district("SW1A")
    assert index.for_postcode("BT15GS") == ()
    assert all(1 <= len(index.for_postcode(p)) <= 4 for p in ("EH12NG", "G21DU", "OX11DP"))
