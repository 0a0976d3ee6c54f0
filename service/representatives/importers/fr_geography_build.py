"""Build the French geography snapshot (commune → circonscription, code postal → commune)
from the source files in ../shared/data/fr. Build-time only: the service reads the CSVs
that service.representatives.importers.fr_geography_snapshot writes from this.

Sources (see representatives/SOURCES.md):
* communes/decoupage-administratif-6.0.0_communes.json: the COG 2026 list of communes,
  Paris/Lyon/Marseille arrondissements and former communes (déléguées / associées);
* circonscriptions/commune_circonscriptions_cog2026.csv: circonscriptions of each commune
  and arrondissement (arrondissements carry their whole city's circonscriptions);
* circonscriptions/commune_deleguee_circonscriptions_cog2026.csv: circonscriptions of each
  former commune (commune déléguée / associée) before its merger;
* circonscriptions/code_postal_circonscriptions_cog2026.csv: communes of each code postal;
* circonscriptions/nosdeputes_circo_etranger.csv: country → abroad seat;
* circonscriptions/plm_arrondissement_circonscriptions.csv: the one to three circonscriptions
  of each Paris, Lyon and Marseille arrondissement, and how a split one divides.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.errors import ImportFailed
from service.representatives.importers.fr_abroad_build import AbroadCountry, build_abroad_countries

COMMUNES_JSON = "communes/decoupage-administratif-6.0.0_communes.json"
COMMUNE_SEATS_CSV = "circonscriptions/commune_circonscriptions_cog2026.csv"
FORMER_COMMUNE_SEATS_CSV = "circonscriptions/commune_deleguee_circonscriptions_cog2026.csv"
POSTAL_CODES_CSV = "circonscriptions/code_postal_circonscriptions_cog2026.csv"
COUNTRIES_CSV = "circonscriptions/nosdeputes_circo_etranger.csv"
ARRONDISSEMENTS_CSV = "circonscriptions/plm_arrondissement_circonscriptions.csv"

# decoupage-administratif type → fr_commune.kind
KIND_BY_TYPE = {
    "commune-actuelle": "commune",
    "arrondissement-municipal": "arrondissement",
}
FORMER_COMMUNE_TYPES = ("commune-deleguee", "commune-associee")


@dataclass(frozen=True, slots=True)
class CommuneRow:
    code_insee: str
    name: str
    kind: str
    parent_code: str | None
    department_code: str
    population: int | None


@dataclass(frozen=True, slots=True)
class FormerCommuneRow:
    parent_code: str
    code_insee: str
    name: str
    # None: not placed in a single one of its commune's circonscriptions.
    constituency_id: str | None
    # The source's own words for where the circonscription comes from (licence notice).
    source: str


@dataclass(frozen=True, slots=True)
class ArrondissementSeatRow:
    code_insee: str
    constituency_id: str
    # How a split arrondissement divides, in the source's words ("" when it is not split or
    # the source does not say).
    detail: str
    # "high" (Paris, from the Ministry's table) or "medium" (Lyon, Marseille).
    confidence: str


@dataclass(slots=True)
class FrGeography:
    communes: list[CommuneRow]
    commune_constituencies: list[tuple[str, str]]
    former_communes: list[FormerCommuneRow]
    postal_codes: list[tuple[str, str]]
    countries: list[AbroadCountry]
    arrondissement_seats: list[ArrondissementSeatRow]
    # What was left out and why, for the build report.
    notes: Counter[str] = field(default_factory=Counter)


def build_fr_geography(shared_fr_dir: Path) -> FrGeography:
    listed = _listed_communes(shared_fr_dir / COMMUNES_JSON)
    notes: Counter[str] = Counter()
    communes: list[CommuneRow] = []
    seats: dict[str, list[str]] = {}

    for row in _read_csv(shared_fr_dir / COMMUNE_SEATS_CSV):
        code = row["code_insee"]
        entry = listed.get((code, row["type"]))
        if entry is None or entry["type"] not in KIND_BY_TYPE:
            raise ImportFailed(f"{COMMUNE_SEATS_CSV}: {code} is not a current commune")
        seats[code] = _seat_list(row["circonscriptions"], COMMUNE_SEATS_CSV, code)
        communes.append(
            CommuneRow(
                code_insee=code,
                name=entry["nom"],
                kind=KIND_BY_TYPE[entry["type"]],
                parent_code=entry.get("commune") or None,
                department_code=entry["departement"],
                population=entry.get("population"),
            )
        )
    # Communes nobody lives in (the six "mortes pour la France", TAAF, Clipperton) have no
    # circonscription and are left out, so they are never offered as a choice.
    current = [
        code for (code, kind) in listed if kind in ("commune-actuelle", "arrondissement-municipal")
    ]
    notes["communes without a circonscription (left out)"] = len(set(current) - set(seats))

    former_communes = [
        former
        for row in _read_csv(shared_fr_dir / FORMER_COMMUNE_SEATS_CSV)
        if (former := _former_commune(row, listed, seats, notes)) is not None
    ]

    postal_codes = _postal_codes(shared_fr_dir / POSTAL_CODES_CSV, seats)
    return FrGeography(
        communes=communes,
        commune_constituencies=[(code, seat) for code, ids in seats.items() for seat in ids],
        former_communes=former_communes,
        postal_codes=postal_codes,
        countries=build_abroad_countries(shared_fr_dir / COUNTRIES_CSV),
        arrondissement_seats=_arrondissement_seats(
            shared_fr_dir / ARRONDISSEMENTS_CSV, communes, seats
        ),
        notes=notes,
    )


def _arrondissement_seats(
    path: Path, communes: list[CommuneRow], seats: dict[str, list[str]]
) -> list[ArrondissementSeatRow]:
    """Each arrondissement's own circonscriptions; every one must be among its city's."""
    parents = {c.code_insee: c.parent_code for c in communes if c.kind == "arrondissement"}
    rows: list[ArrondissementSeatRow] = []
    for row in _read_csv(path):
        code = row["arrondissement_insee"]
        parent = parents.get(code)
        if parent is None:
            raise ImportFailed(f"{ARRONDISSEMENTS_CSV}: {code} is not an arrondissement")
        own = _seat_list(row["circonscriptions"], ARRONDISSEMENTS_CSV, code)
        if not set(own) <= set(seats[parent]):
            raise ImportFailed(
                f"{ARRONDISSEMENTS_CSV}: {code} names a circonscription its city has not"
            )
        confidence = row["confidence"].strip()
        if confidence not in ("high", "medium"):
            raise ImportFailed(f"{ARRONDISSEMENTS_CSV}: {code} has confidence {confidence!r}")
        rows.extend(
            ArrondissementSeatRow(code, seat, row["detail"].strip(), confidence) for seat in own
        )
    return rows


def _former_commune(
    row: dict[str, str],
    listed: dict[tuple[str, str], dict[str, Any]],
    seats: dict[str, list[str]],
    notes: Counter[str],
) -> FormerCommuneRow | None:
    """Every former commune of a split commune is kept, so that all of them can be offered
    when some of them decide the split; those of a commune in one circonscription would add
    nothing and are left out."""
    code, parent, kind = row["code_insee"], row["commune_parente"], row["type"]
    parent_seats = seats.get(parent)
    if parent_seats is None:
        raise ImportFailed(f"{FORMER_COMMUNE_SEATS_CSV}: {code} belongs to unknown {parent}")
    if len(parent_seats) < 2:
        return None
    entry = listed.get((code, kind)) if kind in FORMER_COMMUNE_TYPES else None
    if entry is None:
        raise ImportFailed(f"{FORMER_COMMUNE_SEATS_CSV}: {code} is not a former commune")
    own = _seat_list(row["circonscriptions"], FORMER_COMMUNE_SEATS_CSV, code)
    if not set(own) <= set(parent_seats):
        raise ImportFailed(
            f"{FORMER_COMMUNE_SEATS_CSV}: {code} lies in a circonscription its commune "
            f"{parent} does not"
        )
    if len(own) == 1:
        notes["former communes of split communes in one circonscription (decide)"] += 1
        return FormerCommuneRow(parent, code, entry["nom"], own[0], row["source"])
    if len(own) < len(parent_seats):
        # Not a case in the 2026 data. The table holds one circonscription or none, so such
        # a former commune is offered all of its commune's: more candidates, never a guess.
        notes["former communes in some of their commune's circonscriptions (offered all)"] += 1
    else:
        notes["former communes of split communes not placed (decide nothing)"] += 1
    return FormerCommuneRow(parent, code, entry["nom"], None, row["source"])


def _postal_codes(path: Path, seats: dict[str, list[str]]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for row in _read_csv(path):
        postal_code = row["code_postal"]
        if len(postal_code) != 5 or not postal_code.isdigit():
            raise ImportFailed(f"{path.name}: {postal_code!r} is not a code postal")
        for code in row["communes"].split("|"):
            if code not in seats:
                raise ImportFailed(f"{path.name}: {postal_code} lists unknown commune {code}")
            pairs.append((postal_code, code))
    return pairs


def _listed_communes(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Entries of the COG list keyed by (code, type): a commune déléguée can share its code
    with the commune nouvelle it belongs to."""
    try:
        entries = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ImportFailed(f"Cannot read {path.name}: {exc}") from exc
    listed: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        if entry.get("type") in KIND_BY_TYPE or entry.get("type") in FORMER_COMMUNE_TYPES:
            listed[(entry["code"], entry["type"])] = entry
    # The circonscription files say "commune" for a current commune.
    for (code, kind), entry in list(listed.items()):
        if kind == "commune-actuelle":
            listed[(code, "commune")] = entry
    return listed


def _seat_list(joined: str, source: str, code: str) -> list[str]:
    ids = sorted({seat for seat in joined.split("|") if seat})
    if not ids:
        raise ImportFailed(f"{source}: {code} has no circonscription")
    return ids


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed(f"Cannot read {path.name}: {exc}") from exc
