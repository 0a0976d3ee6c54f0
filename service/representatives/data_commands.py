"""`repmail data status`: per chamber, where the representatives data comes from, its date,
what it holds, and a warning when it is older than REPMAIL_REPRESENTATIVES__STALE_AFTER_DAYS."""

from __future__ import annotations

from datetime import date

import typer
from rich.console import Console
from sqlmodel import Session

from service.config import get_settings
from service.db import create_db_engine
from service.representatives.freshness import ChamberFreshness, chamber_freshness
from service.representatives.importers.command_hooks import PrepareDatabase
from service.representatives.models import ChamberId

console = Console()
CHAMBER_LABELS = {
    ChamberId.uk_commons: "UK House of Commons",
    ChamberId.fr_an: "Assemblée nationale",
}
# Exit status when some chamber's data is stale, so a cron job or CI can notice.
STALE_EXIT_CODE = 2

_prepare_database: dict[str, PrepareDatabase] = {}


def register(app: typer.Typer, prepare_database: PrepareDatabase) -> None:
    _prepare_database["data"] = prepare_database
    data_app = typer.Typer(help="The representatives data.", no_args_is_help=True)
    data_app.command("status")(status)
    app.add_typer(data_app, name="data")


def status() -> None:
    """How fresh each chamber's data is; exit status 2 when any is older than the setting."""
    settings = get_settings()
    engine = create_db_engine(settings)
    try:
        _prepare_database["data"](engine, settings)
        with Session(engine) as session:
            chambers = chamber_freshness(session)
    finally:
        engine.dispose()
    today = date.today()
    limit = settings.representatives.stale_after_days
    stale = False
    for chamber in chambers:
        stale |= _print_chamber(chamber, today, limit)
    if stale:
        raise typer.Exit(code=STALE_EXIT_CODE)


def _print_chamber(chamber: ChamberFreshness, today: date, limit: int) -> bool:
    console.print(f"[bold]{CHAMBER_LABELS[chamber.chamber_id]}[/bold] ({chamber.chamber_id})")
    console.print(f"  source: {chamber.source or 'unknown'}")
    checked = (
        f", checked unchanged on {chamber.checked_on}"
        if chamber.checked_on and chamber.checked_on != chamber.source_date
        else ""
    )
    console.print(f"  source date: {chamber.source_date or 'unknown'}{checked}")
    console.print(
        f"  seats: {chamber.seats}; written to: {chamber.written_to}; no address yet: "
        f"{chamber.no_address}; vacant: {chamber.vacant}; paused: {chamber.paused}"
    )
    if chamber.is_stale(today, limit):
        age = chamber.age_days(today)
        console.print(
            f"  [yellow]warning: this data is {age if age is not None else 'of unknown'} days "
            f"old (more than {limit}); refresh it with the importers (see README, Data).[/]"
        )
        return True
    return False
