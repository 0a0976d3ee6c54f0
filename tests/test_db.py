"""service.db: the SQLite writer gate and its lock. Waiters are served in arrival order (the
delivery worker's transactions first), a wait that runs out leaves the lock working, and the gate
is let go at commit and when a connection is dropped."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from service.config import Settings
from service.db import (
    FifoLock,
    create_db_engine,
    database_errors_as_domain_errors,
    lock_for_write,
    writer_gate,
)
from service.errors import DatabaseUnavailable
from service.migrate import upgrade_database


def _queue_up(lock: FifoLock, names: list[tuple[str, bool]]) -> list[str]:
    """Hold the lock while `names` line up (one after the other), then let them through."""
    served: list[str] = []
    assert lock.acquire(timeout=1)
    threads = []
    for name, ahead in names:

        def wait(name: str = name, ahead: bool = ahead) -> None:
            assert lock.acquire(timeout=5, ahead=ahead)
            served.append(name)
            lock.release()

        thread = threading.Thread(target=wait)
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # in line before the next one starts
    lock.release()
    for thread in threads:
        thread.join(timeout=5)
    return served


def test_waiters_are_served_in_arrival_order() -> None:
    names = [("first", False), ("second", False), ("third", False)]
    assert _queue_up(FifoLock(), names) == ["first", "second", "third"]


def test_a_waiter_ahead_goes_first() -> None:
    names = [("request", False), ("another request", False), ("worker", True)]
    assert _queue_up(FifoLock(), names) == ["worker", "request", "another request"]


def test_a_wait_that_runs_out_leaves_the_lock_working() -> None:
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    assert not lock.acquire(timeout=0.05)
    lock.release()
    assert lock.acquire(timeout=0.05)
    lock.release()


def _wait_to_write(engine: Engine) -> float:
    """Seconds another thread waits for the write lock (at most 5)."""
    waited: list[float] = []

    def write() -> None:
        started = time.monotonic()
        with Session(engine) as session, session.begin():
            lock_for_write(session)
        waited.append(time.monotonic() - started)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=10)
    return waited[0]


def test_the_gate_is_let_go_at_commit_and_when_a_connection_is_dropped(tmp_path: Path) -> None:
    engine = create_db_engine(Settings(database_url=f"sqlite:///{tmp_path / 'gate.sqlite3'}"))
    upgrade_database(engine)
    assert writer_gate(engine) is not None
    with Session(engine) as session, session.begin():
        lock_for_write(session)
    assert _wait_to_write(engine) < 1  # committed: free
    session = Session(engine)
    session.begin()
    lock_for_write(session)
    session.connection().invalidate()  # as an error would
    assert _wait_to_write(engine) < 1
    session.close()
    engine.dispose()


def test_the_write_lock_is_taken_once_per_transaction(tmp_path: Path) -> None:
    engine = create_db_engine(Settings(database_url=f"sqlite:///{tmp_path / 'once.sqlite3'}"))
    upgrade_database(engine)
    updates: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("UPDATE alembic_version"):
            updates.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    with Session(engine) as session, session.begin():
        lock_for_write(session)
        lock_for_write(session, ahead=True)  # a nested use case: nothing more to do
    assert len(updates) == 1
    with Session(engine) as session, session.begin():
        lock_for_write(session)
    assert len(updates) == 2  # the next transaction takes it again
    engine.dispose()


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("BEGIN", {}, Exception("database is locked")),
        PoolTimeout("QueuePool limit of size 10 overflow 20 reached"),
    ],
)
def test_a_database_that_cannot_take_the_request_is_a_domain_error(error: Exception) -> None:
    with pytest.raises(DatabaseUnavailable) as raised, database_errors_as_domain_errors():
        raise error
    assert raised.value.status_code == 503
    assert raised.value.__cause__ is error
    # The log names the driver's error class, never its text.
    assert raised.value.reason in ("Exception", "TimeoutError")
    assert "locked" not in raised.value.message


def test_a_wrong_statement_stays_an_error_of_ours() -> None:
    duplicate = IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
    with pytest.raises(IntegrityError), database_errors_as_domain_errors():
        raise duplicate
