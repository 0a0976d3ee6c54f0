"""Shared fixtures: one migrated database per test run (SQLite by default, PostgreSQL with
`--db postgres` or a postgresql REPMAIL_DATABASE_URL), the bundled data loaded once, and a
per-test transaction that is rolled back so tests never see each other's writes."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from service.app import create_app
from service.bootstrap import prepare_database
from service.config import PROJECT_ROOT, Environment, Settings
from service.db import create_db_engine
from service.deps import get_session


def _find_shared_data() -> Path:
    """The read-only source data sits beside the project (../shared/data); a clean clone
    elsewhere (CI) finds it through REPMAIL_SHARED_DATA or the workplace's fixed path."""
    candidates = [
        os.environ.get("REPMAIL_SHARED_DATA", ""),
        str(PROJECT_ROOT.parent / "shared" / "data"),
        "/work/shared/data",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return PROJECT_ROOT.parent / "shared" / "data"


SHARED_DATA = _find_shared_data()
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgres"),
        default=None,
        help="Database to run the suite on (default: from REPMAIL_DATABASE_URL, else sqlite).",
    )


def _backend(config: pytest.Config) -> str:
    chosen = config.getoption("--db")
    if chosen:
        return str(chosen)
    return (
        "postgres"
        if os.environ.get("REPMAIL_DATABASE_URL", "").startswith("postgres")
        else ("sqlite")
    )


def _postgres_server_url() -> str:
    url = os.environ.get("REPMAIL_DATABASE_URL", "")
    return url if url.startswith("postgres") else DEFAULT_POSTGRES_URL


def _missing_dependency(reason: str) -> None:
    """Skip when a machine lacks PostgreSQL; under CI nothing may be skipped for that."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        _missing_dependency(f"the shared source data is not at {SHARED_DATA}")
    return SHARED_DATA


class DatabaseFactory:
    """Creates empty databases of the backend under test and drops them afterwards."""

    def __init__(self, backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.backend = backend
        self._tmp = tmp_path_factory
        self._created: list[str] = []
        self._admin: Engine | None = None

    def create(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self._tmp.mktemp('db') / 'repmail.sqlite3'}"
        server_url = make_url(_postgres_server_url())
        if self._admin is None:
            self._admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        name = f"repmail_test_{uuid.uuid4().hex[:10]}"
        try:
            with self._admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:  # any failure to connect means "no server here"
            _missing_dependency(f"PostgreSQL is not reachable at {server_url.host}: {exc}")
        self._created.append(name)
        return server_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self._admin is None:
            return
        with self._admin.connect() as connection:
            for name in self._created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(_backend(request.config), tmp_path_factory)
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def database_url(databases: DatabaseFactory) -> str:
    return databases.create()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        env=Environment.test,
        database_url=database_url,
        outbox_dir=tmp_path_factory.mktemp("outbox"),
        data_dir=PROJECT_ROOT / "representatives",
        secret_key="test-secret-key-that-is-long-enough-for-tests",
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings)
    prepare_database(engine, settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def client(settings: Settings, engine: Engine, session: Session) -> Iterator[TestClient]:
    app = create_app(settings, engine=engine)

    def _test_session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = _test_session
    with TestClient(app) as test_client:
        yield test_client
