"""Rules shared by the French importers: how the Assemblée nationale numbers its seats, what
each seat is called, and the shape of a parsed French source.

Both sources (AMO10 JSON and the Datan CSV) go through these rules, so switching from one to
the other never renames a constituency."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from service.errors import ImportFailed
from service.representatives.models import ChamberId
from service.representatives.schemas import (
    ConstituencyRecord,
    ImportReport,
    RepresentativeRecord,
)
from service.representatives.service import Progress, apply_import

LEGISLATURE = "17"
FULL_CHAMBER_SEATS = 577
OFFICIAL_EMAIL_DOMAIN = "@assemblee-nationale.fr"
ABROAD_DEPARTMENT = "099"

# Département names as the seats are called. Codes are the Assemblée's: "2A"/"2B" for
# Corsica, "977" for the one seat of Saint-Barthélemy and Saint-Martin, "099" for the
# eleven seats of French citizens living abroad.
DEPARTMENT_NAMES: dict[str, str] = {
    "01": "Ain",
    "02": "Aisne",
    "03": "Allier",
    "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes",
    "06": "Alpes-Maritimes",
    "07": "Ardèche",
    "08": "Ardennes",
    "09": "Ariège",
    "10": "Aube",
    "11": "Aude",
    "12": "Aveyron",
    "13": "Bouches-du-Rhône",
    "14": "Calvados",
    "15": "Cantal",
    "16": "Charente",
    "17": "Charente-Maritime",
    "18": "Cher",
    "19": "Corrèze",
    "2A": "Corse-du-Sud",
    "2B": "Haute-Corse",
    "21": "Côte-d'Or",
    "22": "Côtes-d'Armor",
    "23": "Creuse",
    "24": "Dordogne",
    "25": "Doubs",
    "26": "Drôme",
    "27": "Eure",
    "28": "Eure-et-Loir",
    "29": "Finistère",
    "30": "Gard",
    "31": "Haute-Garonne",
    "32": "Gers",
    "33": "Gironde",
    "34": "Hérault",
    "35": "Ille-et-Vilaine",
    "36": "Indre",
    "37": "Indre-et-Loire",
    "38": "Isère",
    "39": "Jura",
    "40": "Landes",
    "41": "Loir-et-Cher",
    "42": "Loire",
    "43": "Haute-Loire",
    "44": "Loire-Atlantique",
    "45": "Loiret",
    "46": "Lot",
    "47": "Lot-et-Garonne",
    "48": "Lozère",
    "49": "Maine-et-Loire",
    "50": "Manche",
    "51": "Marne",
    "52": "Haute-Marne",
    "53": "Mayenne",
    "54": "Meurthe-et-Moselle",
    "55": "Meuse",
    "56": "Morbihan",
    "57": "Moselle",
    "58": "Nièvre",
    "59": "Nord",
    "60": "Oise",
    "61": "Orne",
    "62": "Pas-de-Calais",
    "63": "Puy-de-Dôme",
    "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées",
    "66": "Pyrénées-Orientales",
    "67": "Bas-Rhin",
    "68": "Haut-Rhin",
    "69": "Rhône",
    "70": "Haute-Saône",
    "71": "Saône-et-Loire",
    "72": "Sarthe",
    "73": "Savoie",
    "74": "Haute-Savoie",
    "75": "Paris",
    "76": "Seine-Maritime",
    "77": "Seine-et-Marne",
    "78": "Yvelines",
    "79": "Deux-Sèvres",
    "80": "Somme",
    "81": "Tarn",
    "82": "Tarn-et-Garonne",
    "83": "Var",
    "84": "Vaucluse",
    "85": "Vendée",
    "86": "Vienne",
    "87": "Haute-Vienne",
    "88": "Vosges",
    "89": "Yonne",
    "90": "Territoire de Belfort",
    "91": "Essonne",
    "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis",
    "94": "Val-de-Marne",
    "95": "Val-d'Oise",
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "975": "Saint-Pierre-et-Miquelon",
    "976": "Mayotte",
    "977": "Saint-Barthélemy et Saint-Martin",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
    ABROAD_DEPARTMENT: "Français établis hors de France",
}

_DEPARTMENT = re.compile(r"^(\d{1,3}|2[AB])$")
_ACTEUR_ID = re.compile(r"^PA\d+$")


@dataclass(slots=True)
class ParsedFrSource:
    """Records read from one French source, with what could not be used and why."""

    constituencies: list[ConstituencyRecord]
    representatives: list[RepresentativeRecord]
    retrieved_on: date
    warnings: list[str] = field(default_factory=list)


def import_parsed(
    session: Session,
    parsed: ParsedFrSource,
    *,
    complete: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Apply records read from any French source to the directory; the caller owns the
    transaction. The source's own warnings come first in the report."""
    report = apply_import(
        session,
        ChamberId.fr_an,
        parsed.constituencies,
        parsed.representatives,
        complete=complete,
        progress=progress,
    )
    report.warnings[:0] = parsed.warnings
    return report


def department_code(raw: str) -> str:
    """The Assemblée's département code: "1" → "01", "2a" → "2A", "99" → "099"."""
    code = raw.strip().upper()
    if not _DEPARTMENT.match(code):
        raise ImportFailed(f"{raw!r} is not a département code")
    if code.isdigit():
        code = code.zfill(2)
        if code == "99":  # some exports drop the leading zero of the abroad seats
            code = ABROAD_DEPARTMENT
    if code not in DEPARTMENT_NAMES:
        raise ImportFailed(f"{raw!r} is not a département that elects députés")
    return code


def seat_id(department: str, circonscription: str | int) -> str:
    """ "<département>-<NN>", e.g. ("2A", 1) → "2A-01", ("099", "3") → "099-03"."""
    number = int(str(circonscription).strip())
    if not 1 <= number <= 99:
        raise ImportFailed(f"{circonscription!r} is not a circonscription number")
    return f"{department_code(department)}-{number:02d}"


def ordinal_fr(number: int) -> str:
    """French abbreviated ordinal for a circonscription: 1re, 2e, 3e…"""
    return "1re" if number == 1 else f"{number}e"


def constituency_record(seat: str) -> ConstituencyRecord:
    department, number = seat.rsplit("-", 1)
    name = DEPARTMENT_NAMES[department]
    return ConstituencyRecord(
        id=seat,
        name=f"{name} ({ordinal_fr(int(number))} circonscription)",
        region=name,
    )


def representative_id(acteur_id: str) -> str:
    """ "fr-PA842311" from the Assemblée's acteur id."""
    cleaned = acteur_id.strip().upper()
    if not _ACTEUR_ID.match(cleaned):
        raise ImportFailed(f"{acteur_id!r} is not an Assemblée nationale acteur id (PA…)")
    return f"fr-{cleaned}"


def official_email(candidates: list[str]) -> str | None:
    """The first address on the Assemblée's own domain. Other addresses (permanence, party,
    personal mailboxes) are not where letters to a député should go; no address is ever
    built from a name."""
    for candidate in candidates:
        address = candidate.strip()
        local, _, _domain = address.partition("@")
        if local and address.lower().endswith(OFFICIAL_EMAIL_DOMAIN) and " " not in address:
            return address
    return None


# The Assemblée's two civilities, as its files spell them (with the variants seen in others).
_CIVILITIES = {"m.": "M.", "m": "M.", "mme": "Mme", "mme.": "Mme"}


def civility(raw: str) -> str | None:
    """ "M." or "Mme" from the data's civility column; None when it is missing or unknown (the
    letter then greets the député in both forms rather than guess)."""
    return _CIVILITIES.get(raw.strip().casefold())


def full_name(first_name: str, last_name: str) -> str:
    return " ".join(part for part in (first_name.strip(), last_name.strip()) if part)
