"""Command line: `repmail users create|token|list|disable`. service/cli.py calls register(app).

`users create` is how the first admin comes to exist; after that, admins invite people from
the console. Passwords are read from standard input, never from an argument (which would
land in the shell's history and the process list)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from service.accounts import credentials, service
from service.accounts.audit import CLI_ACTOR, Actor
from service.accounts.roles import Role, needs_second_factor
from service.clock import SYSTEM_CLOCK
from service.config import get_settings
from service.db import create_db_engine
from service.errors import DomainError
from service.logs import configure_logging

users_app = typer.Typer(help="People who sign in to the console and the admin API.")
console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users", no_args_is_help=True)


@contextmanager
def _session() -> Iterator[Session]:
    settings = get_settings()
    configure_logging(settings.log_level)
    engine = create_db_engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    except DomainError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


@users_app.command("create")
def create(
    email: str,
    role: Annotated[Role, typer.Option(help="admin, organiser, moderator or staff.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account with a password (the first admin, typically)."""
    if not password_stdin:
        console.print("Pass --password-stdin and give the password on standard input.")
        raise typer.Exit(2)
    password = sys.stdin.readline().rstrip("\r\n")
    settings = get_settings()
    with _session() as session:
        account = service.create_account(
            session, CLI_ACTOR, email, role, password, settings.accounts, SYSTEM_CLOCK.now()
        )
    console.print(f"Created {account.email} ({account.role}).")
    if needs_second_factor(account.role):
        console.print("They must set up a second factor at their first sign-in to /console.")


@users_app.command("token")
def token(
    email: str,
    name: Annotated[str, typer.Option(help="What the token is for, to tell tokens apart.")],
) -> None:
    """Create a personal API token for EMAIL and print it (once, on the last line)."""
    with _session() as session:
        account = service.find_by_email(session, email)
        if account is None:
            console.print("There is no account with that email address.")
            raise typer.Exit(1)
        actor = Actor(id=account.id, email=account.email, role=account.role)
        api_token, raw = credentials.create_token(session, actor, name, SYSTEM_CLOCK.now())
    if needs_second_factor(account.role) and account.totp_secret is None:
        console.print("The token works once its owner has set up a second factor.")
    console.print(f"Token {api_token.name!r} created; it is shown only now:")
    print(raw)  # noqa: T201  (stdout, alone, so scripts can capture it)


@users_app.command("list")
def list_people() -> None:
    """Everyone with an account, with their role and state."""
    with _session() as session:
        accounts = service.list_accounts(session)
    table = Table("email", "role", "second factor", "state")
    for account in accounts:
        state = (
            "disabled"
            if account.disabled_at
            else "locked"
            if account.locked_at
            else "invited"
            if account.password_hash is None
            else "active"
        )
        table.add_row(account.email, account.role, "yes" if account.totp_secret else "no", state)
    Console().print(table)


@users_app.command("disable")
def disable(email: str) -> None:
    """Disable an account: its sessions end and its API tokens stop working."""
    with _session() as session:
        account = service.find_by_email(session, email)
        if account is None:
            console.print("There is no account with that email address.")
            raise typer.Exit(1)
        service.set_disabled(session, CLI_ACTOR, account.id, True, SYSTEM_CLOCK.now())
    console.print(f"Disabled {account.email}.")
