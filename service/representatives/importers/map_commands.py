"""`repmail geo build`: rebuild the bundled seat maps (representatives/maps/) from the two
generalised boundary files. Writes files only; the console reads them when it draws a map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from service.config import get_settings
from service.errors import DomainError, InvalidInput
from service.representatives.importers.map_build import (
    FRAME_COLUMNS,
    FRAMES_FILE,
    SEAT_COLUMNS,
    SEATS_FILE,
    build_fr,
    build_uk,
    fr_department_of,
    fr_seat_id,
    read_features,
    uk_seat_id,
)
from service.representatives.snapshot_csv import read_csv, write_csv

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    geo_app = typer.Typer(help="The seat maps of the console.", no_args_is_help=True)
    geo_app.command("build")(build)
    app.add_typer(geo_app, name="geo")


def build(
    uk: Annotated[
        Path, typer.Option(help="UK boundaries GeoJSON (pcon24_boundaries_buc.geojson).")
    ],
    fr: Annotated[
        Path,
        typer.Option(help="French boundaries GeoJSON (circonscriptions_legislatives_2012)."),
    ],
) -> None:
    """Rebuild representatives/maps/seats.csv and frames.csv."""
    data_dir = get_settings().data_dir
    try:
        written = write_maps(data_dir, uk, fr)
    except DomainError as exc:
        console.print(f"[red]Nothing written:[/red] {exc.message}")
        raise typer.Exit(code=1) from exc
    size = (data_dir / SEATS_FILE).stat().st_size / 1000
    console.print(f"Wrote {written} seat drawings to {data_dir / SEATS_FILE} ({size:.0f} kB).")


def write_maps(data_dir: Path, uk_file: Path, fr_file: Path) -> int:
    """Build both maps, check every seat against the bundled constituencies (all drawn, none
    unknown), then write the two files. Returns the number of drawings (insets count again)."""
    uk = build_uk(read_features(uk_file, uk_seat_id))
    fr = build_fr(read_features(fr_file, fr_seat_id), fr_department_of)
    known = {
        "uk": {row["id"] for row in read_csv(data_dir / "uk/constituencies.csv")},
        "fr": {row["id"] for row in read_csv(data_dir / "fr/constituencies.csv")},
    }
    drawn = {
        "uk": {row[2] for row in uk.seats},
        "fr": {row[2] for row in fr.seats} | set(fr.abroad),
    }
    for name in ("uk", "fr"):
        if unknown := drawn[name] - known[name]:
            raise InvalidInput(f"Seats unknown to the {name} snapshot: {sorted(unknown)[:5]}")
        if missing := known[name] - drawn[name]:
            raise InvalidInput(f"Seats of the {name} snapshot not drawn: {sorted(missing)[:5]}")
    frames = [
        (
            f.map,
            f.frame,
            f.label,
            *(round(v) for v in (f.box.x, f.box.y, f.box.width, f.box.height)),
        )
        for f in uk.frames + fr.frames
    ]
    write_csv(data_dir / FRAMES_FILE, FRAME_COLUMNS, frames)
    return write_csv(data_dir / SEATS_FILE, SEAT_COLUMNS, uk.seats + fr.seats)
