"""Normalised records that every importer produces, whatever the source format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

# A representative's id as the API takes it ("uk-4602", "fr-PA1008"): letters, digits and a few
# separators, so a NUL byte or a control character is a 422 here, never a database error.
RepresentativeId = Annotated[
    str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
]


@dataclass(frozen=True, slots=True)
class ConstituencyRecord:
    id: str
    name: str
    region: str
    name_cy: str | None = None


@dataclass(frozen=True, slots=True)
class RepresentativeRecord:
    id: str
    constituency_id: str
    name: str
    party: str
    email: str | None
    source: str
    retrieved_on: date
    # How the member is addressed, from the official data: "M." or "Mme" for a député
    # (a letter opens "Monsieur le Député" or "Madame la Députée"); None when not published.
    civility: str | None = None


@dataclass(slots=True)
class ImportReport:
    """What an import changed; a re-run of the same input reports all zeros but `unchanged`."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    vacated: int = 0
    constituencies_created: int = 0
    constituencies_updated: int = 0
    warnings: list[str] = field(default_factory=list)
    # Members this import took off their seat (replaced, or gone from a complete source).
    departed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.vacated
            or self.constituencies_created
            or self.constituencies_updated
        )


class ConstituencyOut(BaseModel):
    id: str
    name: str


class RepresentativeOut(BaseModel):
    id: str
    name: str
    party: str
    chamber: str
    constituency: ConstituencyOut
    can_write: bool
