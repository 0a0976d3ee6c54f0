"""Supporter mail under provider faults: how long the slowest confirmation waits.

    .venv/bin/python bench/supporter_retries.py [--letters 240] [--confirmations 60]
                                                [--fault-rate 0.2] [--database-url URL]

A backlog of --letters letters is queued first, then --confirmations confirmations behind it,
in a scratch PostgreSQL database (127.0.0.1:5432 unless --database-url names another server).
One worker with the default delivery settings drains them through the fake SendGrid, which
answers a --fault-rate share of requests with 500, 502, 503 or 429. Printed: the slowest
confirmation's wait from queueing to SendGrid's 202, the median, and the faults injected.
Goal: the slowest confirmation within 30 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from scratch import create_scratch_database, drop_database  # noqa: E402

from service.clock import SystemClock  # noqa: E402
from service.config import DeliverySettings, Environment, Settings  # noqa: E402
from service.db import create_db_engine  # noqa: E402
from service.delivery import service as delivery  # noqa: E402
from service.delivery.backends.sendgrid import SendGridBackend  # noqa: E402
from service.delivery.models import OutboxMessage  # noqa: E402
from service.delivery.schemas import MessageKind  # noqa: E402
from service.delivery.worker import Worker  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from tests.delivery.support import make_email  # noqa: E402
from tests.fakes.sendgrid_server import FakeSendGrid  # noqa: E402

GOAL_SECONDS = 30.0
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=240)
    parser.add_argument("--confirmations", type=int, default=60)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--database-url", default=DEFAULT_SERVER)
    args = parser.parse_args()

    url = create_scratch_database(args.database_url, "repmail_bench_retries")
    try:
        waits, injected = run(url, args.letters, args.confirmations, args.fault_rate)
    finally:
        drop_database(url)
    if len(waits) < args.confirmations:
        raise SystemExit(f"only {len(waits)} of {args.confirmations} confirmations were sent")
    slowest = max(waits)
    print(f"confirmations: {len(waits)} behind {args.letters} letters; faults injected: {injected}")
    print(f"median wait {statistics.median(waits):.1f} s; slowest {slowest:.1f} s")
    verdict = "met" if slowest <= GOAL_SECONDS else "missed"
    print(f"goal: slowest <= {GOAL_SECONDS:.0f} s: {verdict}")


def run(url: str, letters: int, confirmations: int, fault_rate: float) -> tuple[list[float], int]:
    engine = create_db_engine(Settings(env=Environment.test, database_url=url))
    upgrade_database(engine)
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        for n in range(1, letters + 1):
            delivery.enqueue(session, make_email(n, kind=MessageKind.letter), now=now)
        for n in range(letters + 1, letters + confirmations + 1):
            delivery.enqueue(session, make_email(n, kind=MessageKind.confirmation), now=now)
    with FakeSendGrid(
        latency=0.02, fault_rate=fault_rate, fault_mix=(500, 502, 503, 429), seed=11
    ) as fake:
        backend = SendGridBackend(fake.api_key, host=fake.url, timeout=5, connections=8)
        worker = Worker(engine, backend, DeliverySettings(), clock=SystemClock(), concurrency=8)
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 4 * GOAL_SECONDS
            while time.monotonic() < deadline and len(waits_of(engine)) < confirmations:
                time.sleep(0.2)
        finally:
            stop.set()
            thread.join(15)
            worker.close()
        injected = sum(fake.injected.values())
    waits = waits_of(engine)
    engine.dispose()
    return waits, injected


def waits_of(engine: Engine) -> list[float]:
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage.created_at, OutboxMessage.sent_at).where(
                OutboxMessage.kind == MessageKind.confirmation,
                col(OutboxMessage.sent_at).is_not(None),
            )
        ).all()
    return [(sent - created) / timedelta(seconds=1) for created, sent in rows if sent]


if __name__ == "__main__":
    main()
