"""The Alembic history and the SQLModel tables describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import service.models  # noqa: F401
from service.config import Environment, Settings
from service.db import create_db_engine
from service.migrate import downgrade_database, upgrade_database
from tests.conftest import DatabaseFactory


def _fresh_engine(databases: DatabaseFactory) -> Engine:
    settings = Settings(env=Environment.test, database_url=databases.create())
    return create_db_engine(settings)


def test_models_and_migrations_agree(databases: DatabaseFactory) -> None:
    engine = _fresh_engine(databases)
    upgrade_database(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_every_table_is_created_and_dropped_by_migrations(databases: DatabaseFactory) -> None:
    engine = _fresh_engine(databases)
    upgrade_database(engine)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(SQLModel.metadata.tables)
    downgrade_database(engine, "base")
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set()
    upgrade_database(engine)
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set(
        SQLModel.metadata.tables
    )
    engine.dispose()
