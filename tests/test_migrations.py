"""The Alembic history and the SQLModel tables describe the same schema."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import service.models  # noqa: F401
from service.bootstrap import prepare_database
from service.campaigns.models import Campaign
from service.config import PROJECT_ROOT, Environment, Settings
from service.db import create_db_engine
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.letters import similarity
from service.letters.schemas import LetterIn
from service.letters.service import submit_letter
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


WHILE_OPEN = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # the seeded campaign takes letters


def _revision(file_name: str) -> Any:
    path = PROJECT_ROOT / "migrations" / "versions" / file_name
    spec = importlib.util.spec_from_file_location(path.stem.replace("-", "_"), path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_letter_fingerprints_are_rebuilt_the_new_way(databases: DatabaseFactory) -> None:
    settings = Settings(env=Environment.test, database_url=databases.create(), secret_key="k" * 40)
    engine = create_db_engine(settings)
    prepare_database(engine, settings)
    message = "Тһе border kills people every winter and nobody is held to account for it."
    letter = LetterIn(
        campaign="calais-border",
        representative_id="uk-1171",
        name="Ann Example",
        email="ann@example.org",
        postcode="B34 7AA",
        demands=[1],
        message=message,
        consent=True,
    )
    # The use case itself, not the app: the app's start-up would warm the UK lookup in a
    # thread that outlives this test's engine.
    with Session(engine) as session:
        submit_letter(session, settings, letter, client_ip=None, now=WHILE_OPEN)
    with engine.begin() as connection:
        connection.execute(text("UPDATE letter SET fingerprint = :old"), {"old": b"\x00" * 8})
    # This revision's upgrade, run again on the letter as it stands (downgrading to before it
    # would also undo the later revisions that other branches built on its parent).
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        _revision("2026-12-03_rebuild_letter_fingerprints.py").upgrade()
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT fingerprint FROM letter")).scalar_one()
    engine.dispose()
    expected = similarity.shingles(message.replace("Тһе", "The"), settings.letters.shingle_words)
    assert similarity.unpack(bytes(stored)) == expected


def test_queued_letters_are_counted_from_the_outbox_already_there(
    databases: DatabaseFactory,
) -> None:
    settings = Settings(env=Environment.test, database_url=databases.create(), secret_key="k" * 40)
    engine = create_db_engine(settings)
    prepare_database(engine, settings)
    with Session(engine) as session:
        campaign_id = session.exec(select(Campaign.id)).first()
        for n, (state, key) in enumerate(
            [("queued", "uk-1171"), ("queued", "uk-1171"), ("sent", "uk-1171"), ("queued", "x")]
        ):
            session.add(
                OutboxMessage(
                    kind=MessageKind.letter,
                    state=OutboxState(state),
                    campaign_id=campaign_id,
                    pace_key=key,
                    not_before=WHILE_OPEN,
                    sender_email="campaign@example.org",
                    to_email=f"office{n}@example.org",
                    subject="The summit",
                    text_body="Dear member",
                    created_at=WHILE_OPEN,
                    updated_at=WHILE_OPEN,
                )
            )
        session.commit()
    # The revision's upgrade on the outbox as it stands (its table dropped first: the later
    # revisions of other branches stay).
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        connection.execute(text("DROP TABLE stats_queued_letters"))
        _revision("2026-12-03_queued_letters_counts.py").upgrade()
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT campaign_id, representative_id, letters FROM stats_queued_letters")
        ).all()
    engine.dispose()
    expected = [(campaign_id, "uk-1171", 2), (campaign_id, "x", 1)]
    assert sorted(tuple(row) for row in rows) == expected
