"""Delivery fixtures: a fake clock, email factories, and a migrated database of the backend
under test whose commits are real (workers use their own connections), emptied per test."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.clock import FakeClock
from service.config import DeliverySettings, Environment, Settings
from service.db import create_db_engine
from service.delivery.backends.memory import MemoryBackend
from service.delivery.models import (
    DeliveryControl,
    DeliveryPace,
    OutboxEvent,
    OutboxMessage,
    PeriodicRun,
)
from service.delivery.worker import Worker
from service.migrate import upgrade_database
from tests.conftest import DatabaseFactory
from tests.delivery.support import EmailFactory, make_email


@pytest.fixture
def email() -> EmailFactory:
    return make_email


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def dsettings() -> DeliverySettings:
    return DeliverySettings(
        lease_seconds=60,
        send_timeout_seconds=5,
        max_attempts=3,
        backoff_base_seconds=10,
        backoff_cap_seconds=100,
        rate_limit_cap_seconds=300,
        ambiguity_window_seconds=300,
        concurrency=4,
        poll_interval_seconds=0.02,
        shutdown_grace_seconds=5,
    )


@pytest.fixture(scope="session")
def outbox_db_url(databases: DatabaseFactory) -> str:
    url = databases.create()
    engine = create_db_engine(Settings(env=Environment.test, database_url=url))
    upgrade_database(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def outbox_engine(outbox_db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(Settings(env=Environment.test, database_url=outbox_db_url))
    yield engine
    engine.dispose()


@pytest.fixture
def db(outbox_engine: Engine) -> Engine:
    """The committed-transactions database, empty at the start of each test."""
    with Session(outbox_engine) as session, session.begin():
        session.execute(delete(OutboxEvent))
        session.execute(delete(OutboxMessage))
        session.execute(delete(DeliveryControl))
        session.execute(delete(DeliveryPace))
        session.execute(delete(PeriodicRun))
    return outbox_engine


@pytest.fixture
def backend() -> MemoryBackend:
    return MemoryBackend()


@pytest.fixture
def make_worker(
    db: Engine, backend: MemoryBackend, dsettings: DeliverySettings, clock: FakeClock
) -> Iterator[Callable[..., Worker]]:
    made: list[Worker] = []

    def build(**overrides: Any) -> Worker:
        values: dict[str, Any] = {
            "engine": db,
            "backend": backend,
            "settings": dsettings,
            "clock": clock,
            "worker_id": f"worker-{len(made) + 1}",
        }
        values.update(overrides)
        values.setdefault("rng", random.Random(7))
        worker = Worker(**values)
        made.append(worker)
        return worker

    yield build
    for worker in made:
        worker._pool.shutdown(wait=True, cancel_futures=True)
