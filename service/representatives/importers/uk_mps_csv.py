"""Read the UK MP list CSV (one row per seat, as in ../shared/data/uk/mps_current.csv).

Columns used: pcon24cd, pcon24nm, pcon24nm_cy, nation, member_id, name_display, party,
email, snapshot_date. Other columns are ignored. A blank email means the MP publishes none:
the seat is kept and the MP cannot be written to yet. The file must be the whole chamber, so
any structural fault refuses the file rather than leaving seats out (which would vacate them).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from service.errors import ImportFailed
from service.representatives.importers.uk_seats import (
    ParsedUkSource,
    is_seat_code,
    nation_for,
)
from service.representatives.schemas import ConstituencyRecord, RepresentativeRecord

SOURCE_DESCRIPTION = "UK MP list CSV (UK Parliament data)"
REQUIRED_COLUMNS = (
    "pcon24cd",
    "pcon24nm",
    "member_id",
    "name_display",
    "party",
    "email",
    "snapshot_date",
)


def parse_uk_mps_csv(path: Path) -> ParsedUkSource:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
            header = rows[0].keys() if rows else ()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed(f"Cannot read {path.name}: {exc}") from exc
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if not rows or missing:
        raise ImportFailed(
            f"{path.name} is not a UK MP list: missing columns {', '.join(missing) or 'and rows'}"
        )

    constituencies: list[ConstituencyRecord] = []
    representatives: list[RepresentativeRecord] = []
    warnings: list[str] = []
    seen_codes: set[str] = set()
    dates: set[date] = set()
    for line, row in enumerate(rows, start=2):
        code = _cell(row, "pcon24cd").upper()
        if not is_seat_code(code):
            raise ImportFailed(f"{path.name} line {line}: {code!r} is not a 2024 seat code")
        if code in seen_codes:
            raise ImportFailed(f"{path.name} line {line}: {code} appears twice")
        seen_codes.add(code)
        member_id = _cell(row, "member_id")
        name = _cell(row, "name_display")
        if not member_id.isdigit() or not name:
            raise ImportFailed(f"{path.name} line {line}: member id or name missing for {code}")
        retrieved_on = _date(row, path, line)
        dates.add(retrieved_on)
        email = _cell(row, "email") or None
        if email is not None and "@" not in email:
            warnings.append(f"{code}: {email!r} is not an email address; left blank")
            email = None
        constituencies.append(
            ConstituencyRecord(
                id=code,
                name=_cell(row, "pcon24nm"),
                region=nation_for(code),
                name_cy=_cell(row, "pcon24nm_cy") or None,
            )
        )
        representatives.append(
            RepresentativeRecord(
                id=f"uk-{member_id}",
                constituency_id=code,
                name=name,
                party=_cell(row, "party"),
                email=email,
                source=SOURCE_DESCRIPTION,
                retrieved_on=retrieved_on,
            )
        )
    return ParsedUkSource(constituencies, representatives, max(dates), warnings)


def _cell(row: dict[str, str | None], column: str) -> str:
    # ONS leaves some Welsh names as a single space; treat whitespace as empty.
    return (row.get(column) or "").strip()


def _date(row: dict[str, str | None], path: Path, line: int) -> date:
    value = _cell(row, "snapshot_date")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ImportFailed(
            f"{path.name} line {line}: snapshot_date {value!r} is not a date"
        ) from exc
