"""UK lookup: postcode → constituency → MP.

Resolvers are asked in order (the local imported table first, then a live service when one is
configured). When none knows the postcode, or a live one is down, the supporter is asked to
pick their constituency or MP by name, which works offline from the bundled data.
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
from service.lookup.schemas import LookupResult, LookupStatus, Question
from service.lookup.uk_postcode_index import LocalTableResolver
from service.lookup.uk_postcodes import (
    ParsedPostcode,
    overseas_territory_message,
    parse_uk_postcode,
)
from service.representatives.schemas import RepresentativeOut
from service.representatives.service import representatives_for

log = logging.getLogger("repmail.lookup.uk")


class PostcodeResolver(Protocol):
    def constituency_for(self, key: str) -> str | None:
        """GSS code of the postcode's constituency, or None when the postcode is unknown.

        `key` is a normalised postcode without its space ("SW1A1AA"). May raise
        ServiceUnavailable when the answer cannot be had just now.
        """
        ...


def resolve_uk(
    session: Session, raw_postcode: str, resolvers: Sequence[PostcodeResolver]
) -> LookupResult:
    postcode = parse_uk_postcode(raw_postcode)
    if postcode.overseas_territory is not None:
        return _pick_by_name(overseas_territory_message(postcode))

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
    return _pick_by_name(_not_found_message(postcode, unavailable=unavailable))


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
        status=LookupStatus.matched, representatives=representatives, message=message
    )


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
