"""The lookup use case: where a supporter lives → their representative(s), never guessed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from service.config import Settings
from service.errors import InvalidInput
from service.lookup.fr import resolve_abroad, resolve_fr
from service.lookup.schemas import Country, LookupResult
from service.lookup.uk import PostcodeResolver, build_uk_resolvers, resolve_uk, start_warm_up
from service.lookup.uk_nearby import NearbyShortList
from service.representatives.models import ChamberId, FrCommune, FrCommuneConstituency
from service.representatives.schemas import RepresentativeOut
from service.representatives.service import representatives_for, search_constituencies

# A commune's name matches from this many letters on ("Dunk" finds Dunkerque); at most this
# many communes are looked at, the most populous first.
_COMMUNE_MIN_LENGTH = 3
_COMMUNE_MATCHES = 5

CHAMBER_BY_COUNTRY = {Country.uk: ChamberId.uk_commons, Country.fr: ChamberId.fr_an}


@dataclass(frozen=True)
class LookupDependencies:
    """Outside parts of a lookup, chosen once at start-up (tests pass fakes)."""

    uk_resolvers: Sequence[PostcodeResolver]
    uk_nearby: NearbyShortList = field(default_factory=NearbyShortList.empty)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine) -> LookupDependencies:
        return cls(
            uk_resolvers=build_uk_resolvers(settings, engine),
            uk_nearby=NearbyShortList.from_data_dir(settings.data_dir),
        )

    def start_warm_up(self) -> None:
        """Read the postcode tables into memory in the background (once, at start-up)."""
        start_warm_up(self.uk_resolvers)
        self.uk_nearby.start_warm_up()


def lookup(
    session: Session,
    deps: LookupDependencies,
    *,
    country: Country,
    postcode: str | None = None,
    commune: str | None = None,
    residence: str | None = None,
) -> LookupResult:
    if country is Country.abroad:
        if not residence:
            raise InvalidInput(
                "Choose your country of residence (a two-letter code such as GB).",
                field="residence",
            )
        return resolve_abroad(session, residence)
    if not postcode:
        raise InvalidInput("Enter your postcode.", field="postcode")
    if country is Country.uk:
        return resolve_uk(session, postcode, deps.uk_resolvers, deps.uk_nearby)
    return resolve_fr(session, postcode, commune)


def find_constituencies(
    session: Session, *, country: Country, query: str, limit: int = 20
) -> list[RepresentativeOut]:
    chamber = CHAMBER_BY_COUNTRY.get(country)
    if chamber is None:
        raise InvalidInput(
            "Search by name works for country=uk or country=fr; French citizens abroad "
            "choose their country of residence instead.",
            field="country",
        )
    found = search_constituencies(session, chamber, query, limit=limit)
    if country is not Country.fr:
        return found
    # A French supporter often knows their commune, not their circonscription's number.
    known = {rep.constituency.id for rep in found}
    by_commune = [
        rep
        for rep in _circonscriptions_of_communes(session, query)
        if rep.constituency.id not in known
    ]
    return (found + by_commune)[:limit]


def _circonscriptions_of_communes(session: Session, query: str) -> list[RepresentativeOut]:
    """The députés of the communes named like `query` (an exact name first, then the names
    that start with it), most populous commune first."""
    name = query.strip()
    if len(name) < _COMMUNE_MIN_LENGTH:
        return []
    lowered = name.casefold()
    communes = session.exec(
        select(FrCommune.code_insee, FrCommune.name)
        .where(col(FrCommune.kind) == "commune")
        .where(func.lower(FrCommune.name).like(f"{lowered}%"))
        .order_by(col(FrCommune.population).desc())
        .limit(50)
    ).all()
    exact = [code for code, commune in communes if commune.casefold() == lowered]
    codes = (exact or [code for code, _ in communes])[:_COMMUNE_MATCHES]
    if not codes:
        return []
    seats = session.exec(
        select(FrCommuneConstituency.constituency_id)
        .where(col(FrCommuneConstituency.code_insee).in_(codes))
        .distinct()
        .order_by(col(FrCommuneConstituency.constituency_id))
    ).all()
    return representatives_for(session, list(seats))
