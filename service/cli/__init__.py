"""The `repmail` command line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlmodel import Session

from service.accounts import commands as accounts_commands
from service.bootstrap import prepare_database
from service.cli import delivery as delivery_commands
from service.clock import SYSTEM_CLOCK
from service.config import Settings, get_settings
from service.db import create_db_engine
from service.letters.departures import hold_letters_for_departed
from service.logs import configure_logging
from service.representatives import data_commands
from service.representatives.importers import (
    fr_commands,
    map_commands,
    uk_commands,
    uk_nearby_commands,
)
from service.slow_clients import PROTOCOL_PATH
from service.stats.rebuild import rebuild

app = typer.Typer(help="repmail: write to your own MP or député.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
import_app = typer.Typer(help="Import official data files.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")


def hold_letters_of_departed(session: Session, representative_ids: Sequence[str]) -> list[str]:
    """Letters queued for members an import took off their seat are held, never sent on;
    the list printed here is the organisers' notice until their console exists."""
    holds = hold_letters_for_departed(session, representative_ids, now=SYSTEM_CLOCK.now())
    lines = [
        f"Held for organisers (their representative left the seat): letter {h.letter_id}, "
        f"campaign {h.campaign_id}, to {h.representative_id}"
        for h in holds.held
    ]
    lines += [
        f"Already with the email provider, could not be held: letter {letter_id}"
        for letter_id in holds.already_sent
    ]
    return lines


uk_commands.register(import_app, prepare_database, hold_letters_of_departed)
fr_commands.register(import_app, hold_letters_of_departed)
data_commands.register(app, prepare_database)
uk_nearby_commands.register(import_app)
map_commands.register(app)
delivery_commands.register(app)
accounts_commands.register(app)

console = Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="HTTP worker processes.")] = 1,
) -> None:
    """Migrate, load the bundled data on first start, and serve the web app and API."""
    import uvicorn

    settings = get_settings()
    configure_logging(settings.log_level)
    engine = create_db_engine(settings)
    loaded = prepare_database(engine, settings)
    engine.dispose()
    fresh = [name for name, rows in loaded.items() if rows is not None]
    if fresh:
        console.print(f"Loaded bundled data: {', '.join(fresh)}")
    console.print(f"repmail listening on http://{host}:{port}  (API docs at /docs)")
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        **server_options(settings),
    )


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's network options from the settings. Forwarded headers are believed only from
    the proxies named in REPMAIL_HTTP__TRUSTED_PROXIES (uvicorn's own default trusts the
    loopback address, so a client on the same machine could pick its address for the
    per-IP limits); the request head must arrive within the header timeout."""
    proxies = settings.http.trusted_proxy_list
    return {
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies,
        "http": PROTOCOL_PATH,
    }


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration and load the bundled data where it changed."""
    settings = get_settings()
    configure_logging(settings.log_level)
    engine = create_db_engine(settings)
    prepare_database(engine, settings)
    engine.dispose()
    console.print("Database is up to date.")


@db_app.command("rebuild-stats")
def db_rebuild_stats() -> None:
    """Recompute the dashboard's counters from the letters, the outbox and the provider's
    events (after anything wrote to those tables around the application)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    engine = create_db_engine(settings)
    with Session(engine) as session:
        rebuild(session)
        session.commit()
    engine.dispose()
    console.print("The dashboard's counters are recomputed.")
