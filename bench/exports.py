"""Seat maps, CSV exports and /metrics on a generated campaign: how long each takes, and the
memory the letters export needs while it streams.

    .venv/bin/python bench/exports.py [--letters 200000] [--database-url URL]

Without --database-url: a scratch PostgreSQL database on 127.0.0.1:5432 (dropped after).
Letters are spread at random over the 1,227 representatives with a mix of statuses. Figures
only; the maps and aggregates read letters grouped by representative, which the stats rollups
will replace (issue 14)."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, select

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from prometheus_client import generate_latest  # noqa: E402
from scratch import create_scratch_database, drop_database  # noqa: E402

from service.accounts.audit import Actor  # noqa: E402
from service.accounts.roles import Role  # noqa: E402
from service.bootstrap import prepare_database  # noqa: E402
from service.campaigns.models import Campaign  # noqa: E402
from service.campaigns.seed import seed_campaigns  # noqa: E402
from service.config import Settings  # noqa: E402
from service.db import create_db_engine  # noqa: E402
from service.letters.models import Letter  # noqa: E402
from service.letters.states import LetterStatus  # noqa: E402
from service.metrics.collector import DatabaseCollector  # noqa: E402
from service.representatives.models import ChamberId, Representative  # noqa: E402
from service.web import exports  # noqa: E402
from service.web.exports import AggregateExport  # noqa: E402
from service.web.seat_map_view import Measure, map_view  # noqa: E402

S = LetterStatus
STATUSES = [S.delivered] * 50 + [S.sent] * 15 + [S.queued] * 20 + [S.held] * 5 + [S.bounced] * 2
STATUSES += [S.pending_confirmation] * 5 + [S.expired] * 2 + [S.rejected]
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def generate(session: Session, campaign_id: int, count: int) -> None:
    members = list(session.exec(select(Representative.id)))
    rng = random.Random(14)
    rows = []
    for n in range(count):
        key = uuid.uuid4().hex
        at = START + timedelta(minutes=rng.randrange(60 * 24 * 30))
        rows.append(
            {
                "id": key,
                "campaign_id": campaign_id,
                "representative_id": rng.choice(members),
                "status": rng.choice(STATUSES).value,
                "language": "en",
                "ui_lang": "en",
                "name": f"Invented Writer {n}",
                "email": f"writer{n}@example.org",
                "email_key": f"writer{n}@example.org",
                "postcode": "BA1 1AA",
                "address": f"{n} Invented Street",
                "message": "My own words about the campaign, " * 6,
                "demands": "1,2",
                "subject": "A subject",
                "subject_is_own": False,
                "consent_at": at,
                "updates": False,
                "similarity": 0.0,
                "fingerprint": b"",
                "confirm_token_hash": key + key,
                "confirm_expires_at": at + timedelta(days=7),
                "confirmation_sent_at": at,
                "created_at": at,
                "updated_at": at,
            }
        )
        if len(rows) == 5000:
            session.execute(insert(Letter), rows)
            rows = []
    if rows:
        session.execute(insert(Letter), rows)
    session.commit()


def timed(label: str, action: Callable[[], object], runs: int = 5) -> None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{label:<40} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=200_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or create_scratch_database(
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres", "bench_exports"
    )
    settings = Settings(database_url=url, secret_key="bench-secret-key-long-enough-for-this")
    engine = create_db_engine(settings)
    try:
        prepare_database(engine, settings)
        with Session(engine) as session:
            seed_campaigns(session, settings)
            session.commit()
            campaign = session.exec(select(Campaign).order_by(Campaign.id)).first()
            assert campaign is not None and campaign.id is not None
            started = time.perf_counter()
            generate(session, campaign.id, args.letters)
            print(f"{args.letters:,} letters written in {time.perf_counter() - started:.1f} s")
            for chamber in ChamberId:
                timed(
                    f"map {chamber.value}",
                    lambda c=chamber: map_view(
                        session, settings.data_dir, campaign, c, Measure.sent
                    ),
                )
            for kind in AggregateExport:
                timed(
                    f"{kind.value}.csv",
                    lambda k=kind: "".join(exports.aggregate_csv(session, campaign, k)),
                    runs=3,
                )
            timed(
                "/metrics scrape (database figures)",
                lambda: generate_latest(DatabaseCollector(session, START)),
            )
            actor = Actor(id=None, email="bench", role=Role.admin)
            started = time.perf_counter()
            size = sum(len(c) for c in exports.letters_csv(session, actor, campaign, START))
            seconds = time.perf_counter() - started
            print(
                f"letters.csv: {size / 1e6:.1f} MB in {seconds:.1f} s "
                f"({args.letters / seconds:,.0f} rows/s)"
            )
            tracemalloc.start()
            for _chunk in exports.letters_csv(session, actor, campaign, START):
                pass
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"letters.csv again under tracemalloc: peak {peak / 1e6:.1f} MB")
    finally:
        engine.dispose()
        if not args.database_url:
            drop_database(url)


if __name__ == "__main__":
    main()
