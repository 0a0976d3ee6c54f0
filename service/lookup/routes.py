"""JSON API for finding a representative. Thin: parse, call the use case, return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from service.deps import SessionDep
from service.errors import ERROR_RESPONSES
from service.lookup.schemas import Country, LookupResult
from service.lookup.service import LookupDependencies, find_constituencies, lookup
from service.representatives.schemas import RepresentativeOut


async def get_lookup_dependencies(request: Request) -> LookupDependencies:
    """The resolvers the application wired at start-up (app.state.lookup)."""
    deps: LookupDependencies = request.app.state.lookup
    return deps


LookupDeps = Annotated[LookupDependencies, Depends(get_lookup_dependencies)]

router = APIRouter(prefix="/api", tags=["lookup"], responses=ERROR_RESPONSES)

# Bounds are generous for people and tight for abuse: a 10 kB "postcode" is refused early.
PostcodeParam = Annotated[
    str | None, Query(max_length=16, description="UK postcode or code postal")
]
CommuneParam = Annotated[
    str | None, Query(max_length=16, description="Value of a commune option (France)")
]
ResidenceParam = Annotated[
    str | None, Query(max_length=2, description="ISO 3166-1 alpha-2 country of residence")
]


@router.get("/lookup", response_model=LookupResult)
def get_lookup(
    session: SessionDep,
    deps: LookupDeps,
    country: Country,
    postcode: PostcodeParam = None,
    commune: CommuneParam = None,
    residence: ResidenceParam = None,
) -> LookupResult:
    """Match a postcode, a code postal (and commune) or a country of residence."""
    return lookup(
        session, deps, country=country, postcode=postcode, commune=commune, residence=residence
    )


@router.get("/constituencies", response_model=list[RepresentativeOut])
def get_constituencies(
    session: SessionDep,
    country: Country,
    q: Annotated[str, Query(min_length=1, max_length=100)],
) -> list[RepresentativeOut]:
    """Search constituencies by constituency name or by representative name."""
    return find_constituencies(session, country=country, query=q)
