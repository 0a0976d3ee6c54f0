"""`repmail serve` on SQLite: one worker on a background thread for the app's lifetime."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy.engine import Engine

from service.clock import SystemClock
from service.config import DeliverySettings, Environment, Settings
from service.delivery.embedded import embedded_worker, wants_embedded_worker
from service.delivery.states import OutboxState
from tests.delivery.support import queue_emails, row


def test_who_gets_an_embedded_worker() -> None:
    sqlite = Settings(env=Environment.development, database_url="sqlite:///x.db")
    postgres = Settings(env=Environment.development, database_url="postgresql+psycopg://h/db")
    assert wants_embedded_worker(sqlite)
    assert not wants_embedded_worker(postgres)
    assert not wants_embedded_worker(sqlite.model_copy(update={"env": Environment.test}))
    forced = DeliverySettings(in_process_worker=True)
    assert wants_embedded_worker(postgres.model_copy(update={"delivery": forced}))


def test_embedded_worker_sends_while_the_app_runs(
    db: Engine, outbox_db_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        env=Environment.test,
        database_url=outbox_db_url,
        outbox_dir=tmp_path,
        delivery=DeliverySettings(in_process_worker=True, poll_interval_seconds=0.02),
    )
    ids = queue_emails(db, SystemClock(), 3)  # type: ignore[arg-type]

    with embedded_worker(settings, db) as worker:
        assert worker is not None
        deadline = time.monotonic() + 10
        while len(list(tmp_path.iterdir())) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert {row(db, i).state for i in ids} == {OutboxState.sent}


def test_no_embedded_worker_when_not_wanted(db: Engine, outbox_db_url: str) -> None:
    settings = Settings(env=Environment.test, database_url=outbox_db_url)
    with embedded_worker(settings, db) as worker:
        assert worker is None
