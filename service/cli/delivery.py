"""Command line: `repmail worker`, `repmail delivery pause|resume|status|plan`,
`repmail send-test`.
The `repmail` app (service.cli) calls register(app). The worker is given the letters'
listener and periodic jobs here, at start-up: delivery imports no other domain."""

from __future__ import annotations

import logging
import signal
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from sqlmodel import Session, select

from service.campaigns.models import Campaign
from service.clock import SYSTEM_CLOCK
from service.config import get_settings
from service.db import create_db_engine
from service.delivery import service as delivery
from service.delivery import switches
from service.delivery.backends import SendError, build_backend
from service.delivery.schemas import Address, MessageKind, OutgoingEmail
from service.delivery.worker import Worker
from service.letters.hooks import LetterTracking, letter_jobs, tell_letters
from service.letters.plan import campaign_plans, repace_overdue, replan_campaign
from service.letters.plan_view import render_plan
from service.logs import configure_logging
from service.stats import counting
from service.tracking.jobs import with_tracking
from service.tracking.listeners import listen_to_events

delivery_app = typer.Typer(help="Delivery: pause or resume all sending, see the outbox.")
console = Console(stderr=True)
log = logging.getLogger("repmail.worker")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("send-test")(send_test)
    app.add_typer(delivery_app, name="delivery", no_args_is_help=True)


def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Sends in flight (default: delivery.concurrency).")
    ] = None,
    once: Annotated[bool, typer.Option(help="Send what is due now, then exit.")] = False,
) -> None:
    """Send queued email. Run as many as you like (PostgreSQL); stops cleanly on SIGTERM."""
    settings = get_settings()
    configure_logging(settings.log_level)
    # The worker signs links in reminders: it must use the key the web app uses.
    log.info("secret key", extra={"source": settings.secret_key_source})
    engine = create_db_engine(settings)
    listen_to_events(counting.DELIVERY)  # the dashboard's counters hear the provider's events
    runner = Worker(
        engine,
        build_backend(settings, connections=concurrency),
        settings.delivery,
        concurrency=concurrency,
        on_sent=tell_letters,
        periodic=with_tracking(letter_jobs(settings), settings, LetterTracking(settings)),
    )
    try:
        if once:
            runner.drain()
            if runner.periodic:
                runner.periodic.run(engine, owner=runner.worker_id, clock=runner.clock)
        else:
            stop = threading.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            console.print(f"worker {runner.worker_id} sending via {runner.backend.name}")
            runner.run(stop)
    finally:
        runner.close()
        engine.dispose()
    stats = runner.stats
    console.print(
        f"sent {stats.sent}, retried {stats.retried}, failed {stats.failed}, "
        f"unknown outcome {stats.ambiguous}, released {stats.released}"
    )


@delivery_app.command("pause")
def pause(
    reason: Annotated[str, typer.Option(help="Why; shown by `delivery status`.")] = (
        "paused by an operator"
    ),
) -> None:
    """Stop all sending at once, on every worker. Nothing queued is lost."""
    with _session() as session:
        switches.pause(session, reason=reason, actor="cli")
        session.commit()
    console.print("Delivery paused. `repmail delivery resume` starts it again.")


@delivery_app.command("resume")
def resume() -> None:
    """Let the workers send again. Letters that fell due during the pause are re-slotted
    first, so each representative's resume at their pace rather than all at once."""
    settings = get_settings()
    configure_logging(settings.log_level)
    with _session() as session:
        switches.resume(session, actor="cli")
        repace_overdue(session, settings.delivery, SYSTEM_CLOCK.now())  # commits
        session.commit()
    console.print("Delivery resumed.")


@delivery_app.command("plan")
def plan(
    campaign: Annotated[str | None, typer.Option(help="Only this campaign (slug).")] = None,
    apply: Annotated[
        bool,
        typer.Option(
            "--apply",
            help="Re-slot every queued letter from now (after changing a campaign's pace or "
            "office hours), raising the pace only where the deadline needs it.",
        ),
    ] = False,
) -> None:
    """Where the queued letters stand against each campaign's deadline: letters queued, the
    busiest representative, the projected last send, the pace used, and a warning when even
    the daily ceiling cannot make it."""
    settings = get_settings()
    configure_logging(settings.log_level)
    now = SYSTEM_CLOCK.now()
    with _session() as session:
        if apply:
            for row in session.exec(select(Campaign)).all():
                if campaign is None or row.slug == campaign:
                    replan_campaign(session, row, settings.delivery, now)
            session.commit()
        plans = campaign_plans(session, settings.delivery, now, slug=campaign)
    if not plans:
        console.print(f"No campaign {campaign!r}." if campaign else "No campaigns.")
        raise typer.Exit(1)
    for one in plans:
        typer.echo(render_plan(one, now))
    if any(rep.ceiling_cannot for one in plans for rep in one.late):
        raise typer.Exit(2)


@delivery_app.command("status")
def status() -> None:
    """Whether delivery is paused, and how many messages are in each state."""
    with _session() as session:
        state = switches.pause_state(session)
        counts = delivery.state_counts(session)
        failures = delivery.recent_failures(session)
    if state.paused:
        console.print(f"PAUSED since {state.changed_at:%Y-%m-%d %H:%M} UTC: {state.reason}")
    else:
        console.print("running")
    for name, count in sorted(counts.items()):
        typer.echo(f"{name}\t{count}")
    if failures:
        # Ids, kinds and the provider's reason only: no addresses or names.
        typer.echo(f"latest failures ({len(failures)}):")
        for failure in failures:
            typer.echo(
                f"  {failure.id}\t{failure.kind}\t{failure.updated_at:%Y-%m-%d %H:%M}"
                f"\t{failure.last_error or 'no reason recorded'}"
            )


def send_test(
    address: Annotated[str, typer.Argument(help="Where to send the test email.")],
    sender: Annotated[
        str | None, typer.Option("--from", help="From address (default: delivery.test_sender).")
    ] = None,
) -> None:
    """Send one real test email through the configured backend, now (not via the outbox)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    email = OutgoingEmail(
        kind=MessageKind.notice,
        sender=Address(sender or settings.delivery.test_sender, "repmail"),
        to=Address(address),
        subject="repmail test email",
        text="This is a test email from repmail. If you can read it, delivery works.\n",
        html="<p>This is a test email from repmail. If you can read it, delivery works.</p>",
    )
    backend = build_backend(settings, connections=1)
    try:
        provider_id = backend.send(email, outbox_id=uuid.uuid4().hex)
    except SendError as error:
        console.print(f"[red]Not sent[/red] via {backend.name}: {error.reason}")
        raise typer.Exit(1) from error
    finally:
        backend.close()
    console.print(f"Sent via {backend.name}; provider message id {provider_id}")


@contextmanager
def _session() -> Iterator[Session]:
    engine = create_db_engine(get_settings())
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()
