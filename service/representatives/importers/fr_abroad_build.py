"""Build the country of residence → circonscription des Français établis hors de France table
from Regards Citoyens' circo_etranger.csv (ODbL), completed so that every ISO 3166-1 alpha-2
code has an answer. Build-time only: the service reads the CSV this produces.

English names come from pycountry (a development dependency), shortened where the ISO name
is a formal one ("Korea, Democratic People's Republic of" → "North Korea")."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from service.errors import ImportFailed

ABROAD_SEATS = range(1, 12)


@dataclass(frozen=True, slots=True)
class AbroadCountry:
    iso2: str
    name_fr: str
    name_en: str
    # "099-NN", or None when the place is French territory or nobody lives there.
    constituency_id: str | None


# The source marks four places -1 ("not assigned"). The Ministry of the Interior's table of
# consular posts settles three: it puts the consulate general in Jérusalem, which serves the
# Palestinian territories, in the 8th, and every post in the rest of Asia in the 11th, where
# Bhutan and North Korea lie (their neighbours India, China and South Korea are all 11th).
# Antarctica is left without a seat on purpose: nobody resides there (research staff stay
# registered in their French commune or with their consulate), and the French-claimed part
# (Terre Adélie) is part of the TAAF, French territory.
UNASSIGNED_DECISIONS: dict[str, int | None] = {"PS": 8, "BT": 11, "KP": 11, "AQ": None}

# ISO codes the source omits, placed as the source places their sovereign state's other
# territories: Norway (and Svalbard) are in the 3rd; Australia's external territories
# follow Australia (11th); Montserrat follows the other British Caribbean territories
# (Anguilla, British Virgin Islands, Cayman, Turks and Caicos: 3rd); the US minor outlying
# islands follow the US, Guam and the Northern Marianas (1st).
MISSING_FROM_SOURCE: dict[str, tuple[str, int]] = {
    "BV": ("Île Bouvet", 3),
    "CC": ("Îles Cocos", 11),
    "CX": ("Île Christmas", 11),
    "HM": ("Îles Heard-et-MacDonald", 11),
    "MS": ("Montserrat", 3),
    "NF": ("Île Norfolk", 11),
    "UM": ("Îles mineures éloignées des États-Unis", 1),
}

# French names in the source carry their article in brackets ("Canada (le)") or are
# abbreviated; these are the names a supporter would look for.
FRENCH_NAME_FIXES = {
    "Rép. dominicaine": "République dominicaine",
    "Rép. tchèque": "Tchéquie",
    "Rép. centrafricaine": "République centrafricaine",
    "RDC": "République démocratique du Congo",
    "Marshall (Îles)": "Îles Marshall",
    "Salomon (Îles)": "Îles Salomon",
}
_ARTICLE = re.compile(r"\s*\((le|la|l'|les)\)$")

# Short English names where ISO's is a formal or inverted one.
ENGLISH_NAME_FIXES = {
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "KP": "North Korea",
    "KR": "South Korea",
    "PS": "Palestine",
    "RU": "Russia",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
    "XK": "Kosovo",  # not in ISO 3166-1; XK is the code in common use
}


def build_abroad_countries(source: Path) -> list[AbroadCountry]:
    english = _english_names()
    try:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed(f"Cannot read {source.name}: {exc}") from exc
    countries: dict[str, AbroadCountry] = {}
    for row in rows:
        iso2 = (row.get("ID") or "").strip().upper()
        raw_seat = (row.get("circo") or "").strip()
        if not re.fullmatch(r"[A-Z]{2}", iso2) or not re.fullmatch(r"-?\d+", raw_seat):
            raise ImportFailed(f"{source.name}: unreadable row {row}")
        seat: int | None = int(raw_seat)
        if seat == -1:
            if iso2 not in UNASSIGNED_DECISIONS:
                raise ImportFailed(f"{source.name}: {iso2} has no seat and no decision here")
            seat = UNASSIGNED_DECISIONS[iso2]
        elif seat == 0:  # French territory: the supporter's code postal decides
            seat = None
        elif seat not in ABROAD_SEATS:
            raise ImportFailed(f"{source.name}: {iso2} has seat {seat}")
        countries[iso2] = AbroadCountry(
            iso2=iso2,
            name_fr=_french_name(row.get("NAME") or iso2),
            name_en=english.get(iso2, iso2),
            constituency_id=_abroad_seat(seat),
        )
    for iso2, (name_fr, seat_number) in MISSING_FROM_SOURCE.items():
        countries.setdefault(
            iso2, AbroadCountry(iso2, name_fr, english[iso2], _abroad_seat(seat_number))
        )
    unknown = sorted(set(english) - set(countries))
    if unknown:
        raise ImportFailed(f"No seat decided for {', '.join(unknown)}")
    return sorted(countries.values(), key=lambda c: c.iso2)


def _abroad_seat(number: int | None) -> str | None:
    return None if number is None else f"099-{number:02d}"


def _french_name(raw: str) -> str:
    name = raw.strip()
    return FRENCH_NAME_FIXES.get(name) or _ARTICLE.sub("", name)


def _english_names() -> dict[str, str]:
    try:
        import pycountry
    except ImportError as exc:  # a build-time dependency, not needed to serve
        raise ImportFailed(
            "Building the country table needs pycountry: pip install -e '.[dev]'"
        ) from exc
    names = {
        country.alpha_2: getattr(country, "common_name", None) or country.name
        for country in pycountry.countries
    }
    names.update(ENGLISH_NAME_FIXES)
    return names
