"""The bundled French geography snapshot: where it lives, how it is written, and how it is
loaded into the fr_* lookup tables.

The snapshot is built from the source files by fr_geography_build (command `repmail import
fr-geography`); the service itself only reads these CSVs, on first start and whenever they
change (service.representatives.snapshot.load_bundled)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, text
from sqlmodel import Session, col, select

from service.errors import ImportFailed
from service.representatives.importers.fr_geography_build import FrGeography
from service.representatives.models import (
    ChamberId,
    Constituency,
    FrAbroadCountry,
    FrArrondissementConstituency,
    FrCommune,
    FrCommuneConstituency,
    FrFormerCommune,
    FrPostalCode,
)
from service.representatives.snapshot_csv import read_csv, write_csv

COMMUNES_FILE = "fr/communes.csv"
COMMUNE_CONSTITUENCIES_FILE = "fr/commune_constituencies.csv"
FORMER_COMMUNES_FILE = "fr/former_communes.csv"
POSTAL_CODES_FILE = "fr/postal_codes.csv"
ABROAD_COUNTRIES_FILE = "fr/abroad_countries.csv"
ARRONDISSEMENT_CONSTITUENCIES_FILE = "fr/arrondissement_constituencies.csv"
FR_GEOGRAPHY_FILES: tuple[str, ...] = (
    COMMUNES_FILE,
    COMMUNE_CONSTITUENCIES_FILE,
    FORMER_COMMUNES_FILE,
    POSTAL_CODES_FILE,
    ABROAD_COUNTRIES_FILE,
    ARRONDISSEMENT_CONSTITUENCIES_FILE,
)

COMMUNE_COLUMNS = ("code_insee", "name", "kind", "parent_code", "department_code", "population")
COMMUNE_CONSTITUENCY_COLUMNS = ("code_insee", "constituency_id")
# `source` says where each row's circonscription comes from (some rows are under the ODbL);
# it is kept in the snapshot for the licence notice and not loaded.
FORMER_COMMUNE_COLUMNS = ("parent_code", "code_insee", "name", "constituency_id", "source")
POSTAL_CODE_COLUMNS = ("postal_code", "code_insee")
ABROAD_COUNTRY_COLUMNS = ("iso2", "name_fr", "name_en", "constituency_id")
ARRONDISSEMENT_CONSTITUENCY_COLUMNS = ("code_insee", "constituency_id", "detail", "confidence")

# Rows per INSERT: large enough to be quick, small enough for PostgreSQL's parameter limit.
_BATCH = 5_000


def write_fr_geography(data_dir: Path, geography: FrGeography) -> dict[str, int]:
    """Write the snapshot CSVs; returns rows written per file."""
    return {
        COMMUNES_FILE: write_csv(
            data_dir / COMMUNES_FILE,
            COMMUNE_COLUMNS,
            (
                (c.code_insee, c.name, c.kind, c.parent_code, c.department_code, c.population)
                for c in geography.communes
            ),
        ),
        COMMUNE_CONSTITUENCIES_FILE: write_csv(
            data_dir / COMMUNE_CONSTITUENCIES_FILE,
            COMMUNE_CONSTITUENCY_COLUMNS,
            geography.commune_constituencies,
        ),
        FORMER_COMMUNES_FILE: write_csv(
            data_dir / FORMER_COMMUNES_FILE,
            FORMER_COMMUNE_COLUMNS,
            (
                (f.parent_code, f.code_insee, f.name, f.constituency_id, f.source)
                for f in geography.former_communes
            ),
        ),
        POSTAL_CODES_FILE: write_csv(
            data_dir / POSTAL_CODES_FILE, POSTAL_CODE_COLUMNS, geography.postal_codes
        ),
        ABROAD_COUNTRIES_FILE: write_csv(
            data_dir / ABROAD_COUNTRIES_FILE,
            ABROAD_COUNTRY_COLUMNS,
            ((c.iso2, c.name_fr, c.name_en, c.constituency_id) for c in geography.countries),
        ),
        ARRONDISSEMENT_CONSTITUENCIES_FILE: write_csv(
            data_dir / ARRONDISSEMENT_CONSTITUENCIES_FILE,
            ARRONDISSEMENT_CONSTITUENCY_COLUMNS,
            (
                (a.code_insee, a.constituency_id, a.detail, a.confidence)
                for a in geography.arrondissement_seats
            ),
        ),
    }


Progress = Callable[[int], None]


def load_fr_geography(session: Session, data_dir: Path, progress: Progress | None = None) -> int:
    """Replace the contents of the French lookup tables with the snapshot under `data_dir`.

    The French constituencies must already be loaded (the tables refer to them); a snapshot
    naming a constituency the database does not know is refused rather than loaded partly,
    because a commune missing one of its circonscriptions would be matched wrongly. The
    caller owns the transaction. Returns the number of rows loaded."""
    communes = [_commune(row) for row in read_csv(data_dir / COMMUNES_FILE)]
    links = read_csv(data_dir / COMMUNE_CONSTITUENCIES_FILE)
    former_communes = [_former_commune(row) for row in read_csv(data_dir / FORMER_COMMUNES_FILE)]
    postal_codes = read_csv(data_dir / POSTAL_CODES_FILE)
    countries = [
        {**row, "constituency_id": row["constituency_id"] or None}
        for row in read_csv(data_dir / ABROAD_COUNTRIES_FILE)
    ]
    arrondissement_seats = read_csv(data_dir / ARRONDISSEMENT_CONSTITUENCIES_FILE)
    _check_constituencies_exist(
        session,
        {row["constituency_id"] for row in links}
        | {row["constituency_id"] for row in arrondissement_seats}
        | {str(row["constituency_id"]) for row in former_communes if row["constituency_id"]}
        | {str(row["constituency_id"]) for row in countries if row["constituency_id"]},
    )

    _empty_tables(session)
    loaded = 0
    for table, rows in (
        (FrCommune, communes),
        (FrCommuneConstituency, links),
        (FrFormerCommune, former_communes),
        (FrPostalCode, postal_codes),
        (FrAbroadCountry, countries),
        (FrArrondissementConstituency, arrondissement_seats),
    ):
        loaded += _insert(session, table, rows, progress)
    session.flush()
    return loaded


def _empty_tables(session: Session) -> None:
    # Children first, so foreign keys hold at every step.
    tables = (
        FrPostalCode,
        FrCommuneConstituency,
        FrArrondissementConstituency,
        FrFormerCommune,
        FrAbroadCountry,
        FrCommune,
    )
    if session.get_bind().dialect.name == "postgresql":
        # DELETE would check each removed commune against fr_postal_code, whose key does not
        # start with code_insee: a scan per row, minutes for 35,000 communes. TRUNCATE is
        # transactional on PostgreSQL, so a failed load still rolls back.
        names = ", ".join(str(table.__tablename__) for table in tables)
        session.execute(text(f"TRUNCATE TABLE {names}"))
        return
    for table in tables:
        session.execute(delete(table))


def _insert(
    session: Session, table: type[Any], rows: Sequence[dict[str, Any]], progress: Progress | None
) -> int:
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        session.execute(insert(table), batch)
        if progress:
            progress(len(batch))
    return len(rows)


def _commune(row: dict[str, str]) -> dict[str, Any]:
    return {
        "code_insee": row["code_insee"],
        "name": row["name"],
        "kind": row["kind"],
        "parent_code": row["parent_code"] or None,
        "department_code": row["department_code"],
        "population": int(row["population"]) if row["population"] else None,
    }


def _former_commune(row: dict[str, str]) -> dict[str, Any]:
    return {
        "parent_code": row["parent_code"],
        "code_insee": row["code_insee"],
        "name": row["name"],
        "constituency_id": row["constituency_id"] or None,
    }


def _check_constituencies_exist(session: Session, wanted: set[str]) -> None:
    known = set(
        session.exec(
            select(Constituency.id).where(col(Constituency.chamber_id) == ChamberId.fr_an)
        ).all()
    )
    unknown = sorted(wanted - known)
    if unknown:
        shown = ", ".join(unknown[:5]) + ("…" if len(unknown) > 5 else "")
        raise ImportFailed(
            f"The French geography names {len(unknown)} circonscription(s) the database does "
            f"not have ({shown}); load the députés first (repmail db upgrade, or "
            "repmail import fr-deputes-csv)."
        )


def geography_row_count(data_dir: Path) -> int:
    """Rows a load of the snapshot inserts, for sizing a progress bar."""
    total = 0
    for name in FR_GEOGRAPHY_FILES:
        with (data_dir / name).open(encoding="utf-8") as handle:
            total += sum(1 for _ in handle) - 1
    return total
