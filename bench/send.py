"""Delivery benchmark: the outbox worker against a fake SendGrid with 100 ms of latency.

    .venv/bin/python bench/send.py [--letters 20000] [--workers 4] [--concurrency 32]
                                   [--latency 0.1] [--naive 100] [--database-url URL]

1. Naive baseline: the official `sendgrid` client (pointed at the fake) sending one letter
   at a time, --naive of them; letters/s.
2. One `repmail worker` process drains --letters queued letters from a fresh PostgreSQL
   database (goal: >= 20x the naive rate).
3. --workers `repmail worker` processes drain the same number from another fresh database
   (goal: >= 1.6x one worker).
Every phase counts what the fake accepted per letter id: duplicates must be 0.

Rates run from the fake's first accepted request to the moment the database shows every
letter sent, so process start-up is left out of both. The fake runs in this process on
127.0.0.1 (stdlib ThreadingHTTPServer); the database is the PostgreSQL server of the test
suite (127.0.0.1:5432) unless --database-url names another server.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from scratch import create_scratch_database, drop_database  # noqa: E402

from service.config import Environment, Settings  # noqa: E402
from service.db import create_db_engine  # noqa: E402
from service.delivery.backends.sendgrid import mail_send_body  # noqa: E402
from service.delivery.models import OutboxEvent, OutboxMessage  # noqa: E402
from service.delivery.schemas import Address, MessageKind, OutgoingEmail  # noqa: E402
from service.delivery.states import OutboxState  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from tests.fakes.sendgrid_server import FakeSendGrid  # noqa: E402

GOAL_ONE_VS_NAIVE = 20.0
GOAL_MANY_VS_ONE = 1.6
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def letter(n: int, run: str) -> OutgoingEmail:
    return OutgoingEmail(
        kind=MessageKind.letter,
        sender=Address("letters@campaign.example", f"Supporter {n} via Calais Campaign"),
        to=Address(f"mp{n % 650}@parliament.example", f"Member {n % 650}"),
        reply_to=Address(f"supporter{n}@mail.example", f"Supporter {n}"),
        subject=f"Please back the campaign before the summit ({n})",
        text=f"Dear Member,\n\nMy own words, letter {n}.\n" + "Demand.\n" * 20,
        html=f"<p>Dear Member,</p><p>My own words, letter {n}.</p>" + "<p>Demand.</p>" * 20,
        letter_id=f"{run}-{n:06d}",
    )


def naive(fake: FakeSendGrid, count: int) -> float:
    from sendgrid import SendGridAPIClient

    client = SendGridAPIClient(api_key=fake.api_key, host=fake.url)
    client.client.timeout = 10
    started = time.perf_counter()
    for n in range(count):
        response = client.send(mail_send_body(letter(n, "naive"), outbox_id=f"naive-{n}"))
        assert response.status_code == 202
    return count / (time.perf_counter() - started)


def fresh_database(server_url: str) -> tuple[str, Engine]:
    url = create_scratch_database(server_url, "repmail_bench")
    engine = create_db_engine(Settings(env=Environment.test, database_url=url))
    upgrade_database(engine)
    return url, engine


def queue_letters(engine: Engine, count: int, run: str) -> None:
    """Setup, not measured: the rows and events enqueue() writes, inserted in bulk."""
    now = time.time()
    from datetime import UTC, datetime

    at = datetime.fromtimestamp(now, UTC)
    for start in range(0, count, 2000):
        with Session(engine) as session, session.begin():
            rows = [
                OutboxMessage.row_for(
                    letter(n, run),
                    state=OutboxState.queued,
                    next_attempt_at=at,
                    created_at=at,
                    updated_at=at,
                )
                for n in range(start, min(start + 2000, count))
            ]
            session.execute(OutboxMessage.__table__.insert(), rows)  # type: ignore[attr-defined]
            session.add_all(
                OutboxEvent(outbox_id=r["id"], at=at, to_state="queued", actor="bench")
                for r in rows
            )
    # What autovacuum does within a minute of a bulk load; without statistics the planner
    # sorts every queued row on each claim instead of walking the claim index.
    with engine.connect() as connection:
        connection.execute(text("ANALYZE outbox_message"))
        connection.commit()


def remaining(engine: Engine) -> int:
    with Session(engine) as session:
        return int(
            session.exec(select(func.count()).where(OutboxMessage.state != OutboxState.sent)).one()
        )


def drain(
    fake: FakeSendGrid, url: str, engine: Engine, *, workers: int, concurrency: int
) -> tuple[float, int, int]:
    """Start `workers` worker processes; letters/s, duplicates, and how many were sent."""
    seen_before = len(fake.received)
    env = {
        **os.environ,
        "REPMAIL_ENV": "test",
        "REPMAIL_DATABASE_URL": url,
        "REPMAIL_SENDGRID_API_KEY": fake.api_key,
        "REPMAIL_SENDGRID_HOST": fake.url,
        "REPMAIL_LOG_LEVEL": "WARNING",
        "REPMAIL_DELIVERY__POLL_INTERVAL_SECONDS": "0.2",
        # Every letter here goes to one domain: measure the outbox, not the politeness cap
        # on letters in flight per receiving domain (8 by default).
        "REPMAIL_DELIVERY__DOMAIN_CONCURRENCY": "100000",
    }
    command = [sys.executable, "-m", "service.cli", "worker", "--concurrency", str(concurrency)]
    processes = [
        subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        while remaining(engine) and all(p.poll() is None for p in processes):
            time.sleep(0.1)
        finished = time.time()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(60)
    received = fake.received[seen_before:]
    if not received:
        raise SystemExit("the workers sent nothing: see their output")
    elapsed = finished - min(r.at for r in received)
    letters = Counter(r.body["personalizations"][0]["custom_args"]["letter_id"] for r in received)
    duplicates = sum(count - 1 for count in letters.values())
    return len(letters) / elapsed, duplicates, len(letters)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--concurrency", type=int, default=Settings().delivery.concurrency, help="per worker"
    )
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--naive", type=int, default=100)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER)
    )
    args = parser.parse_args()

    with FakeSendGrid(latency=args.latency) as fake:
        naive_rate = naive(fake, args.naive)
        print(f"naive (official client, one at a time, {args.naive} letters): ", end="")
        print(f"{naive_rate:8.1f} letters/s")

        results = {}
        for label, workers in (("one worker", 1), (f"{args.workers} workers", args.workers)):
            url, engine = fresh_database(args.database_url)
            try:
                queue_letters(engine, args.letters, label.replace(" ", "-"))
                rate, duplicates, sent = drain(
                    fake, url, engine, workers=workers, concurrency=args.concurrency
                )
            finally:
                engine.dispose()
                drop_database(url)
            results[workers] = rate
            print(
                f"{label} (concurrency {args.concurrency}, {sent} letters): "
                f"{rate:8.1f} letters/s, duplicates {duplicates}"
            )
            if sent != args.letters or duplicates:
                raise SystemExit(f"{label}: sent {sent} of {args.letters}, {duplicates} duplicates")

    one, many = results[1], results[args.workers]
    print(f"one worker / naive: {one / naive_rate:.1f}x (goal >= {GOAL_ONE_VS_NAIVE:g}x)")
    print(f"{args.workers} workers / one worker: {many / one:.2f}x (goal >= {GOAL_MANY_VS_ONE:g}x)")


if __name__ == "__main__":
    main()
