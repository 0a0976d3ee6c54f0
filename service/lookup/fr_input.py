"""What a supporter types for the French lookups (a code postal, the commune chosen for it, a
country of residence), read strictly, with messages that say how to fix a mistake.

Only InvalidInput leaves these functions. The messages never repeat long input back: it may
be personal data, or kilobytes of junk."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from service.errors import InvalidInput

_CODE_POSTAL = re.compile(r"[0-9]{5}")
_DIGITS = re.compile(r"[0-9]+")
_FIVE_DIGITS_INSIDE = re.compile(r"[0-9]{5}")
_UK_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}")
_CORSICAN_INSEE = re.compile(r"2[AB][0-9]{3}")
_INSEE = r"(?:[0-9]{2}|2[AB])[0-9]{3}"
# What the supporter answers when their former commune is not offered.
FORMER_UNKNOWN = "unknown"
_UNKNOWN = FORMER_UNKNOWN.upper()
_COMMUNE_CHOICE = re.compile(rf"(?P<commune>{_INSEE})(?:\.(?P<former>{_INSEE}|{_UNKNOWN}))?")
_ISO2 = re.compile(r"[A-Z]{2}")
_SPACES = re.compile(r"\s+")
_LONGEST_PLAUSIBLE = 16

EXAMPLE = "such as 75001 or 13008"


def _normalised(raw: str) -> str:
    # NFKC folds full-width digits and non-breaking spaces typed on phones into plain ones.
    return unicodedata.normalize("NFKC", raw).strip()


def parse_code_postal(raw: str) -> str:
    """The 5-digit code postal in `raw`. Spaces inside are allowed ("75 001", as some people
    group digits); letters are not — French codes postaux are all digits, Corsica included."""
    text = _SPACES.sub("", _normalised(raw)).upper()
    if not text:
        raise InvalidInput(f"Enter your code postal: 5 digits, {EXAMPLE}.", field="postcode")
    if len(text) > _LONGEST_PLAUSIBLE:
        raise InvalidInput(
            f"That is too long for a code postal: enter its 5 digits, {EXAMPLE}.",
            field="postcode",
        )
    if _CODE_POSTAL.fullmatch(text):
        return text
    if "CEDEX" in text:
        raise InvalidInput(
            "A CEDEX code postal belongs to an organisation's mail, not to a place where people "
            f"live. Enter the 5 digits of the code postal of your home address, {EXAMPLE}.",
            field="postcode",
        )
    if _DIGITS.fullmatch(text):
        if len(text) == 4:
            raise InvalidInput(
                "A code postal has 5 digits. If yours starts with 0 (Ain, Aisne, Allier…), "
                "include the 0: 01000, not 1000.",
                field="postcode",
            )
        raise InvalidInput(f"A code postal has exactly 5 digits, {EXAMPLE}.", field="postcode")
    if _UK_POSTCODE.fullmatch(text):
        raise InvalidInput(
            "That looks like a UK postcode. To write to an MP, choose the United Kingdom; "
            "French citizens living in the UK choose 'living abroad' and then their country.",
            field="postcode",
        )
    if _CORSICAN_INSEE.fullmatch(text):
        raise InvalidInput(
            "That is a Corsican commune's INSEE code, not its code postal. Corsican codes "
            "postaux are 5 digits starting with 20, such as 20000 for Ajaccio.",
            field="postcode",
        )
    if _FIVE_DIGITS_INSIDE.search(text):
        raise InvalidInput(
            f"Enter only the 5 digits of the code postal, {EXAMPLE}, without letters.",
            field="postcode",
        )
    raise InvalidInput(f"A code postal is 5 digits, {EXAMPLE}.", field="postcode")


@dataclass(frozen=True, slots=True)
class CommuneChoice:
    """A commune (or arrondissement) chosen from the list for a code postal and, inside a
    split commune nouvelle, the former commune chosen from the list for it."""

    code: str
    # INSEE code of the former commune; None if none was chosen.
    former: str | None = None
    # The supporter does not know their former commune, or it was not listed.
    former_unknown: bool = False


def parse_commune_choice(raw: str) -> CommuneChoice:
    """A `commune` value as the lookup offers it: a commune's INSEE code ("01053", "2A004"),
    or, for a former commune, its commune's code, a dot and its own code ("49092.49071"), or
    its commune's code and ".unknown" ("49092.unknown")."""
    text = _normalised(raw).upper()
    if len(text) <= _LONGEST_PLAUSIBLE:
        matched = _COMMUNE_CHOICE.fullmatch(text)
        if matched:
            former = matched["former"]
            if former == _UNKNOWN:
                return CommuneChoice(matched["commune"], former_unknown=True)
            return CommuneChoice(matched["commune"], former)
    if "." in text:
        raise InvalidInput(
            "Choose your former commune from the list offered for your commune (the value "
            "is the commune's INSEE code, a dot and the former commune's INSEE code, such as "
            f"49092.49071, or the commune's code followed by .{FORMER_UNKNOWN}).",
            field="commune",
        )
    raise InvalidInput(
        "Choose your commune from the list offered for your code postal "
        "(commune is the commune's 5-character INSEE code, such as 01053).",
        field="commune",
    )


def parse_residence(raw: str) -> str:
    """An ISO 3166-1 alpha-2 country code, any case ("gb" → "GB"). "UK", which ISO reserves
    for the United Kingdom, is taken as "GB"."""
    text = _normalised(raw).upper()
    if not _ISO2.fullmatch(text):
        raise InvalidInput(
            "Choose your country of residence: a two-letter country code such as GB, DE or US.",
            field="residence",
        )
    return "GB" if text == "UK" else text
