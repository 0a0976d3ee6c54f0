"""Engine and session handling shared by the web app, the CLI and the workers."""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, SQLModel, create_engine

from service.config import Settings
from service.errors import DatabaseUnavailable

# Named constraints keep Alembic migrations deterministic on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
# How long a SQLite writer waits for another to finish before the request answers 503.
BUSY_TIMEOUT_SECONDS = 5.0


class FifoLock:
    """A lock handed to its waiters in arrival order. threading.Lock is not fair: under load
    the threads serving requests would keep taking it and starve the delivery worker."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float, *, ahead: bool = False) -> bool:
        """Wait up to `timeout` seconds; `ahead` goes to the front of the line."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            if ahead:
                self._waiters.appendleft(turn)
            else:
                self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # release() handed it over
        with self._mutex:
            if turn in self._waiters:
                self._waiters.remove(turn)
                return False
        return True  # handed over just as the wait ran out: ours after all

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # still held: by the next in line
            else:
                self._held = False


class SqliteWriterGate:
    """One writing transaction at a time, per process, queued on a lock.

    SQLite lets one transaction write; the others wait in its busy handler, which sleeps in
    growing steps (up to 100 ms) and so leaves the database idle for most of a step after the
    writer commits. Writers of this process take this lock first and go in as soon as it
    frees; a writer from another process still meets the busy handler. Held from
    lock_for_write() (delivery.models) until the connection is handed back to the pool."""

    _HELD = "repmail.writer_gate"

    def __init__(self, timeout: float) -> None:
        self._lock = FifoLock()
        self._timeout = timeout

    def enter(self, connection: Connection, *, ahead: bool = False) -> bool:
        """Take the gate for the connection's current transaction. False when that transaction
        has it already: its caller has nothing more to do. True otherwise: the transaction must
        still take SQLite's own write lock."""
        transaction = connection.get_transaction()
        held = connection.info.get(self._HELD)
        if held is None:
            if not self._lock.acquire(timeout=self._timeout, ahead=ahead):
                raise OperationalError(
                    "waiting to write", None, sqlite3.OperationalError("database is locked")
                )
        elif held is transaction:
            return False
        # (A later transaction on a connection not yet handed back keeps the gate it has.)
        connection.info[self._HELD] = transaction
        return True

    def held_by(self, connection: Connection) -> bool:
        """Whether the connection's current transaction has the gate."""
        held = connection.info.get(self._HELD)
        return held is not None and held is connection.get_transaction()

    def leave(self, info: dict[Any, Any]) -> None:
        if info.pop(self._HELD, None) is not None:
            self._lock.release()


def writer_gate(engine: Engine) -> SqliteWriterGate | None:
    gate: SqliteWriterGate | None = getattr(engine, "repmail_writer_gate", None)
    return gate


# An UPDATE that matches no row: enough for SQLite to take the write lock. The table is the
# migration bookkeeping's own, present in every migrated database and owned by no domain.
_TAKE_WRITE_LOCK = text("UPDATE alembic_version SET version_num = version_num WHERE 1 = 0")


def lock_for_write(session: Session, *, ahead: bool = False) -> None:
    """SQLite: take the write lock before reading, or a concurrent commit between this
    transaction's read and its write fails it (SQLITE_BUSY_SNAPSHOT); writers of this process
    queue for it in order (SqliteWriterGate), and `ahead` ones (the delivery worker's short
    claim and record transactions: mail a supporter is waiting for) go first. Once per
    transaction: use cases nest (a confirmation books a slot, which locks too). No-op
    elsewhere."""
    gate = writer_gate(session.get_bind().engine)
    if gate is not None and gate.enter(connection := session.connection(), ahead=ahead):
        connection.execute(_TAKE_WRITE_LOCK)


@contextmanager
def use_case(session: Session) -> Iterator[None]:
    """The frame of a use case that writes: whatever a refused use case wrote (a rate-limit
    hit, a half-built row) is undone.

    On SQLite it takes the write lock before the use case's first read: otherwise a
    concurrent commit between that read and its first write fails it at once ("database is
    locked", SQLITE_BUSY_SNAPSHOT, which busy_timeout does not wait out). For the same reason
    what the calling page read in this session is ended first. A database that cannot take
    the use case is DatabaseUnavailable, a domain error, so no caller handles the driver's."""
    try:
        with database_errors_as_domain_errors():
            end_read_only_transaction(session)
            lock_for_write(session)
            yield
    except Exception:
        session.rollback()
        raise


def end_read_only_transaction(session: Session) -> None:
    """SQLite: end what the caller has only read in this session, so the use case it calls
    next begins a transaction of its own.

    A page reads (the representative, the campaign) and then calls a use case on the same
    session. On SQLite that read holds a snapshot, and the use case's first write from it fails
    at once ("database is locked", SQLITE_BUSY_SNAPSHOT, which busy_timeout does not wait out)
    if any other writer committed in between. Left alone when there is nothing to end, when the
    transaction writes already (a nested use case holds the gate), when the caller has changes
    not yet flushed, and when the session joined a transaction its caller owns (a test's)."""
    gate = writer_gate(session.get_bind().engine)
    if gate is None or not session.in_transaction() or session.in_nested_transaction():
        return
    if not isinstance(session.bind, Engine) or session.new or session.dirty or session.deleted:
        return
    if not gate.held_by(session.connection()):
        session.commit()


# What the database raises when it cannot take a request just now (a writer waiting past the
# busy timeout, a lost connection, a pool with no connection free), as opposed to a statement
# that is wrong: those stay errors of ours.
UNAVAILABLE_ERRORS = (OperationalError, PoolTimeout)


def unavailable(error: Exception) -> DatabaseUnavailable:
    """The domain error for a database that cannot take the request: the one place where
    the database's own errors become one the pages and the API know."""
    refusal = DatabaseUnavailable(
        "The service is busy right now. Nothing was saved; please try again in a few seconds."
    )
    refusal.reason = type(getattr(error, "orig", None) or error).__name__
    return refusal


@contextmanager
def database_errors_as_domain_errors() -> Iterator[None]:
    """Around a use case: DatabaseUnavailable instead of the driver's errors, so its caller
    can answer (a letter given back to send again) without knowing the database."""
    try:
        yield
    except UNAVAILABLE_ERRORS as exc:
        raise unavailable(exc) from exc


def _prepare_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; let SQLAlchemy
    # issue BEGIN itself so nested transactions and per-test rollback behave as on PostgreSQL.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    gate = SqliteWriterGate(timeout=BUSY_TIMEOUT_SECONDS)
    engine.repmail_writer_gate = gate  # type: ignore[attr-defined]

    # Released when the connection goes back to the pool: a session hands it back right after
    # its commit or rollback, and an invalidated connection (after an error) goes back at once.
    # (The engine's "commit" event would be too early: it runs before the COMMIT, and the next
    # writer would meet the busy handler after all.)
    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        gate.leave(record.info)


def create_db_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        _prepare_sqlite(engine)
        return engine
    # hide_parameters: database errors end up in logs, and their bound values are personal data.
    # No pool_pre_ping: it costs a round trip on every checkout (a third of a fast lookup).
    # A dropped connection still heals: the first error on it invalidates the pool, the
    # request answers 503 and the worker backs off, and the next checkout reconnects.
    return create_engine(url, pool_size=10, max_overflow=20, hide_parameters=True)


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
