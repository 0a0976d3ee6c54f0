"""Rules shared by the UK importers: which GSS codes are Westminster seats (July 2024
boundaries), which nation a seat is in, and the shape of a parsed UK source."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from service.representatives.schemas import ConstituencyRecord, RepresentativeRecord

# Prefix of the ONS GSS code of a July 2024 Westminster constituency → nation.
NATION_BY_PREFIX = {
    "E14": "England",
    "S14": "Scotland",
    "W07": "Wales",
    "N05": "Northern Ireland",
}
_SEAT_CODE = re.compile(r"^(E14|S14|W07|N05)\d{6}$")


def is_seat_code(code: str) -> bool:
    """True for a well-formed Westminster constituency GSS code such as "E14001063"."""
    return bool(_SEAT_CODE.match(code))


def nation_for(code: str) -> str:
    return NATION_BY_PREFIX[code[:3]]


@dataclass(slots=True)
class ParsedUkSource:
    """Records read from one UK source, with what could not be used and why."""

    constituencies: list[ConstituencyRecord]
    representatives: list[RepresentativeRecord]
    retrieved_on: date
    warnings: list[str] = field(default_factory=list)
    # True when the records are the whole chamber, so a seat missing from them is vacant.
    complete: bool = True
