"""The shape of a lookup answer, shared by the JSON API and the web pages."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from service.representatives.schemas import RepresentativeOut


class Country(StrEnum):
    uk = "uk"
    fr = "fr"
    abroad = "abroad"


class LookupStatus(StrEnum):
    matched = "matched"  # exactly one representative
    choose = "choose"  # the supporter must answer `question` by picking one of `options`
    unresolved = "unresolved"  # the data cannot tell; pick by name instead


class Question(StrEnum):
    commune = "commune"  # which commune within this code postal
    representative = "representative"  # which of these députés (split commune)
    constituency = "constituency"  # search constituencies by name (/api/constituencies)


class Basis(StrEnum):
    """Which kind of source answered."""

    exact = "exact"  # a source that places the postcode itself (NSPL/ONSPD, postcodes.io)
    # The short list: constituencies the postcode lies in or near. Never called a match.
    nearby = "nearby"


class Option(BaseModel):
    value: str
    label: str


class LookupResult(BaseModel):
    status: LookupStatus
    question: Question | None = None
    options: list[Option] = Field(default_factory=list)
    representatives: list[RepresentativeOut] = Field(default_factory=list)
    message: str = ""
    # "exact" for a match, "nearby" for a short list from the nearby table; null otherwise.
    basis: Basis | None = None
    # Where the data says how a place divides between the offered seats (French
    # arrondissements), in the data's own words.
    detail: str = ""
    # A way out of a short list, to send back as `commune` (for instance all the députés of
    # a city rather than those of one arrondissement).
    alternative: Option | None = None
