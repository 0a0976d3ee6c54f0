"""Many rows written by one statement: a RowSet stands for the rows a statement applies to,
so that a use case that moves hundreds of rows at once (a webhook batch) states what it does
once, set-based.

On PostgreSQL the rows travel as one array per column and the statement reads them from
unnest(...) in its FROM clause: one statement of fixed text however many rows there are (its
plan and psycopg's parse are cached), where an executemany would be a round of the protocol
per row and a multi-row VALUES a new statement text per batch size. On SQLite, in-process,
the same statement is run once per row (executemany), which costs little there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Insert, bindparam, cast, column, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.expression import TableValuedAlias
from sqlalchemy.types import TypeEngine

AnInsert = TypeVar("AnInsert", bound=Insert)  # a dialect's own insert() keeps its type


class RowSet:
    """The named, typed values of many rows, for statements of one dialect. Build the
    statement on `c` (each name is a column of the rows: bound once per row, or read from
    the arrays), then run it with run()."""

    def __init__(self, dialect: str, columns: Mapping[str, TypeEngine[Any]]) -> None:
        self.names = tuple(columns)
        self.arrays = dialect == "postgresql"
        self.source: TableValuedAlias | None = None
        if self.arrays:
            self.source = (
                func.unnest(
                    *(
                        cast(bindparam(f"{name}_values"), ARRAY(kind))
                        for name, kind in columns.items()
                    )
                )
                .table_valued(*(column(name, kind) for name, kind in columns.items()))
                .render_derived()
            )
            self.c: Mapping[str, ColumnElement[Any]] = {
                name: self.source.c[name] for name in self.names
            }
        else:
            self.c = {name: bindparam(name, type_=kind) for name, kind in columns.items()}

    def insert(self, statement: AnInsert) -> AnInsert:
        """`statement`, an insert() of a table whose columns are named as the rows', taking
        its values from the rows."""
        if self.arrays:
            return statement.from_select(self.names, select(*self.c.values()))
        return statement.values(dict(self.c))

    def parameters(self, rows: Sequence[Mapping[str, Any]]) -> Any:
        """What run() passes with the statement: one array per column, or the rows."""
        if self.arrays:
            return {f"{name}_values": [row[name] for row in rows] for name in self.names}
        return [{name: row[name] for name in self.names} for row in rows]

    def run(
        self, connection: Connection, statement: Executable, rows: Sequence[Mapping[str, Any]]
    ) -> CursorResult[Any] | None:
        """Run `statement` (built on `c`) for every row; its result (RETURNING) if any."""
        if not rows:
            return None
        return connection.execute(statement, self.parameters(rows))
