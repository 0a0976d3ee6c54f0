"""The row loop both French CSV importers share (the roster by circonscription and the Datan
export): read the file, check its columns, and turn each row one format reads into a seat
and its député, with the same refusals (a seat twice, no name, a bad id) and the same rule
for addresses (only the Assemblée's own domain)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from service.errors import ImportFailed
from service.representatives.importers.fr_seats import (
    civility,
    constituency_record,
    full_name,
    official_email,
    representative_id,
)
from service.representatives.schemas import ConstituencyRecord, RepresentativeRecord

Row = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class SeatRow:
    """What one format's row says, in its own words (a format reads its columns into it)."""

    seat: str  # "75-07", from seat_id()
    acteur_id: str  # "PA…"
    first_name: str
    last_name: str
    party: str
    email: str  # as given; kept only on the Assemblée's domain
    civility: str
    retrieved_on: date


# Reads one row (`where` names it for messages); None skips it (after adding a warning).
ReadRow = Callable[[Row, str, list[str]], SeatRow | None]


@dataclass(slots=True)
class SeatRecords:
    constituencies: list[ConstituencyRecord]
    representatives: list[RepresentativeRecord]
    warnings: list[str]


def cell(row: Row, column: str) -> str:
    return (row.get(column) or "").strip()


def read_rows(path: Path) -> list[Row]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed(f"Cannot read {path.name}: {exc}") from exc


def missing_columns(rows: Sequence[Row], required: Sequence[str]) -> list[str]:
    header = rows[0].keys() if rows else ()
    return [name for name in required if name not in header]


def seat_records(path: Path, rows: Sequence[Row], read: ReadRow, source: str) -> SeatRecords:
    """Every seat of the file, in file order; a structural fault refuses the whole file
    (a seat left out would be marked vacant)."""
    constituencies: dict[str, ConstituencyRecord] = {}
    representatives: list[RepresentativeRecord] = []
    warnings: list[str] = []
    for line, row in enumerate(rows, start=2):
        where = f"{path.name} line {line}"
        try:
            seat_row = read(row, where, warnings)
            if seat_row is None:
                continue
            rep_id = representative_id(seat_row.acteur_id)
        except (ImportFailed, ValueError) as exc:
            message = exc.message if isinstance(exc, ImportFailed) else str(exc)
            raise ImportFailed(
                message if message.startswith(where) else f"{where}: {message}"
            ) from exc
        seat = seat_row.seat
        if seat in constituencies:
            raise ImportFailed(f"{where}: seat {seat} appears twice")
        name = full_name(seat_row.first_name, seat_row.last_name)
        if not name:
            raise ImportFailed(f"{where}: no name for {seat}")
        email = official_email([seat_row.email])
        if seat_row.email and email is None:
            warnings.append(f"{seat}: {seat_row.email!r} is not an Assemblée address; left blank")
        constituencies[seat] = constituency_record(seat)
        representatives.append(
            RepresentativeRecord(
                id=rep_id,
                constituency_id=seat,
                name=name,
                party=seat_row.party,
                email=email,
                source=source,
                retrieved_on=seat_row.retrieved_on,
                civility=civility(seat_row.civility),
            )
        )
    return SeatRecords(list(constituencies.values()), representatives, warnings)
