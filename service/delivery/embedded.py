"""The delivery worker inside `repmail serve`: on SQLite (one process owns the database) a
worker runs on a background thread for as long as the app does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from service.config import Environment, Settings
from service.delivery.backends import build_backend
from service.delivery.jobs import Periodic
from service.delivery.queue import SentListener
from service.delivery.worker import Worker


def wants_embedded_worker(settings: Settings) -> bool:
    chosen = settings.delivery.in_process_worker
    if chosen is not None:
        return chosen
    return settings.is_sqlite and settings.env is not Environment.test


@contextmanager
def embedded_worker(
    settings: Settings,
    engine: Engine,
    *,
    on_sent: SentListener | None = None,
    periodic: Periodic | None = None,
) -> Iterator[Worker | None]:
    """For the app lifespan: one worker on a background thread while the app runs, when
    the database is SQLite (or delivery.in_process_worker says so). The listener and the
    periodic jobs are the application's, wired by the caller."""
    if not wants_embedded_worker(settings):
        yield None
        return
    worker = Worker(
        engine, build_backend(settings), settings.delivery, on_sent=on_sent, periodic=periodic
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="repmail-worker", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        stop.set()
        thread.join(settings.delivery.shutdown_grace_seconds + 5)
        worker.close()
