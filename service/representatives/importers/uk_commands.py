"""`repmail import uk-...` commands: MPs from the Members API or the MP list CSV, and
postcode → constituency from the ONS NSPL/ONSPD. Each opens the configured database, brings
it up to date first (with the preparation the command line passes in at registration: the
migrations and the bundled data), and runs in one transaction: a failure leaves the data as
it was."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlmodel import Session, select

from service.config import get_settings
from service.db import create_db_engine
from service.errors import DomainError
from service.representatives.import_diff import apply_with_diff
from service.representatives.importers.command_hooks import (
    DeparturesListener,
    PrepareDatabase,
    no_departures_listener,
)
from service.representatives.importers.nspl_import import (
    PostcodeImportReport,
    find_csv_sources,
    import_uk_postcodes,
)
from service.representatives.importers.uk_members_api import parse_members_api
from service.representatives.importers.uk_mps_csv import parse_uk_mps_csv
from service.representatives.importers.uk_seats import ParsedUkSource
from service.representatives.models import ChamberId, Constituency
from service.representatives.schemas import ConstituencyRecord, ImportReport
from service.representatives.snapshot import (
    CHAMBER_DATASETS,
    SourceInfo,
    record_source,
    write_chamber_snapshot,
)

console = Console(stderr=True)
# Warnings past this many are summarised: a broken file can produce thousands.
MAX_WARNINGS_SHOWN = 20


# Set by register(), from the command line (a higher layer).
_prepare_database: dict[str, PrepareDatabase] = {}
_departures: dict[str, DeparturesListener] = {"uk": no_departures_listener}


def register(
    import_app: typer.Typer,
    prepare_database: PrepareDatabase,
    on_departures: DeparturesListener | None = None,
) -> None:
    _prepare_database["uk"] = prepare_database
    _departures["uk"] = on_departures or no_departures_listener
    import_app.command("uk-members-api")(import_members_api)
    import_app.command("uk-mps-csv")(import_mps_csv)
    import_app.command("uk-postcodes")(import_postcodes)


DryRunOption = Annotated[
    bool,
    typer.Option(
        help="Show what the import would change (seats added, changed, vacated) and write "
        "nothing; run again without it to apply."
    ),
]


def import_members_api(
    directory: Annotated[
        Path, typer.Argument(help="Folder of saved Members/Search pages and Contact files.")
    ],
    retrieved_on: Annotated[
        str | None,
        typer.Option(help="Date the files were downloaded (YYYY-MM-DD); default today."),
    ] = None,
    dry_run: DryRunOption = False,
) -> None:
    """Update MPs from a saved download of the UK Parliament Members API."""
    when = _parse_date(retrieved_on)
    with _session() as session:
        parsed = parse_members_api(directory, known_constituencies(session), retrieved_on=when)
        report = _apply(session, parsed, dry_run=dry_run)
        _finish(session, dry_run)
    _print_members_report(parsed, report, dry_run=dry_run)


def _finish(session: Session, dry_run: bool) -> None:
    if dry_run:
        session.rollback()
    else:
        session.commit()


def import_mps_csv(
    file: Annotated[Path, typer.Argument(help="UK MP list CSV (one row per seat).")],
    write_snapshot: Annotated[
        bool, typer.Option(help="Also rewrite the bundled snapshot under representatives/uk.")
    ] = False,
    checked_on: Annotated[
        str | None,
        typer.Option(
            help="With --write-snapshot: the last date the list was checked unchanged against "
            "a fresher source (YYYY-MM-DD)."
        ),
    ] = None,
    dry_run: DryRunOption = False,
) -> None:
    """Update constituencies and MPs from the UK MP list CSV."""
    checked = _parse_date(checked_on) if checked_on else None
    with _session() as session:
        parsed = parse_uk_mps_csv(file)
        report = _apply(session, parsed, dry_run=dry_run)
        _finish(session, dry_run)
    if dry_run:
        _print_members_report(parsed, report, dry_run=True)
        return
    if write_snapshot:
        write_chamber_snapshot(
            get_settings().data_dir,
            ChamberId.uk_commons,
            parsed.constituencies,
            parsed.representatives,
            checked_on=checked,
        )
        console.print(f"Snapshot written to {get_settings().data_dir / 'uk'}")
    _print_members_report(parsed, report)


def import_postcodes(
    file: Annotated[Path, typer.Argument(help="ONS NSPL or ONSPD: the zip or its CSV.")],
    skip_northern_ireland: Annotated[
        bool,
        typer.Option(help="Leave out BT postcodes (their licence differs from the OGL)."),
    ] = False,
) -> None:
    """Replace the postcode → constituency table with the live postcodes of an NSPL/ONSPD."""
    with _session() as session:
        total = sum(source.size for source in find_csv_sources(file))
        with _byte_progress(total) as advance:
            report = import_uk_postcodes(
                session,
                file,
                include_northern_ireland=not skip_northern_ireland,
                progress=advance,
            )
        session.commit()
    _print_postcode_report(report)


def known_constituencies(session: Session) -> list[ConstituencyRecord]:
    rows = session.exec(select(Constituency).where(Constituency.chamber_id == ChamberId.uk_commons))
    return [
        ConstituencyRecord(id=c.id, name=c.name, region=c.region, name_cy=c.name_cy) for c in rows
    ]


@contextmanager
def _session() -> Iterator[Session]:
    settings = get_settings()
    engine = create_db_engine(settings)
    try:
        _prepare_database["uk"](engine, settings)
        with Session(engine, expire_on_commit=False) as session:
            yield session
    except DomainError as exc:
        console.print(f"[red]Nothing imported:[/red] {exc.message}")
        raise typer.Exit(code=1) from exc
    finally:
        engine.dispose()


def _apply(session: Session, parsed: ParsedUkSource, *, dry_run: bool = False) -> ImportReport:
    with Progress(
        TextColumn("MPs"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        task = progress.add_task("apply", total=len(parsed.representatives))
        report, diff = apply_with_diff(
            session,
            ChamberId.uk_commons,
            parsed.constituencies,
            parsed.representatives,
            complete=parsed.complete,
            progress=lambda n: progress.advance(task, n),
        )
    if dry_run:
        for line in diff.lines():
            console.print(line)
    record_source(
        session,
        CHAMBER_DATASETS[ChamberId.uk_commons],
        SourceInfo.of_records(parsed.representatives),
        len(parsed.representatives),
    )
    if not dry_run:  # a dry run holds no letter (and tells nobody it would)
        for line in _departures["uk"](session, report.departed):
            console.print(f"[yellow]{line}[/yellow]")
    return report


@contextmanager
def _byte_progress(total: int) -> Iterator[Callable[[int], None]]:
    with Progress(
        TextColumn("postcodes"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("read", total=total)
        yield lambda n: progress.advance(task, n)


def _parse_date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-06-27") from exc


def _print_members_report(
    parsed: ParsedUkSource, report: ImportReport, *, dry_run: bool = False
) -> None:
    warnings = parsed.warnings + report.warnings
    for line in warnings[:MAX_WARNINGS_SHOWN]:
        console.print(f"[yellow]warning:[/yellow] {line}")
    if len(warnings) > MAX_WARNINGS_SHOWN:
        console.print(f"[yellow]... and {len(warnings) - MAX_WARNINGS_SHOWN} more warnings[/]")
    writable = sum(1 for r in parsed.representatives if r.email)
    console.print(
        f"{len(parsed.representatives)} MPs read ({writable} with an email), "
        f"snapshot {parsed.retrieved_on}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.vacated} seats vacated; constituencies "
        f"{report.constituencies_created} new, {report.constituencies_updated} updated."
    )
    if not parsed.complete:
        console.print("Some members were left out, so no seat was vacated for being absent.")
    if dry_run:
        console.print("Dry run: nothing was written. Run again without --dry-run to apply.")


def _print_postcode_report(report: PostcodeImportReport) -> None:
    if report.unchanged:
        console.print("This file is already imported; nothing changed.")
        return
    console.print(
        f"{report.rows_read:,} rows read from {len(report.files)} file(s): "
        f"{report.imported:,} live postcodes imported; skipped {report.terminated:,} "
        f"terminated, {report.no_constituency:,} without a constituency, "
        f"{report.malformed:,} malformed, {report.duplicates:,} duplicates, "
        f"{report.northern_ireland_skipped:,} Northern Ireland (by choice)."
    )
    if report.unknown_codes:
        shown = ", ".join(f"{c} ({n:,})" for c, n in report.unknown_codes.most_common(10))
        console.print(
            f"[yellow]{sum(report.unknown_codes.values()):,} rows name "
            f"{len(report.unknown_codes)} unknown constituency codes, not imported:[/] {shown}"
        )
    missing = report.seats_without_postcodes
    if missing:
        more = ", ..." if len(missing) > MAX_WARNINGS_SHOWN else ""
        console.print(
            f"[yellow]{len(missing)} constituencies have no postcode:[/] "
            + ", ".join(missing[:MAX_WARNINGS_SHOWN])
            + more
        )
