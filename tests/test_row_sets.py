"""RowSet: many rows by one statement (JSON on PostgreSQL, executemany on SQLite), the same
rows and times either way, and one_of for a list of ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, update
from sqlmodel import Session

from service.row_sets import RowSet, one_of

probe = Table(
    "row_set_probe",
    MetaData(),
    Column("id", String(8), primary_key=True),
    Column("at", DateTime),
    Column("n", Integer),
    Column("note", String(20)),
)


def test_rows_go_in_and_are_updated_as_given(session: Session) -> None:
    connection = session.connection()
    probe.create(connection)
    dialect = connection.dialect.name
    at = datetime(2026, 12, 3, 14, 30, 15, 250_000, tzinfo=UTC)
    rows = [
        {"id": f"r{n}", "at": at + timedelta(minutes=n), "n": n, "note": None if n else 'a "q"'}
        for n in range(3)
    ]
    written = RowSet(dialect, {name: probe.c[name].type for name in ("id", "at", "n", "note")})
    written.run(connection, written.insert(probe.insert()), rows)
    changed = RowSet(dialect, {"key": probe.c.id.type, "new_n": probe.c.n.type})
    statement = update(probe).where(probe.c.id == changed.c["key"]).values(n=changed.c["new_n"])
    changed.run(connection, statement, [{"key": "r1", "new_n": 10}, {"key": "r2", "new_n": 20}])
    assert changed.run(connection, statement, []) is None  # nothing to do, nothing sent

    read = connection.execute(
        select(probe).where(one_of(dialect, probe.c.id, "ids")).order_by(probe.c.id),
        {"ids": ["r0", "r2"]},
    ).all()
    assert [(row.id, row.n, row.note) for row in read] == [("r0", 0, 'a "q"'), ("r2", 20, None)]
    times = [row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC) for row in read]
    assert times == [at, at + timedelta(minutes=2)]
