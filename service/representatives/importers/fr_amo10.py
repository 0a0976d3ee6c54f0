"""Read the Assemblée nationale AMO10 open data ("députés actifs, mandats actifs, organes"):
a directory, searched recursively, holding one JSON file per acteur (PA*.json) and one per
organe (PO*.json), as in the official zip's json/acteur/ and json/organe/ folders.

For each acteur:
* seat: the open ASSEMBLEE mandate of the current legislature (no dateFin), whose
  election.lieu gives numDepartement and numCirco;
* group: the open GP mandate's organeRef, named by that organe's libelleAbrev (or libelle);
* e-mail: only an @assemblee-nationale.fr address among the adresses of type "Mèl".

The JSON is converted from XML, so a list of one is written as a bare object and some
values are objects with a "#text" key; both are accepted everywhere.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

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

SOURCE_DESCRIPTION = "Assemblée nationale open data (AMO10)"
# Members without an open group mandate sit as non-inscrits.
NO_GROUP = "NI"


def parse_amo10_dir(directory: Path, *, retrieved_on: date | None = None) -> ParsedFrSource:
    """Parse every acteur file under `directory`. `retrieved_on` defaults to the date of the
    newest acteur file (the date the dump was exported, when it was unzipped as is)."""
    if not directory.is_dir():
        raise ImportFailed(f"{directory} is not a directory")
    acteur_files = sorted(directory.rglob("PA*.json"))
    if not acteur_files:
        raise ImportFailed(f"{directory} holds no AMO10 acteur file (PA*.json)")
    group_names = _group_names(sorted(directory.rglob("PO*.json")))
    data_date = retrieved_on or max(_file_date(path) for path in acteur_files)

    constituencies: dict[str, ConstituencyRecord] = {}
    representatives: list[RepresentativeRecord] = []
    warnings: list[str] = []
    for path in acteur_files:
        acteur = _load(path).get("acteur")
        if not isinstance(acteur, dict):
            raise ImportFailed(f"{path.name} is not an AMO10 acteur file")
        record = _representative(path, acteur, group_names, data_date, warnings)
        if record is None:
            continue
        if record.constituency_id in constituencies:
            raise ImportFailed(f"{path.name}: seat {record.constituency_id} is held by two acteurs")
        constituencies[record.constituency_id] = constituency_record(record.constituency_id)
        representatives.append(record)
    if not representatives:
        raise ImportFailed(f"{directory} holds no sitting député of legislature {LEGISLATURE}")
    return ParsedFrSource(list(constituencies.values()), representatives, data_date, warnings)


def _representative(
    path: Path,
    acteur: dict[str, Any],
    group_names: dict[str, str],
    data_date: date,
    warnings: list[str],
) -> RepresentativeRecord | None:
    uid = _text(acteur.get("uid"))
    mandates = [m for m in _as_list(_get(acteur, "mandats", "mandat")) if isinstance(m, dict)]
    seat_mandate = _open_mandate(mandates, "ASSEMBLEE")
    if seat_mandate is None:
        warnings.append(f"{path.name}: no open mandate as député; skipped")
        return None
    place = _get(seat_mandate, "election", "lieu")
    if not isinstance(place, dict):
        raise ImportFailed(f"{path.name}: the député mandate has no election.lieu")
    try:
        seat = seat_id(_text(place.get("numDepartement")), _text(place.get("numCirco")))
        rep_id = representative_id(uid)
    except (ImportFailed, ValueError) as exc:
        raise ImportFailed(f"{path.name}: {exc}") from exc
    ident = _get(acteur, "etatCivil", "ident")
    ident = ident if isinstance(ident, dict) else {}
    name = full_name(_text(ident.get("prenom")), _text(ident.get("nom")))
    if not name:
        raise ImportFailed(f"{path.name}: no name for {seat}")
    email = official_email(_mail_addresses(acteur))
    if email is None:
        warnings.append(f"{seat}: no @assemblee-nationale.fr address; cannot be written to yet")
    return RepresentativeRecord(
        id=rep_id,
        constituency_id=seat,
        name=name,
        party=_group(path, mandates, group_names, warnings),
        email=email,
        source=SOURCE_DESCRIPTION,
        retrieved_on=data_date,
        civility=civility(_text(ident.get("civ"))),
    )


def _open_mandate(mandates: list[dict[str, Any]], organe_type: str) -> dict[str, Any] | None:
    open_ones = [
        m
        for m in mandates
        if _text(m.get("typeOrgane")) == organe_type
        and _text(m.get("legislature")) == LEGISLATURE
        and not _text(m.get("dateFin"))
    ]
    # Two open mandates would be a fault in the dump; the latest one is the current one.
    return max(open_ones, key=lambda m: _text(m.get("dateDebut")), default=None)


def _group(
    path: Path,
    mandates: list[dict[str, Any]],
    group_names: dict[str, str],
    warnings: list[str],
) -> str:
    mandate = _open_mandate(mandates, "GP")
    if mandate is None:
        return NO_GROUP
    organe_ref = _text(_get(mandate, "organes", "organeRef"))
    name = group_names.get(organe_ref)
    if name is None:
        warnings.append(f"{path.name}: group organe {organe_ref} is not in the dump")
        return organe_ref
    return name


def _group_names(organe_files: Iterable[Path]) -> dict[str, str]:
    names: dict[str, str] = {}
    for path in organe_files:
        organe = _load(path).get("organe")
        if not isinstance(organe, dict) or _text(organe.get("codeType")) != "GP":
            continue
        label = _text(organe.get("libelleAbrev")) or _text(organe.get("libelle"))
        if label:
            names[_text(organe.get("uid"))] = label
    return names


def _mail_addresses(acteur: dict[str, Any]) -> list[str]:
    addresses = _as_list(_get(acteur, "adresses", "adresse"))
    return [
        _text(a.get("valElec"))
        for a in addresses
        if isinstance(a, dict) and _folded(_text(a.get("typeLibelle"))) == _folded("Mèl")
    ]


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ImportFailed(f"Cannot read {path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise ImportFailed(f"{path.name} is not an AMO10 JSON object")
    return data


def _file_date(path: Path) -> date:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date()


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    """A scalar as text; XML-converted values may be {"#text": …} or {"@xsi:nil": "true"}."""
    if isinstance(value, dict):
        value = value.get("#text")
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()
