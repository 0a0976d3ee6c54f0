"""CSV as a stream of text chunks: UTF-8, a header row, every cell quoted where it must be,
and cells a spreadsheet would read as a formula neutralised.

Spreadsheets run a cell that starts with = + - @ (and, in some, a tab or carriage return
before one of those) as a formula: a supporter's name such as `=HYPERLINK(...)` would become
a link or worse on the organiser's machine. Such a cell gets a leading apostrophe, the
convention spreadsheets show as plain text (OWASP's "CSV injection" advice)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from fastapi.responses import StreamingResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows written per chunk sent to the client.
CHUNK_ROWS = 500


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        # Numbers we computed are numbers; a negative one is no formula.
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    pending = 1
    for row in rows:
        writer.writerow([cell(v) for v in row])
        pending += 1
        if pending >= CHUNK_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending or buffer.tell():
        yield buffer.getvalue()


def csv_response(filename: str, chunks: Iterator[str]) -> StreamingResponse:
    return StreamingResponse(
        (chunk.encode("utf-8") for chunk in chunks),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
