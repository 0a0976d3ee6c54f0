"""Where a letter submission's CPU goes, in-process (no HTTP): the companion of bench/submit.py.

    .venv/bin/python bench/submit_cost.py [--db both|sqlite|postgres] [--letters 1500]

For each database (SQLite in a temporary folder, and a scratch PostgreSQL database created on
127.0.0.1:5432 and dropped afterwards), this process alone, measured in CPU seconds of the
process (time.process_time: what limits a one-process server), per operation:

- the bare endpoint's work: one INSERT of a comparable row in its own transaction;
- one submission (letters.service.submit_letter), whole, and how many SQL statements it runs;
- one statement of it alone: the representative's read (a one-row, cached Core SELECT);
- rendering alone: the letter and the confirmation email around it, text and HTML (Jinja2);
- sending one confirmation email through the file backend as the embedded worker of
  `repmail serve` does on SQLite (claim, MIME, an fsynced .eml file, record), and its MIME
  part alone.

HTTP parsing, routing and the response come on top of both sides in bench/submit.py; so
does, on SQLite, the confirmation email's sending, which runs inside `repmail serve`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from scratch import create_scratch_database, drop_database  # noqa: E402
from submit import (  # noqa: E402
    DEFAULT_POSTGRES,
    RAISED_LIMITS,
    BareLetterIn,
    bench_metadata,
    insert_bare_letter,
    letter,
    writable_representatives,
)


def cpu_ms(operation: Callable[[int], object], first: int, count: int) -> float:
    """CPU milliseconds of this process per call of `operation(n)`, n = first, first + 1..."""
    for n in range(first, first + max(count // 10, 20)):  # warm-up: caches, pool, JIT-less Python
        operation(n)
    first += max(count // 10, 20)
    before = time.process_time()
    for n in range(first, first + count):
        operation(n)
    return (time.process_time() - before) * 1000 / count


def statements_per_call(engine: Engine, operation: Callable[[], object]) -> int:
    seen = 0

    def count(*_args: Any) -> None:
        nonlocal seen
        seen += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        operation()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def measure(database_url: str, outbox: Path, letters: int) -> list[tuple[str, float]]:
    os.environ.update(
        {
            "REPMAIL_DATABASE_URL": database_url,
            "REPMAIL_EMAIL_BACKEND": "file",
            "REPMAIL_OUTBOX_DIR": str(outbox),
            "REPMAIL_LOG_LEVEL": "WARNING",
            **RAISED_LIMITS,
        }
    )
    from sqlmodel import Session

    from service.bootstrap import prepare_database
    from service.campaigns.service import campaign_snapshot
    from service.config import get_settings
    from service.db import create_db_engine
    from service.delivery.backends import build_backend
    from service.delivery.backends.mime import mime_bytes
    from service.delivery.schemas import MessageKind
    from service.delivery.worker import Worker
    from service.letters.compose import Draft, SupporterMail, render_letter, supporter_email
    from service.letters.queries import campaign_view, recipient_of, templates_for
    from service.letters.schemas import LetterIn
    from service.letters.service import submit_letter
    from service.logs import configure_logging

    get_settings.cache_clear()
    settings = get_settings()
    configure_logging("WARNING")
    engine = create_db_engine(settings)
    prepare_database(engine, settings)
    bench_metadata.create_all(engine)
    reps = writable_representatives(engine)
    run = uuid.uuid4().hex[:8]

    def bare(n: int) -> None:
        insert_bare_letter(engine, BareLetterIn.model_validate(letter(n, reps, run)))

    def submit(n: int) -> None:
        data = LetterIn.model_validate(letter(n, reps, run))
        with Session(engine, expire_on_commit=False) as session:
            submit_letter(
                session, settings, data, client_ip=f"127.0.0.{n % 250}", now=datetime.now(UTC)
            )

    session = Session(engine, expire_on_commit=False)
    campaign = campaign_snapshot(session, "calais-border")
    sample = LetterIn.model_validate(letter(0, reps, run))
    recipient = recipient_of(session, sample.representative_id)
    view = campaign_view(session, campaign, recipient.language)
    templates = templates_for(session, view, recipient.language)
    draft = Draft(
        name=sample.name,
        email=sample.email,
        postcode=sample.postcode,
        address=sample.address,
        message=sample.message,
        demands=tuple(sample.demands),
        subject="A letter",
    )
    mail = SupporterMail(
        kind=MessageKind.confirmation,
        base="confirm",
        lang=recipient.language,
        confirm_url="https://example.org/confirm/x",
        status_url="https://example.org/letters/x",
        expires_at=datetime.now(UTC),
        written_at=datetime.now(UTC),
        hold_message="",
    )

    def render(_n: int) -> None:
        rendered = render_letter(templates, view, recipient, draft)
        supporter_email(templates, mail, "0" * 32, view, recipient, draft, rendered)

    email = supporter_email(
        templates, mail, "0" * 32, view, recipient, draft,
        render_letter(templates, view, recipient, draft),
    )  # fmt: skip

    def read_one(_n: int) -> None:
        with Session(engine) as reader, reader.begin():
            recipient_of(reader, sample.representative_id)

    figures = [
        ("bare endpoint's work: one INSERT, one transaction", cpu_ms(bare, 0, letters)),
        ("one submission, whole (submit_letter)", cpu_ms(submit, 0, letters)),
        ("  one transaction reading one representative", cpu_ms(read_one, 0, letters)),
        ("  rendering: the letter and its confirmation email", cpu_ms(render, 0, letters)),
        (
            "  MIME of the confirmation email (build and serialise)",
            cpu_ms(lambda _n: mime_bytes(email, outbox_id="0" * 32), 0, letters),
        ),
    ]
    statements = statements_per_call(engine, lambda: submit(10 * letters))
    figures.append(("  SQL statements per submission, as the driver sees them", statements))

    # Every submission above queued a confirmation email: send them all as the embedded
    # worker would, in batches of its concurrency.
    worker = Worker(engine, build_backend(settings), settings.delivery, periodic=None)
    before = time.process_time()
    sent = worker.drain()
    if sent:
        figures.append(
            (
                "sending one confirmation email (file backend, as the embedded worker)",
                (time.process_time() - before) * 1000 / sent,
            )
        )
    worker.close()
    session.close()
    bench_metadata.drop_all(engine)
    engine.dispose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("both", "sqlite", "postgres"), default="both")
    parser.add_argument("--letters", type=int, default=1500, help="calls measured per figure")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    options = parser.parse_args()
    chosen = {"both": ("sqlite", "postgresql"), "sqlite": ("sqlite",), "postgres": ("postgresql",)}
    print(f"{os.cpu_count()} CPUs; CPU ms of this process per operation, {options.letters} each")
    for label in chosen[options.db]:
        with tempfile.TemporaryDirectory(prefix="repmail-cost-") as folder:
            workdir = Path(folder)
            url = (
                f"sqlite:///{workdir / 'cost.sqlite3'}"
                if label == "sqlite"
                else create_scratch_database(options.postgres_url, "repmail_bench_cost")
            )
            try:
                figures = measure(url, workdir / "outbox", options.letters)
            finally:
                if label == "postgresql":
                    drop_database(url)
        bare = figures[0][1]
        print(f"\n{label}")
        for name, value in figures:
            if "statements" in name:
                print(f"  {name:<72} {value:6.0f}")
            else:
                print(f"  {name:<72} {value:6.2f} ms  {value / bare:5.1f}x bare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
