"""UK postcode rules: turn what a supporter typed into a normalised postcode, or say clearly
why it cannot lead to an MP.

Pure functions, no I/O. Every refusal is an InvalidInput on field "postcode" with a message
that says what to do next. Well-formed postcodes of British Overseas Territories are not
refused: they parse, carrying the territory's name, because the right answer for them is
"no MP here" rather than "you typed it wrong".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from service.errors import InvalidInput
from service.representatives.postcode_format import OUTWARD_PATTERN, POSTCODE_KEY

FIELD = "postcode"
# Longest accepted raw input, checked before any Unicode work so junk is refused cheaply.
MAX_RAW_LENGTH = 40
# A UK postcode has 5 to 7 letters and digits once its space is removed.
MAX_KEY_LENGTH = 7

# Postcode areas in use (Royal Mail), plus BX, the non-geographic area. Checking the area
# catches strings that merely have the right shape, such as a Dutch "1234 AB" reversed.
_AREA_NAMES = """
    AB AL B BA BB BD BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN
    DT DY E EC EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE
    LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK
    SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
"""
POSTCODE_AREAS = frozenset(_AREA_NAMES.split())
CROWN_DEPENDENCY_AREAS = frozenset({"JE", "GY", "IM"})

_OUTWARD_ONLY = re.compile(f"(?:{OUTWARD_PATTERN})")
_AREA = re.compile(r"[A-Z]{1,2}")
_CROWN_DEPENDENCY = re.compile(r"(?:JE|GY|IM)[0-9]")
_BFPO = re.compile(r"BFPO[0-9]*|BF[0-9][0-9A-Z]*")

# British Overseas Territories with UK-style postcodes. None has an MP at Westminster.
OVERSEAS_TERRITORIES = {
    "ASCN1ZZ": "Ascension Island",
    "BBND1ZZ": "the British Indian Ocean Territory",
    "BIQQ1ZZ": "the British Antarctic Territory",
    "FIQQ1ZZ": "the Falkland Islands",
    "GX111AA": "Gibraltar",
    "PCRN1ZZ": "the Pitcairn Islands",
    "SIQQ1ZZ": "South Georgia and the South Sandwich Islands",
    "STHL1ZZ": "Saint Helena",
    "TDCU1ZZ": "Tristan da Cunha",
    "TKCA1ZZ": "the Turks and Caicos Islands",
}
# Territories whose codes follow their own patterns.
_OVERSEAS_PATTERNS = (
    (re.compile(r"AI-?2640"), "Anguilla"),
    (re.compile(r"KY[1-3]-?[0-9]{4}"), "the Cayman Islands"),
    (re.compile(r"MSR-?1[0-9]{3}"), "Montserrat"),
    (re.compile(r"VG11[0-9]0"), "the British Virgin Islands"),
)

EXAMPLE = "SW1A 1AA"


@dataclass(frozen=True, slots=True)
class ParsedPostcode:
    """A well-formed postcode. `key` is how tables store it, `display` how people write it."""

    key: str
    display: str
    # Set for a British Overseas Territory: the code is real, but no MP represents it.
    overseas_territory: str | None = None
    # Only the outward code ("SW1A"): it can lead to a short list, never to one MP.
    outward_only: bool = False


def parse_uk_postcode(raw: str) -> ParsedPostcode:
    """Normalise a UK postcode typed by a person, or raise InvalidInput saying why not. An
    outward code alone ("SW1A") parses, marked outward_only."""
    if len(raw) > MAX_RAW_LENGTH:
        raise _too_long()
    compact = _compact(raw)
    if not compact:
        raise InvalidInput(f"Enter your postcode, for example {EXAMPLE}.", field=FIELD)
    if not compact.isascii():
        raise InvalidInput(
            "Type the postcode using only the letters A to Z and the digits 0 to 9 "
            "(some characters only look like them).",
            field=FIELD,
        )
    compact = compact.upper()
    territory = _overseas_territory(compact)
    if territory is not None:
        return ParsedPostcode(compact, _display(compact), territory)
    if _BFPO.fullmatch(compact):
        raise InvalidInput(
            "BFPO addresses have no constituency: search for your home constituency by name.",
            field=FIELD,
        )
    if not compact.isalnum():  # punctuation: "SW1A-1AA", "SW1A/1AA", an email address
        raise _not_uk()
    if len(compact) > MAX_KEY_LENGTH:
        raise _too_long()
    if _CROWN_DEPENDENCY.match(compact):
        raise InvalidInput(
            "Jersey, Guernsey and the Isle of Man have no MP at Westminster.", field=FIELD
        )
    if compact.isdigit() and len(compact) == 5:
        raise InvalidInput(
            "This does not look like a UK postcode; it looks like a French code postal. "
            "Choose France to find your député.",
            field=FIELD,
        )
    if compact == "GIR0AA":  # Girobank's historic code, still valid, outside every rule
        return ParsedPostcode(compact, "GIR 0AA")
    area = _AREA.match(compact)
    if area is None or area.group() not in POSTCODE_AREAS:
        raise _not_uk()
    if POSTCODE_KEY.fullmatch(compact):
        return ParsedPostcode(compact, _display(compact))
    if _OUTWARD_ONLY.fullmatch(compact):
        return ParsedPostcode(compact, compact, outward_only=True)
    raise _not_uk()


def outward_only_refusal() -> InvalidInput:
    """For an outward code the data has no constituencies for."""
    return InvalidInput(
        f"Enter your full postcode, for example {EXAMPLE}: the first part alone can "
        "cover several constituencies.",
        field=FIELD,
    )


def overseas_territory_message(postcode: ParsedPostcode) -> str:
    return (
        f"{postcode.display} is in {postcode.overseas_territory}, which has no MP at "
        "Westminster. If you are registered to vote in a UK constituency as an overseas "
        "elector, search for that constituency by name."
    )


def _compact(raw: str) -> str:
    # NFKC folds full-width letters and digits ("ＳＷ１Ａ") and odd spaces into plain ASCII.
    # Spaces and invisible format characters (zero-width space, soft hyphen) pasted in
    # with the postcode are dropped; anything else that is not ASCII is refused later.
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(
        c for c in folded if not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc")
    )


def _display(key: str) -> str:
    if key in OVERSEAS_TERRITORIES or POSTCODE_KEY.fullmatch(key):
        return f"{key[:-3]} {key[-3:]}"
    return key


def _overseas_territory(compact: str) -> str | None:
    known = OVERSEAS_TERRITORIES.get(compact)
    if known is not None:
        return known
    for pattern, territory in _OVERSEAS_PATTERNS:
        if pattern.fullmatch(compact):
            return territory
    return None


def _too_long() -> InvalidInput:
    return InvalidInput(
        f"That is too long for a UK postcode: enter just the postcode, for example {EXAMPLE}.",
        field=FIELD,
    )


def _not_uk() -> InvalidInput:
    return InvalidInput(
        f"This does not look like a UK postcode. A UK postcode looks like {EXAMPLE}.",
        field=FIELD,
    )
