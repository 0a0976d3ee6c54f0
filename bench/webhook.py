"""Event Webhook benchmark: signed batches posted to `repmail serve` on PostgreSQL, and in the
same run to a bare endpoint.

    .venv/bin/python bench/webhook.py [--letters 12000] [--clients 4] [--batch 1000]
                                      [--postgres-url URL] [--log-level WARNING]

A scratch PostgreSQL database is created on 127.0.0.1:5432 (dropped afterwards) and
`repmail serve` started on it with a fresh webhook key pair. The generator seeds --letters
letters, each with its outbox row as the worker leaves it after SendGrid's 202 ("sent"), and
gives each a fate (its truth): delivered (most), still deferred, hard bounce, blocked, or
dropped for a bounced address. Their events (processed, deferred, delivered, bounce, dropped,
each with its own sg_event_id and the row's custom args) are put in batches of --batch events
of which 30% repeat an event already sent (SendGrid's duplicates), shuffled across letters,
serialised as SendGrid does (compact JSON + CRLF) and signed just before the run.

Two servers, one after the other, get the same batches from --clients threads:
- `repmail serve`: verify, store the batch, answer 204, apply it (background task): events
  deduplicated, outbox rows moved, letters told, bounce notices queued to supporters.
  Its time runs until every batch is applied (the database says so), not only answered.
- a bare FastAPI app (this file) that parses the JSON and bulk-inserts the events into a
  scratch table of the same database: no verification, no deduplication, no mapping.

Printed: events/s for each, then the ratio (goals: repmail >= 5,000 events/s; ratio >= 0.5),
and whether every letter's state equals the generator's truth.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI, Request, Response
from sqlalchemy import Column, Integer, MetaData, String, Table, text
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from scratch import (  # noqa: E402
    cpu_seconds,
    create_scratch_database,
    drop_database,
    free_port,
    start,
    stop,
    wait_until_idle,
)

from service.config import Settings  # noqa: E402
from service.db import create_db_engine  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
GOAL_RATE = 5_000
GOAL_RATIO = 0.5
DUPLICATE_SHARE = 0.3
# Fate -> (events in the order they happened, the letter's final status).
FATES: dict[str, tuple[list[tuple[str, dict[str, str]]], str]] = {
    "delivered": ([("processed", {}), ("delivered", {})], "delivered"),
    "deferred then delivered": (
        [("processed", {}), ("deferred", {}), ("delivered", {})],
        "delivered",
    ),
    "still deferred": ([("processed", {}), ("deferred", {})], "sent"),
    "bounced": ([("processed", {}), ("bounce", {"reason": "550 5.1.1 unknown user"})], "bounced"),
    "blocked": (
        [("processed", {}), ("bounce", {"type": "blocked", "reason": "554 blocked"})],
        "bounced",
    ),
    "dropped": ([("dropped", {"reason": "Bounced Address"})], "bounced"),
}
WEIGHTS = {
    "delivered": 80,
    "deferred then delivered": 10,
    "still deferred": 5,
    "bounced": 2,
    "blocked": 1,
    "dropped": 2,
}

# -- the bare endpoint ----------------------------------------------------------------------

bench_metadata = MetaData()
bench_event = Table(
    "bench_event",
    bench_metadata,
    Column("id", Integer, primary_key=True),
    Column("sg_event_id", String(100), nullable=False),
    Column("event", String(20), nullable=False),
    Column("outbox_id", String(32)),
    Column("timestamp", Integer),
)


def create_bare_app() -> FastAPI:
    engine = create_db_engine(Settings())
    app = FastAPI()
    insert = bench_event.insert()

    @app.post("/webhooks/sendgrid", status_code=204)
    async def events(request: Request) -> Response:
        batch = json.loads(await request.body())
        rows = [
            {
                "sg_event_id": e.get("sg_event_id"),
                "event": e.get("event"),
                "outbox_id": e.get("outbox_id"),
                "timestamp": e.get("timestamp"),
            }
            for e in batch
        ]

        def store() -> None:
            with engine.begin() as connection:
                connection.execute(insert, rows)

        await run_in_threadpool(store)
        return Response(status_code=204)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_bare(host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(
        create_bare_app, factory=True, host=host, port=port, log_config=None, access_log=False
    )


# -- the generator --------------------------------------------------------------------------


def seed_letters(engine: Engine, count: int, rng: random.Random) -> dict[str, tuple[str, str]]:
    """`count` letters already sent (outbox row "sent"); returns outbox id -> (letter id,
    fate)."""
    with engine.connect() as connection:
        campaign_id = connection.execute(
            text("SELECT id FROM campaign ORDER BY id LIMIT 1")
        ).scalar_one()
        reps = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT id FROM representative WHERE status = 'active' AND chamber_id = "
                    "'uk-commons' AND email IS NOT NULL AND email <> '' ORDER BY id"
                )
            )
        ]
    now = datetime.now(UTC)
    letters, rows, truth = [], [], {}
    fates = list(WEIGHTS)
    for n in range(count):
        letter_id, outbox_id = uuid.uuid4().hex, uuid.uuid4().hex
        fate = rng.choices(fates, weights=[WEIGHTS[f] for f in fates])[0]
        rep = rng.choice(reps)
        email = f"bench{n}@example.org"
        letters.append(
            {
                "id": letter_id,
                "campaign_id": campaign_id,
                "representative_id": rep,
                "status": "sent",
                "language": "en",
                "ui_lang": "en",
                "name": f"Bench {n}",
                "email": email,
                "email_key": email,
                "postcode": "B34 7AA",
                "address": f"{n} Bench Road",
                "message": f"Paragraph {n}.",
                "demands": "1",
                "subject": "Bench",
                "subject_is_own": False,
                "consent_at": now,
                "updates": False,
                "similarity": 0.0,
                "fingerprint": b"",
                "confirm_token_hash": uuid.uuid4().hex,
                "confirm_expires_at": now + timedelta(days=7),
                "confirmation_sent_at": now,
                "confirmed_at": now,
                "outbox_id": outbox_id,
                "created_at": now,
                "updated_at": now,
            }
        )
        rows.append(
            {
                "id": outbox_id,
                "kind": "letter",
                "priority": 5,
                "state": "sent",
                "letter_id": letter_id,
                "campaign_id": campaign_id,
                "pace_key": rep,
                "to_domain": "parliament.uk",
                "sender_email": "letters@campaign.example",
                "to_email": f"office{n % 600}@parliament.uk",
                "subject": "Bench",
                "text_body": "Dear member,",
                "headers": "{}",
                "attempts": 1,
                "created_at": now,
                "updated_at": now,
                "sent_at": now,
            }
        )
        truth[outbox_id] = (letter_id, fate)
    columns = lambda row: ", ".join(row)  # noqa: E731
    values = lambda row: ", ".join(f":{key}" for key in row)  # noqa: E731
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO letter ({columns(letters[0])}) VALUES ({values(letters[0])})"),
            letters,
        )
        connection.execute(
            text(f"INSERT INTO outbox_message ({columns(rows[0])}) VALUES ({values(rows[0])})"),
            rows,
        )
    return truth


def batches_for(
    truth: dict[str, tuple[str, str]], size: int, rng: random.Random
) -> list[list[dict[str, Any]]]:
    """Every letter's events, 30% of each batch repeats of events already in an earlier
    position, shuffled."""
    events = []
    start = int(time.time()) - 3600
    for outbox_id, (letter_id, fate) in truth.items():
        for step, (kind, extra) in enumerate(FATES[fate][0]):
            events.append(
                {
                    "email": "office@parliament.uk",
                    "timestamp": start + step * 60,
                    "event": kind,
                    "sg_event_id": base64.urlsafe_b64encode(uuid.uuid4().bytes)
                    .decode()
                    .rstrip("="),
                    "sg_message_id": f"{outbox_id[:22]}.filterdrecv-bench-0.0",
                    "outbox_id": outbox_id,
                    "letter_id": letter_id,
                    **extra,
                }
            )
    rng.shuffle(events)
    fresh_per_batch = round(size * (1 - DUPLICATE_SHARE))
    batches, sent = [], []
    for first in range(0, len(events), fresh_per_batch):
        fresh = events[first : first + fresh_per_batch]
        sent.extend(fresh)
        repeats = [dict(rng.choice(sent)) for _ in range(size - len(fresh))]
        batch = fresh + repeats
        rng.shuffle(batch)
        batches.append(batch)
    return batches


def sign(key: ec.EllipticCurvePrivateKey, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signature = key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "Content-Type": "application/json",
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
    }


def post_all(port: int, bodies: list[tuple[bytes, dict[str, str]]], clients: int) -> Counter[int]:
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    queue = list(reversed(bodies))

    def client() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    body, headers = queue.pop()
                status = http.post("/webhooks/sendgrid", content=body, headers=headers).status_code
                with lock:
                    statuses[status] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


class CpuMeter:
    """CPU used by the server process and by the PostgreSQL backends serving its database
    (PostgreSQL runs on this machine): what a batch costs, whatever else the machine runs."""

    def __init__(self, engine: Engine, server: subprocess.Popen[bytes]) -> None:
        self.engine = engine
        self.server = server
        self.start = self._sample()

    def _sample(self) -> dict[int, float]:
        with self.engine.connect() as connection:
            backends = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            ).scalars()
            sample = {pid: cpu_seconds(pid) for pid in backends}
        sample[-self.server.pid] = cpu_seconds(self.server.pid)  # negative: not a backend
        return sample

    def used(self) -> tuple[float, float]:
        """(server, PostgreSQL) CPU seconds since the meter started."""
        end = self._sample()
        spent = {pid: end[pid] - self.start.get(pid, 0.0) for pid in end}
        server = spent.pop(-self.server.pid)
        return server, sum(spent.values())


def per_thousand(cpu: tuple[float, float], events: int) -> str:
    server, database = (seconds * 1000 / events * 1000 for seconds in cpu)
    return (
        f"  CPU per 1,000 events: server {server:.0f} ms, PostgreSQL {database:.0f} ms "
        f"(together a floor of {1000 / (server + database) * 1000:,.0f} events/s on one core, "
        f"{1000 / max(server, database) * 1000:,.0f} on two)"
    )


def run(options: argparse.Namespace) -> int:
    rng = random.Random(2026)
    database_url = create_scratch_database(options.postgres_url, "repmail_bench_webhook")
    workdir = Path(tempfile.mkdtemp(prefix="repmail-bench-webhook-"))
    key = ec.generate_private_key(ec.SECP256R1())
    public = base64.b64encode(
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).decode()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPMAIL_")}
    env.update(
        {
            "PYTHONPATH": str(PROJECT_ROOT),
            "REPMAIL_DATABASE_URL": database_url,
            "REPMAIL_EMAIL_BACKEND": "file",
            "REPMAIL_OUTBOX_DIR": str(workdir / "outbox"),
            "REPMAIL_LOG_LEVEL": options.log_level,
            "REPMAIL_SENDGRID_WEBHOOK_PUBLIC_KEY": public,
        }
    )
    engine = create_db_engine(Settings(database_url=database_url))
    try:
        port = free_port()
        server = start([str(BIN / "repmail"), "serve"], port, env, workdir, "repmail")
        try:
            truth = seed_letters(engine, options.letters, rng)
            batches = batches_for(truth, options.batch, rng)
            total = sum(len(batch) for batch in batches)
            raw = [(json.dumps(b, separators=(",", ":")) + "\r\n").encode() for b in batches]
            signed = [(body, sign(key, body)) for body in raw]
            print(
                f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
                f"{len(truth):,} letters, {len(batches)} batches, {total:,} events "
                f"({DUPLICATE_SHARE:.0%} repeats), {options.clients} clients"
            )
            wait_until_idle(server.pid)
            meter = CpuMeter(engine, server)
            began = time.perf_counter()
            statuses = post_all(port, signed, options.clients)
            answered = time.perf_counter() - began
            while True:
                with engine.connect() as connection:
                    waiting = connection.execute(
                        text("SELECT count(*) FROM webhook_batch WHERE processed_at IS NULL")
                    ).scalar_one()
                if not waiting:
                    break
                time.sleep(0.05)
            applied = time.perf_counter() - began
            real_cpu = meter.used()
        finally:
            stop(server)
        real_rate = total / applied
        print(
            f"repmail serve: {real_rate:,.0f} events/s to applied ({applied:.2f} s; all "
            f"answered after {answered:.2f} s = {total / answered:,.0f} events/s); "
            f"answers {dict(statuses)}"
        )
        print(per_thousand(real_cpu, total))
        with engine.connect() as connection:
            status_of = dict(
                connection.execute(
                    text("SELECT id, status FROM letter WHERE email LIKE 'bench%'")
                ).all()
            )
        wrong = Counter(
            fate for letter_id, fate in truth.values() if status_of.get(letter_id) != FATES[fate][1]
        )
        print(
            "every letter's state equals the truth"
            if not wrong
            else f"letters whose state differs from the truth, by fate: {dict(wrong)}"
        )

        bench_metadata.create_all(engine)
        port = free_port()
        bare = start([sys.executable, __file__, "_serve-bare"], port, env, workdir, "bare")
        try:
            wait_until_idle(bare.pid)
            meter = CpuMeter(engine, bare)
            began = time.perf_counter()
            bare_statuses = post_all(
                port,
                [(body, {"Content-Type": "application/json"}) for body in raw],
                options.clients,
            )
            bare_time = time.perf_counter() - began
            bare_cpu = meter.used()
        finally:
            stop(bare)
        bare_rate = total / bare_time
        print(
            f"bare endpoint: {bare_rate:,.0f} events/s ({bare_time:.2f} s); "
            f"answers {dict(bare_statuses)}"
        )
        print(per_thousand(bare_cpu, total))
        ratio = real_rate / bare_rate
        print(
            f"goals: >= {GOAL_RATE:,} events/s: {'met' if real_rate >= GOAL_RATE else 'NOT met'}; "
            f"ratio >= {GOAL_RATIO}: {'met' if ratio >= GOAL_RATIO else 'NOT met'}"
        )
        print(f"ratio repmail/bare: {ratio:.2f}")
        return 0 if not wrong else 1
    finally:
        engine.dispose()
        drop_database(database_url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode")
    bare = sub.add_parser("_serve-bare", help="internal: the bare endpoint's server")
    bare.add_argument("--host", default="127.0.0.1")
    bare.add_argument("--port", type=int, required=True)
    parser.add_argument("--letters", type=int, default=12_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--log-level", default="WARNING")
    options = parser.parse_args()
    if options.mode == "_serve-bare":
        serve_bare(options.host, options.port)
        return 0
    return run(options)


if __name__ == "__main__":
    raise SystemExit(main())
