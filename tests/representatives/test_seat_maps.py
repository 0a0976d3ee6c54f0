"""`repmail geo build`: the committed seat maps are exactly what it writes from the shared
boundary files; every seat of both chambers is drawn (the eleven abroad as tiles, so not
drawn), nothing unknown; and the simplification keeps a shape's corners."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from service.config import PROJECT_ROOT, get_settings
from service.errors import InvalidInput
from service.representatives.importers import map_commands
from service.representatives.importers.map_build import FRAMES_FILE, SEATS_FILE
from service.representatives.importers.map_commands import write_maps
from service.representatives.importers.map_shapes import area, path_text, rounded, simplify
from service.representatives.models import ChamberId
from service.representatives.seat_maps import seat_map
from service.representatives.snapshot_csv import read_csv

BUNDLED = PROJECT_ROOT / "representatives"


def test_simplify_drops_points_on_a_line_and_keeps_corners() -> None:
    square = [(0.0, 0.0), (5.0, 0.1), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
    kept = simplify(square, tolerance=0.5)
    assert (5.0, 0.1) not in kept and {(10.0, 0.0), (10.0, 10.0), (0.0, 10.0)} <= set(kept)
    assert simplify(square, tolerance=0.01) == square  # closed as it came


def test_rings_are_rounded_and_written_as_relative_moves() -> None:
    ring = rounded([(0.2, 0.4), (0.4, 0.1), (10.0, 0.0), (10.0, 10.0)])
    assert ring == [(0, 0), (10, 0), (10, 10)]
    assert area(ring) == 50
    assert path_text([ring]) == "M0 0l10 0 0 10z"
    assert path_text([[(5, 5), (2, 1)]]) == "M5 5l-3-4z"


def test_the_committed_maps_are_what_the_command_writes(shared_data: Path, tmp_path: Path) -> None:
    for chamber in ("uk", "fr"):
        target = tmp_path / chamber / "constituencies.csv"
        target.parent.mkdir()
        target.write_bytes((BUNDLED / chamber / "constituencies.csv").read_bytes())
    drawings = write_maps(
        tmp_path,
        shared_data / "uk" / "pcon24_boundaries_buc.geojson",
        shared_data / "fr" / "geo" / "circonscriptions_legislatives_2012.geojson",
    )
    for name in (SEATS_FILE, FRAMES_FILE):
        assert (tmp_path / name).read_bytes() == (BUNDLED / name).read_bytes(), name
    assert drawings > 650 + 566


def test_unknown_or_missing_seats_write_nothing(shared_data: Path, tmp_path: Path) -> None:
    (tmp_path / "uk").mkdir()
    (tmp_path / "fr").mkdir()
    (tmp_path / "uk" / "constituencies.csv").write_text("id,name,name_cy,region\n")
    (tmp_path / "fr" / "constituencies.csv").write_bytes(
        (BUNDLED / "fr" / "constituencies.csv").read_bytes()
    )
    with pytest.raises(InvalidInput, match="unknown"):
        write_maps(
            tmp_path,
            shared_data / "uk" / "pcon24_boundaries_buc.geojson",
            shared_data / "fr" / "geo" / "circonscriptions_legislatives_2012.geojson",
        )
    assert not (tmp_path / SEATS_FILE).exists()


def test_every_seat_is_drawn_once_in_its_main_frame() -> None:
    for chamber, folder, drawn in ((ChamberId.uk_commons, "uk", 650), (ChamberId.fr_an, "fr", 566)):
        seats = {row["id"] for row in read_csv(BUNDLED / folder / "constituencies.csv")}
        drawing = seat_map(BUNDLED, chamber)
        main = [d.constituency_id for d in drawing.drawings if d.frame in ("main", *_overseas())]
        assert len(main) == len(set(main)) == drawn
        abroad = seats - set(main)
        assert abroad == (set() if folder == "uk" else {f"099-{n:02d}" for n in range(1, 12)})
        assert all(d.path.startswith("M") and d.path.endswith("z") for d in drawing.drawings)


def _overseas() -> tuple[str, ...]:
    return ("971", "972", "973", "974", "975", "976", "977", "986", "987", "988")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder holding the bundled constituencies only, as the command's target."""
    for chamber in ("uk", "fr"):
        target = tmp_path / chamber / "constituencies.csv"
        target.parent.mkdir()
        target.write_bytes((BUNDLED / chamber / "constituencies.csv").read_bytes())
    monkeypatch.setenv("REPMAIL_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _cli() -> typer.Typer:
    app = typer.Typer()
    map_commands.register(app)
    return app


def test_the_command_writes_the_maps_or_says_why_not(shared_data: Path, data_dir: Path) -> None:
    uk = shared_data / "uk" / "pcon24_boundaries_buc.geojson"
    fr = shared_data / "fr" / "geo" / "circonscriptions_legislatives_2012.geojson"
    done = CliRunner().invoke(_cli(), ["geo", "build", "--uk", str(uk), "--fr", str(fr)])
    assert done.exit_code == 0, done.output
    assert "seat drawings" in done.output
    assert (data_dir / SEATS_FILE).read_bytes() == (BUNDLED / SEATS_FILE).read_bytes()
    broken = data_dir / "broken.geojson"
    broken.write_text("{not json")
    refused = CliRunner().invoke(_cli(), ["geo", "build", "--uk", str(broken), "--fr", str(fr)])
    assert refused.exit_code == 1 and "Nothing written" in refused.output
