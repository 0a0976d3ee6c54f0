"""The shape of a UK postcode key, shared by the postcode importers (which check rows with it)
and the lookup (which parses what supporters type). Pure: no I/O."""

from __future__ import annotations

import re

# The letter rules of the UK format (BS 7666): which letters may stand in which position.
_AREA_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # never Q, V, X
_AREA_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # never I, J, Z
_DISTRICT_LETTER_AFTER_ONE = "ABCDEFGHJKPSTUW"  # A9A 9AA
_DISTRICT_LETTER_AFTER_TWO = "ABEHMNPRVWXY"  # AA9A 9AA
_INWARD_LETTER = "ABDEFGHJLNPQRSTUWXYZ"  # never C, I, K, M, O, V
OUTWARD_PATTERN = (
    f"[{_AREA_FIRST}][0-9][0-9]?"  # A9, A99
    f"|[{_AREA_FIRST}][{_AREA_SECOND}][0-9][0-9]?"  # AA9, AA99
    f"|[{_AREA_FIRST}][0-9][{_DISTRICT_LETTER_AFTER_ONE}]"  # A9A
    f"|[{_AREA_FIRST}][{_AREA_SECOND}][0-9][{_DISTRICT_LETTER_AFTER_TWO}]"  # AA9A
)
_INWARD = f"[0-9][{_INWARD_LETTER}]{{2}}"
# A postcode key: upper case, no space ("SW1A1AA"). Importers use it to check rows quickly.
POSTCODE_KEY = re.compile(f"(?:{OUTWARD_PATTERN}){_INWARD}|GIR0AA")


def postcode_number(key: str) -> int:
    """A postcode key read as a base-36 number. Keys always start with a letter, so two
    different keys never give the same number (no leading-zero collisions)."""
    return int(key, 36)
