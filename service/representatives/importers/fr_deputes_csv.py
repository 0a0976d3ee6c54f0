"""Read the Datan "députés actifs" CSV (one row per sitting député, as in
../shared/data/fr/deputes/datan_deputes-active_2026-03-09.csv).

Columns used: id (PA…), legislature, prenom, nom, groupeAbrev (groupe as a fallback),
departementCode (lower-case "2a"/"2b" in this export), circo, mail, dateMaj. Other columns
are ignored. The file is meant to be the whole chamber, so structural faults refuse the file
rather than leaving seats out (a missing seat would be marked vacant).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from service.errors import ImportFailed
from service.representatives.importers.fr_seats import (
    LEGISLATURE,
    ParsedFrSource,
    civility,
    constituency_record,
    full_name,
    official_email,
    representative_id,
    seat_id,
)
from service.representatives.schemas import (
    ConstituencyRecord,
    RepresentativeRecord,
)

SOURCE_DESCRIPTION = "Datan députés actifs CSV (Assemblée nationale open data)"
REQUIRED_COLUMNS = (
    "id",
    "legislature",
    "prenom",
    "nom",
    "groupeAbrev",
    "departementCode",
    "circo",
    "mail",
    "dateMaj",
)


def parse_deputes_csv(path: Path) -> ParsedFrSource:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed(f"Cannot read {path.name}: {exc}") from exc
    header = rows[0].keys() if rows else ()
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if not rows or missing:
        raise ImportFailed(
            f"{path.name} is not a Datan députés CSV: missing "
            f"{'columns ' + ', '.join(missing) if missing else 'rows'}"
        )

    constituencies: dict[str, ConstituencyRecord] = {}
    representatives: list[RepresentativeRecord] = []
    warnings: list[str] = []
    dates: set[date] = set()
    for line, row in enumerate(rows, start=2):
        where = f"{path.name} line {line}"
        if _cell(row, "legislature") != LEGISLATURE:
            warnings.append(f"{where}: legislature {_cell(row, 'legislature')!r}; skipped")
            continue
        try:
            seat = seat_id(_cell(row, "departementCode"), _cell(row, "circo"))
            rep_id = representative_id(_cell(row, "id"))
        except (ImportFailed, ValueError) as exc:
            raise ImportFailed(f"{where}: {exc}") from exc
        if seat in constituencies:
            raise ImportFailed(f"{where}: seat {seat} appears twice")
        name = full_name(_cell(row, "prenom"), _cell(row, "nom"))
        if not name:
            raise ImportFailed(f"{where}: no name for {seat}")
        retrieved_on = _date(row, where)
        dates.add(retrieved_on)
        mail = _cell(row, "mail")
        email = official_email([mail])
        if mail and email is None:
            warnings.append(f"{seat}: {mail!r} is not an Assemblée address; left blank")
        constituencies[seat] = constituency_record(seat)
        representatives.append(
            RepresentativeRecord(
                id=rep_id,
                constituency_id=seat,
                name=name,
                party=_cell(row, "groupeAbrev") or _cell(row, "groupe"),
                email=email,
                source=SOURCE_DESCRIPTION,
                retrieved_on=retrieved_on,
                civility=civility(_cell(row, "civ")),
            )
        )
    if not representatives:
        raise ImportFailed(f"{path.name} has no député of legislature {LEGISLATURE}")
    return ParsedFrSource(list(constituencies.values()), representatives, max(dates), warnings)


def _cell(row: dict[str, str | None], column: str) -> str:
    return (row.get(column) or "").strip()


def _date(row: dict[str, str | None], where: str) -> date:
    value = _cell(row, "dateMaj")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ImportFailed(f"{where}: dateMaj {value!r} is not a date") from exc
