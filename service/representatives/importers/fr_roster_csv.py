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

import csv
import re
from datetime import date
from pathlib import Path

from service.errors import ImportFailed
from service.representatives.importers.fr_seats import (
    ParsedFrSource,
    civility,
    constituency_record,
    full_name,
    official_email,
    representative_id,
    seat_id,
)
from service.representatives.schemas import ConstituencyRecord, RepresentativeRecord

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
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed(f"Cannot read {path.name}: {exc}") from exc
    header = rows[0].keys() if rows else ()
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if not rows or missing or not any(column in header for column in EMAIL_COLUMNS):
        raise ImportFailed(
            f"{path.name} is not a roster by circonscription: missing "
            + (", ".join(missing) or "rows" if rows else "rows")
            + ("" if any(c in header for c in EMAIL_COLUMNS) else " and an email column")
        )
    constituencies: dict[str, ConstituencyRecord] = {}
    representatives: list[RepresentativeRecord] = []
    warnings: list[str] = []
    for line, row in enumerate(rows, start=2):
        where = f"{path.name} line {line}"
        seat_match = _SEAT.fullmatch(_cell(row, "circonscription"))
        if seat_match is None:
            raise ImportFailed(f"{where}: {_cell(row, 'circonscription')!r} is not a seat id")
        try:
            seat = seat_id(seat_match["department"], seat_match["number"])
            rep_id = representative_id(_cell(row, "id_an"))
        except (ImportFailed, ValueError) as exc:
            raise ImportFailed(f"{where}: {exc}") from exc
        if seat in constituencies:
            raise ImportFailed(f"{where}: seat {seat} appears twice")
        name = full_name(_cell(row, "prenom"), _cell(row, "nom"))
        if not name:
            raise ImportFailed(f"{where}: no name for {seat}")
        given = next((_cell(row, c) for c in EMAIL_COLUMNS if _cell(row, c)), "")
        email = official_email([given])
        if given and email is None:
            warnings.append(f"{seat}: {given!r} is not an Assemblée address; left blank")
        constituencies[seat] = constituency_record(seat)
        representatives.append(
            RepresentativeRecord(
                id=rep_id,
                constituency_id=seat,
                name=name,
                party=_cell(row, "groupe_abrev") or _cell(row, "groupe"),
                email=email,
                source=SOURCE_DESCRIPTION,
                retrieved_on=when,
                civility=civility(_cell(row, "civ")),
            )
        )
    return ParsedFrSource(list(constituencies.values()), representatives, when, warnings)


def _cell(row: dict[str, str | None], column: str) -> str:
    return (row.get(column) or "").strip()
