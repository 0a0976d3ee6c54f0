"""`repmail import fr-…` commands: the French députés (AMO10 JSON or the Datan CSV) and the
French geography snapshot. Each command migrates the database first and runs in one
transaction: a refused file changes nothing."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import func
from sqlmodel import Session, select

from service.config import Settings, get_settings
from service.db import create_db_engine
from service.errors import DomainError, ImportFailed
from service.migrate import upgrade_database
from service.representatives.import_diff import apply_with_diff
from service.representatives.importers.command_hooks import (
    DeparturesListener,
    no_departures_listener,
)
from service.representatives.importers.fr_amo10 import parse_amo10_dir
from service.representatives.importers.fr_deputes_csv import (
    parse_deputes_csv,
)
from service.representatives.importers.fr_geography_build import build_fr_geography
from service.representatives.importers.fr_geography_snapshot import (
    FR_GEOGRAPHY_FILES,
    geography_row_count,
    load_fr_geography,
    write_fr_geography,
)
from service.representatives.importers.fr_roster_csv import parse_roster_csv
from service.representatives.importers.fr_seats import FULL_CHAMBER_SEATS, ParsedFrSource
from service.representatives.models import ChamberId, Representative
from service.representatives.schemas import ImportReport
from service.representatives.snapshot import (
    CHAMBER_DATASETS,
    SourceInfo,
    chamber_files,
    files_checksum,
    record_load,
    record_source,
    write_chamber_snapshot,
)

console = Console(stderr=True)

# Below this share of the 577 seats a file is taken for a fragment: importing it as the
# whole chamber would mark every missing seat vacant.
_MINIMUM_SHARE = 0.9

PartialOption = Annotated[
    bool,
    typer.Option(
        "--partial",
        help="The file holds only some seats: update those, mark nobody else vacant.",
    ),
]
DryRunOption = Annotated[
    bool,
    typer.Option(
        help="Show what the import would change (seats added, changed, vacated) and write "
        "nothing; run again without it to apply."
    ),
]
WriteSnapshotOption = Annotated[
    bool,
    typer.Option(
        "--write-snapshot",
        help="Also rewrite the bundled snapshot under representatives/fr/ from this file.",
    ),
]


# Set by register(): the command line wires one in from the letters domain.
_departures: dict[str, DeparturesListener] = {"fr": no_departures_listener}


def register(import_app: typer.Typer, on_departures: DeparturesListener | None = None) -> None:
    _departures["fr"] = on_departures or no_departures_listener
    import_app.command("fr-amo10")(fr_amo10)
    import_app.command("fr-deputes-csv")(fr_deputes_csv)
    import_app.command("fr-roster-csv")(fr_roster_csv)
    import_app.command("fr-geography")(fr_geography)


def fr_amo10(
    directory: Annotated[
        Path, typer.Argument(help="Unzipped AMO10 dump (folders of PA*.json and PO*.json).")
    ],
    data_date: Annotated[
        str | None,
        typer.Option(help="Date of the dump, YYYY-MM-DD (default: newest file's date)."),
    ] = None,
    partial: PartialOption = False,
    write_snapshot: WriteSnapshotOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Import the députés from Assemblée nationale AMO10 JSON files."""
    retrieved_on = _parse_date(data_date) if data_date else None
    _run_deputies_import(
        lambda: parse_amo10_dir(directory, retrieved_on=retrieved_on),
        partial=partial,
        write_snapshot=write_snapshot,
        dry_run=dry_run,
    )


def fr_deputes_csv(
    file: Annotated[Path, typer.Argument(help="Datan-format députés CSV.")],
    partial: PartialOption = False,
    write_snapshot: WriteSnapshotOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Import the députés from a Datan "députés actifs" CSV."""
    _run_deputies_import(
        lambda: parse_deputes_csv(file),
        partial=partial,
        write_snapshot=write_snapshot,
        dry_run=dry_run,
    )


def fr_roster_csv(
    file: Annotated[Path, typer.Argument(help="Roster by circonscription (one row per seat).")],
    data_date: Annotated[
        str | None,
        typer.Option(help="Date of the roster, YYYY-MM-DD (default: the date in the file name)."),
    ] = None,
    partial: PartialOption = False,
    write_snapshot: WriteSnapshotOption = False,
    dry_run: DryRunOption = False,
) -> None:
    """Import the députés from a roster by circonscription (AMO10-derived CSV)."""
    roster_date = _parse_date(data_date) if data_date else None
    _run_deputies_import(
        lambda: parse_roster_csv(file, roster_date=roster_date),
        partial=partial,
        write_snapshot=write_snapshot,
        dry_run=dry_run,
    )


def fr_geography(
    shared_fr_dir: Annotated[
        Path, typer.Argument(help="The French source folder (../shared/data/fr).")
    ],
) -> None:
    """Rebuild and load the French geography snapshot (communes, codes postaux, countries)."""
    settings = get_settings()
    with _reporting_errors(), tempfile.TemporaryDirectory() as staging:
        console.print(f"Reading {shared_fr_dir} …")
        geography = build_fr_geography(shared_fr_dir)
        for note, count in sorted(geography.notes.items()):
            console.print(f"  {note}: {count}")
        # Load from a staging copy first: the committed snapshot is only rewritten once the
        # database has accepted the new files.
        staged = Path(staging)
        write_fr_geography(staged, geography)
        with _database_session(settings) as session, _progress() as progress:
            task = progress.add_task("Loading geography", total=geography_row_count(staged))
            rows = load_fr_geography(session, staged, lambda n: progress.advance(task, n))
            record_load(session, "fr-geography", files_checksum(staged, FR_GEOGRAPHY_FILES), rows)
        written = write_fr_geography(settings.data_dir, geography)
    for name, count in written.items():
        console.print(f"  wrote {name}: {count} rows")
    console.print(f"[green]Loaded {rows} rows of French geography.[/green]")


def _run_deputies_import(
    parse: Callable[[], ParsedFrSource],
    *,
    partial: bool,
    write_snapshot: bool,
    dry_run: bool = False,
) -> None:
    settings = get_settings()
    with _reporting_errors():
        parsed = parse()
        seats = len(parsed.representatives)
        if not partial and seats < FULL_CHAMBER_SEATS * _MINIMUM_SHARE:
            raise ImportFailed(
                f"Only {seats} of {FULL_CHAMBER_SEATS} seats in this file; if it is meant to "
                "be a part of the chamber, pass --partial."
            )
        with _database_session(settings, dry_run=dry_run) as session, _progress() as progress:
            _refuse_older_roster(session, parsed)
            task = progress.add_task("Importing députés", total=seats)
            report, diff = apply_with_diff(
                session,
                ChamberId.fr_an,
                parsed.constituencies,
                parsed.representatives,
                complete=not partial,
                progress=lambda n: progress.advance(task, n),
            )
            report.warnings[:0] = parsed.warnings
            dataset = CHAMBER_DATASETS[ChamberId.fr_an]
            if dry_run:  # a dry run writes no snapshot and holds no letter
                held = diff.lines()
            elif write_snapshot:
                write_chamber_snapshot(
                    settings.data_dir,
                    ChamberId.fr_an,
                    parsed.constituencies,
                    parsed.representatives,
                )
                checksum = files_checksum(settings.data_dir, chamber_files(ChamberId.fr_an))
                record_load(session, dataset, checksum, seats)
            if not dry_run:
                record_source(
                    session, dataset, SourceInfo.of_records(parsed.representatives), seats
                )
                held = _departures["fr"](session, report.departed)
    _print_report(report, parsed.retrieved_on, write_snapshot and not dry_run)
    for line in held:
        console.print(line if dry_run else f"[yellow]{line}[/yellow]")
    if dry_run:
        console.print("Dry run: nothing was written. Run again without --dry-run to apply.")


def _refuse_older_roster(session: Session, parsed: ParsedFrSource) -> None:
    """The newest roster wins: an older file would bring back députés who have left."""
    newest = session.exec(
        select(func.max(Representative.retrieved_on)).where(
            Representative.chamber_id == ChamberId.fr_an
        )
    ).one()
    if newest is not None and parsed.retrieved_on < newest:
        raise ImportFailed(
            f"This roster is of {parsed.retrieved_on}, older than the députés already loaded "
            f"({newest}): importing it would bring back députés who have left."
        )


@contextmanager
def _database_session(settings: Settings, *, dry_run: bool = False) -> Iterator[Session]:
    """One transaction: committed at the end, or rolled back on a refusal or a dry run."""
    engine = create_db_engine(settings)
    try:
        upgrade_database(engine)
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            if dry_run:
                session.rollback()
            else:
                session.commit()
    finally:
        engine.dispose()


@contextmanager
def _reporting_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        console.print(f"[red]Nothing imported: {exc.message}[/red]")
        raise typer.Exit(1) from exc


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    )


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _print_report(report: ImportReport, retrieved_on: date, wrote_snapshot: bool) -> None:
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(
        f"Députés as of {retrieved_on}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.vacated} seats now vacant; "
        f"constituencies {report.constituencies_created} new, "
        f"{report.constituencies_updated} renamed."
    )
    if wrote_snapshot:
        console.print("Bundled snapshot rewritten under representatives/fr/.")
