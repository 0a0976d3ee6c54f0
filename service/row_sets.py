"""Many rows written by one statement: a RowSet stands for the rows a statement applies to,
so that a use case that moves hundreds of rows at once (a webhook batch) states what it does
once, set-based.

On PostgreSQL the rows travel as one JSON array parameter and the statement reads them from
json_to_recordset(...) in its FROM clause: one statement of fixed text however many rows
there are (its plan and psycopg's parse are cached), where an executemany is a round of the
protocol per row, a multi-row VALUES a new statement text per batch size, and arrays per
column (unnest) cost psycopg's element-by-element quoting. json.dumps is C. On SQLite,
in-process, the same statement is run once per row (executemany), which costs little there."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Insert,
    Text,
    any_,
    bindparam,
    cast,
    column,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql.base import Executable
from sqlalchemy.types import TypeEngine

AnInsert = TypeVar("AnInsert", bound=Insert)  # a dialect's own insert() keeps its type


class RowSet:
    """The named, typed values of many rows, for statements of one dialect. Build the
    statement on `c` (each name is a column of the rows: bound once per row, or read from
    the JSON), then run it with run()."""

    def __init__(self, dialect: str, columns: Mapping[str, TypeEngine[Any]]) -> None:
        self.names = tuple(columns)
        self.as_json = dialect == "postgresql"
        if self.as_json:
            source = (
                func.json_to_recordset(cast(bindparam("rows", type_=Text), JSON))
                .table_valued(*(column(name, _json_type(kind)) for name, kind in columns.items()))
                .render_derived(with_types=True)
            )
            self.c: Mapping[str, ColumnElement[Any]] = {name: source.c[name] for name in self.names}
        else:
            self.c = {name: bindparam(name, type_=kind) for name, kind in columns.items()}

    def insert(self, statement: AnInsert) -> AnInsert:
        """`statement`, an insert() of a table whose columns are named as the rows', taking
        its values from the rows."""
        if self.as_json:
            return statement.from_select(self.names, select(*self.c.values()))
        return statement.values(dict(self.c))

    def parameters(self, rows: Sequence[Mapping[str, Any]]) -> Any:
        """What run() passes with the statement: the rows as one JSON text, or the rows."""
        if self.as_json:
            return {
                "rows": json.dumps(
                    [{name: row[name] for name in self.names} for row in rows],
                    default=_json_value,
                    separators=(",", ":"),
                )
            }
        return [{name: row[name] for name in self.names} for row in rows]

    def run(
        self, connection: Connection, statement: Executable, rows: Sequence[Mapping[str, Any]]
    ) -> CursorResult[Any] | None:
        """Run `statement` (built on `c`) for every row; its result (RETURNING) if any."""
        if not rows:
            return None
        return connection.execute(statement, self.parameters(rows))


def one_of(dialect: str, target: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """`target` is one of the list bound as `name`: on PostgreSQL = ANY(one array), so that
    the statement's text stays the same for any number of values (an expanding IN renders,
    and psycopg parses, a placeholder per value); on SQLite an expanding IN."""
    if dialect == "postgresql":
        return target == any_(cast(bindparam(name), ARRAY(target.type)))
    return target.in_(bindparam(name, expanding=True))


def _json_type(kind: TypeEngine[Any]) -> TypeEngine[Any]:
    """Times are read back with their offset (UTC here), then stored as the column says, as
    psycopg's own parameters would be."""
    return DateTime(timezone=True) if isinstance(kind, DateTime) else kind


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"a {type(value).__name__} does not go into a RowSet")
