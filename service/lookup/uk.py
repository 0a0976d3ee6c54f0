"""UK lookup: postcode → constituency → MP.

In order: the exact resolvers (the local imported NSPL/ONSPD table, then a live service when
one is configured); then the bundled nearby short list (the constituencies the postcode lies
in or near, offered to choose from, never called a match); then a search by name, which works
offline from the bundled data. Northern Ireland postcodes are not in the short list: their
supporters choose among the 18 Northern Ireland seats.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.config import Settings
from service.errors import ServiceUnavailable
from service.lookup.postcodes_io import PostcodesIoResolver
from service.lookup.schemas import Basis, LookupResult, LookupStatus, Option, Question
from service.lookup.uk_nearby import NearbyShortList
from service.lookup.uk_postcode_index import LocalTableResolver
from service.lookup.uk_postcodes import (
    ParsedPostcode,
    outward_only_refusal,
    overseas_territory_message,
    parse_uk_postcode,
)
from service.representatives.models import ChamberId
from service.representatives.schemas import RepresentativeOut
from service.representatives.service import representatives_for, seats_in_region

log = logging.getLogger("repmail.lookup.uk")

NORTHERN_IRELAND_AREA = "BT"
# The constituency region (nation) of the Northern Ireland seats.
NORTHERN_IRELAND = "Northern Ireland"


class PostcodeResolver(Protocol):
    def constituency_for(self, key: str) -> str | None:
        """GSS code of the postcode's constituency, or None when the postcode is unknown.

        `key` is a normalised postcode without its space ("SW1A1AA"). May raise
        ServiceUnavailable when the answer cannot be had just now.
        """
        ...


def resolve_uk(
    session: Session,
    raw_postcode: str,
    resolvers: Sequence[PostcodeResolver],
    nearby: NearbyShortList | None = None,
) -> LookupResult:
    postcode = parse_uk_postcode(raw_postcode)
    if postcode.overseas_territory is not None:
        return _pick_by_name(overseas_territory_message(postcode))
    if postcode.outward_only:
        seats = nearby.for_district(postcode.key) if nearby else ()
        if not seats:
            raise outward_only_refusal()
        return _short_list(session, postcode, seats) or _pick_by_name(
            _not_found_message(postcode, unavailable=False)
        )

    unavailable = False
    for resolver in resolvers:
        try:
            code = resolver.constituency_for(postcode.key)
        except ServiceUnavailable:
            unavailable = True
            continue
        if code is None:
            continue
        representatives = representatives_for(session, [code])
        if representatives:
            return _matched(representatives)
        # A code the directory does not hold (a resolver ahead of our data): try the next.
        log.warning("postcode resolved to an unknown constituency", extra={"code": code})
    if postcode.key.startswith(NORTHERN_IRELAND_AREA):
        return _northern_ireland(session, postcode)
    seats = nearby.for_postcode(postcode.key) if nearby else ()
    short = _short_list(session, postcode, seats) if seats else None
    return short or _pick_by_name(_not_found_message(postcode, unavailable=unavailable))


def build_uk_resolvers(settings: Settings, engine: Engine) -> list[PostcodeResolver]:
    resolvers: list[PostcodeResolver] = [LocalTableResolver(engine.connect)]
    if settings.lookup.postcodes_io_url:
        resolvers.append(PostcodesIoResolver.from_settings(settings.lookup))
    return resolvers


def start_warm_up(resolvers: Sequence[PostcodeResolver]) -> None:
    """Build in-memory postcode indexes in the background (call once at start-up), so the
    first supporter after a start does not wait seconds for ~1.8 million postcodes."""
    for resolver in resolvers:
        if isinstance(resolver, LocalTableResolver):
            resolver.start_warm_up()


def _matched(representatives: list[RepresentativeOut]) -> LookupResult:
    member = representatives[0]
    message = (
        ""
        if member.can_write
        else f"{member.name} cannot be written to through this service yet: no published "
        "email address, or the seat is vacant."
    )
    return LookupResult(
        status=LookupStatus.matched,
        representatives=representatives,
        message=message,
        basis=Basis.exact,
    )


def _short_list(
    session: Session, postcode: ParsedPostcode, seats: Sequence[str]
) -> LookupResult | None:
    representatives = representatives_for(session, list(seats))
    if not representatives:
        return None
    if len(representatives) == 1:
        [member] = representatives
        message = (
            f"Your postcode {postcode.display} is in or near {member.constituency.name}. "
            f"Is {member.name} your MP? If not, search for your constituency by name."
        )
    elif postcode.outward_only:
        message = (
            f"Postcodes starting {postcode.display} are in {len(representatives)} "
            "constituencies. Choose yours, or enter your full postcode; if none of these is "
            "yours, search for your constituency by name."
        )
    else:
        message = (
            f"Your postcode {postcode.display} is near where {len(representatives)} "
            "constituencies meet. Choose yours; if none of these is, search for your "
            "constituency by name."
        )
    return LookupResult(
        status=LookupStatus.choose,
        question=Question.representative,
        options=_options(representatives),
        representatives=representatives,
        message=message,
        basis=Basis.nearby,
    )


def _northern_ireland(session: Session, postcode: ParsedPostcode) -> LookupResult:
    representatives = representatives_for(
        session, seats_in_region(session, ChamberId.uk_commons, NORTHERN_IRELAND)
    )
    if not representatives:
        return _pick_by_name(_not_found_message(postcode, unavailable=False))
    return LookupResult(
        status=LookupStatus.choose,
        question=Question.representative,
        options=_options(representatives),
        representatives=representatives,
        message=(
            f"We cannot place Northern Ireland postcodes such as {postcode.display}. "
            "Choose your constituency among the 18 seats of Northern Ireland."
        ),
    )


def _options(representatives: Sequence[RepresentativeOut]) -> list[Option]:
    return [
        Option(value=rep.id, label=f"{rep.name} ({rep.party}) — {rep.constituency.name}")
        for rep in representatives
    ]


def _pick_by_name(message: str) -> LookupResult:
    return LookupResult(
        status=LookupStatus.unresolved, question=Question.constituency, message=message
    )


def _not_found_message(postcode: ParsedPostcode, *, unavailable: bool) -> str:
    reason = (
        "We could not check it just now"
        if unavailable
        else f"We do not have {postcode.display} in our postcode list"
    )
    return f"{reason}. Search for your constituency or your MP by name instead."
