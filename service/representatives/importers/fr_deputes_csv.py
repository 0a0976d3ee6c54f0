"""Read the Datan "députés actifs" CSV (one row per sitting député, as in
../shared/data/fr/deputes/datan_deputes-active_2026-03-09.csv).

Columns used: id (PA…), legislature, prenom, nom, groupeAbrev (groupe as a fallback),
departementCode (lower-case "2a"/"2b" in this export), circo, mail, dateMaj. Other columns
are ignored. The file is meant to be the whole chamber, so structural faults refuse the file
rather than leaving seats out (a missing seat would be marked vacant).
"""

from __future__ import annotations

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
from service.representatives.importers.fr_seats import LEGISLATURE, ParsedFrSource, seat_id

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
    rows = read_rows(path)
    missing = missing_columns(rows, REQUIRED_COLUMNS)
    if not rows or missing:
        raise ImportFailed(
            f"{path.name} is not a Datan députés CSV: missing "
            f"{'columns ' + ', '.join(missing) if missing else 'rows'}"
        )

    def read(row: Row, where: str, warnings: list[str]) -> SeatRow | None:
        if cell(row, "legislature") != LEGISLATURE:
            warnings.append(f"{where}: legislature {cell(row, 'legislature')!r}; skipped")
            return None
        return SeatRow(
            seat=seat_id(cell(row, "departementCode"), cell(row, "circo")),
            acteur_id=cell(row, "id"),
            first_name=cell(row, "prenom"),
            last_name=cell(row, "nom"),
            party=cell(row, "groupeAbrev") or cell(row, "groupe"),
            email=cell(row, "mail"),
            civility=cell(row, "civ"),
            retrieved_on=_date(row, where),
        )

    seats = seat_records(path, rows, read, SOURCE_DESCRIPTION)
    if not seats.representatives:
        raise ImportFailed(f"{path.name} has no député of legislature {LEGISLATURE}")
    newest = max(r.retrieved_on for r in seats.representatives)
    return ParsedFrSource(seats.constituencies, seats.representatives, newest, seats.warnings)


def _date(row: Row, where: str) -> date:
    value = cell(row, "dateMaj")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ImportFailed(f"{where}: dateMaj {value!r} is not a date") from exc
