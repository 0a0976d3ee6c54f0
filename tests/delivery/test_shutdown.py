"""`repmail worker` as a real process: SIGTERM lets in-flight sends finish and be recorded,
and leaves nothing leased."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy.engine import Engine

from service.clock import SystemClock
from service.config import PROJECT_ROOT
from service.delivery.states import OutboxState
from tests.delivery.support import queue_emails, row
from tests.fakes.sendgrid_server import FakeSendGrid


def test_sigterm_finishes_in_flight_sends_and_exits(db: Engine, outbox_db_url: str) -> None:
    ids = queue_emails(db, SystemClock(), 40)  # type: ignore[arg-type]
    with FakeSendGrid(latency=0.2) as fake:
        env = {
            **os.environ,
            "REPMAIL_ENV": "test",
            "REPMAIL_DATABASE_URL": outbox_db_url,
            "REPMAIL_SENDGRID_API_KEY": fake.api_key,
            "REPMAIL_SENDGRID_HOST": fake.url,
            "REPMAIL_DELIVERY__CONCURRENCY": "4",
            "REPMAIL_DELIVERY__POLL_INTERVAL_SECONDS": "0.05",
            "REPMAIL_LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 20
        while fake.requests < 6 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.02)
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err
    states = [row(db, i).state for i in ids]
    assert set(states) <= {OutboxState.sent, OutboxState.queued}
    assert 0 < states.count(OutboxState.sent) < len(ids)
    assert states.count(OutboxState.sent) == len(fake.received)  # every accepted send recorded
    assert all(row(db, i).lease_owner is None for i in ids)
