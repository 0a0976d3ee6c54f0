"""Read a roster of the Assemblée by circonscription: one row per seat, as in
../shared/data/fr/deputes/an_amo10_deputes_actifs_2026-04-10.csv (derived from AMO10) and
deputes_par_circonscription_2026-06-17.csv (that roster with the changes of spring 2026).

Columns used: circonscription ("75-07"), id_an (PA…), prenom, nom, groupe_abrev (groupe as a
fallback), and the address in email_an or email. Only an @assemblee-nationale.fr address is
kept; a député the roster gives none (a newcomer the official data does not list yet) is
imported without one, so they "cannot be written to yet". The roster carries no date of its
own: it is given, or read from the file name ("…_2026-06-17.csv").
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from service.errors import ImportFailed
from service.representatives.importers.fr_csv_rows import (
    Row,
    SeatRow,
    cell,
    missing_columns,
    read_rows,
    seat_records,
)
from service.representatives.importers.fr_seats import ParsedFrSource, seat_id

SOURCE_DESCRIPTION = "Assemblée nationale roster by circonscription (AMO10 open data)"
REQUIRED_COLUMNS = ("circonscription", "id_an", "prenom", "nom", "groupe_abrev")
EMAIL_COLUMNS = ("email_an", "email")
_SEAT = re.compile(r"(?P<department>[0-9]{2,3}|2[AB])-(?P<number>[0-9]{2})")
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def roster_date_from_name(path: Path) -> date | None:
    found = _DATE_IN_NAME.findall(path.name)
    try:
        return date.fromisoformat(found[-1]) if found else None
    except ValueError:
        return None


def parse_roster_csv(path: Path, *, roster_date: date | None = None) -> ParsedFrSource:
    when = roster_date or roster_date_from_name(path)
    if when is None:
        raise ImportFailed(
            f"{path.name} says nothing of its date: pass it (--data-date YYYY-MM-DD)."
        )
    rows = read_rows(path)
    missing = missing_columns(rows, REQUIRED_COLUMNS)
    has_email = bool(rows) and any(column in rows[0] for column in EMAIL_COLUMNS)
    if not rows or missing or not has_email:
        raise ImportFailed(
            f"{path.name} is not a roster by circonscription: missing "
            + (", ".join(missing) or "rows" if rows else "rows")
            + ("" if has_email else " and an email column")
        )

    def read(row: Row, where: str, _warnings: list[str]) -> SeatRow:
        seat_match = _SEAT.fullmatch(cell(row, "circonscription"))
        if seat_match is None:
            raise ImportFailed(f"{where}: {cell(row, 'circonscription')!r} is not a seat id")
        return SeatRow(
            seat=seat_id(seat_match["department"], seat_match["number"]),
            acteur_id=cell(row, "id_an"),
            first_name=cell(row, "prenom"),
            last_name=cell(row, "nom"),
            party=cell(row, "groupe_abrev") or cell(row, "groupe"),
            email=next((cell(row, c) for c in EMAIL_COLUMNS if cell(row, c)), ""),
            civility=cell(row, "civ"),
            retrieved_on=when,
        )

    seats = seat_records(path, rows, read, SOURCE_DESCRIPTION)
    return ParsedFrSource(seats.constituencies, seats.representatives, when, seats.warnings)
