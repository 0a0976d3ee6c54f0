"""Where a supporter is in the journey, carried from page to page in the URL (no session):
which path they took (UK, France, French abroad) and what they told us."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import urlencode

from babel import Locale

from service.lookup.schemas import Country
from service.web.i18n import N_

__all__ = ["Where", "clean_param", "residence_options"]

# Longest value kept from a query string; the lookup refuses anything longer than a postcode
# with a message of its own, this only stops 10 kB of junk from being echoed back.
MAX_PARAM = 40
MAX_SEARCH = 100

# CLDR "territories" that are not countries someone lives in, and France itself (whose
# residents take the France path).
_NOT_A_RESIDENCE = frozenset(
    ["AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "FR", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"]
)

COUNTRY_LABELS = {
    Country.uk: N_("I live in the UK"),
    Country.fr: N_("I live in France"),
    Country.abroad: N_("I am a French citizen living outside France"),
}


def clean_param(value: str | None, limit: int = MAX_PARAM) -> str:
    """A query parameter as a short, single-line string (control characters dropped)."""
    if not value:
        return ""
    value = value[: limit * 4]
    kept = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    return kept.strip()[:limit]


@dataclass(frozen=True)
class Where:
    """What the supporter has told us about where they live."""

    country: Country | None = None
    postcode: str = ""
    commune: str = ""
    residence: str = ""

    @classmethod
    def from_params(
        cls,
        country: str | None,
        postcode: str | None = None,
        commune: str | None = None,
        residence: str | None = None,
    ) -> Where:
        raw_country = clean_param(country).lower()
        known = raw_country if raw_country in {c.value for c in Country} else None
        return cls(
            country=Country(known) if known else None,
            postcode=clean_param(postcode),
            commune=clean_param(commune),
            residence=clean_param(residence).upper(),
        )

    @property
    def complete(self) -> bool:
        if self.country is Country.abroad:
            return bool(self.residence)
        return self.country is not None and bool(self.postcode)

    def without_commune(self) -> Where:
        return replace(self, commune="")

    def params(self) -> list[tuple[str, str]]:
        pairs = [
            ("country", self.country.value if self.country else ""),
            ("postcode", self.postcode if self.country is not Country.abroad else ""),
            ("commune", self.commune if self.country is Country.fr else ""),
            ("residence", self.residence if self.country is Country.abroad else ""),
        ]
        return [(k, v) for k, v in pairs if v]

    def query(self, **extra: str) -> str:
        return urlencode(self.params() + [(k, v) for k, v in extra.items() if v])


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=4)
def residence_options(locale: str) -> tuple[tuple[str, str], ...]:
    """Every country a French citizen abroad may live in, named in the page's language."""
    names = Locale.parse(locale).territories
    countries = [
        (code, name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_A_RESIDENCE
    ]
    return tuple(sorted(countries, key=lambda item: _sort_key(item[1])))
