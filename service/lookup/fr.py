"""France: code postal (and commune) → circonscription → député, and country of residence →
député of the French citizens abroad. Never a guess: where the data cannot decide, the
supporter is asked, and told why.

The steps for a code postal:
1. every commune the code serves lies in the same single circonscription → matched;
2. several communes → ask which one ("commune"), unless a commune was given;
3. the commune (or arrondissement, or former commune) lies in one circonscription → matched;
4. it is split → ask which of its députés ("representative"). Where former communes of a
   commune nouvelle decide the split, each choice names them, and their INSEE codes are
   accepted as `commune`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, col, select

from service.errors import InvalidInput
from service.lookup.fr_input import parse_code_postal, parse_commune_code, parse_residence
from service.lookup.models import FrAbroadCountry, FrCommune, FrCommuneConstituency, FrPostalCode
from service.lookup.schemas import LookupResult, LookupStatus, Option, Question
from service.representatives.schemas import RepresentativeOut
from service.representatives.service import representatives_for

FORMER_COMMUNE_KINDS = ("commune-deleguee", "commune-associee")
# Monaco's codes postaux follow the French pattern, but Monaco is abroad.
MONACO_PREFIX = "980"
# Places in the country table with no seat that are not French territory.
NO_RESIDENTS = {"AQ"}
# How many former communes one choice names before "…".
_MAX_NAMED = 6


def resolve_fr(session: Session, raw_postcode: str, commune: str | None) -> LookupResult:
    code_postal = parse_code_postal(raw_postcode)
    if code_postal.startswith(MONACO_PREFIX):
        raise InvalidInput(
            "That is a code postal of Monaco. French citizens living in Monaco have their own "
            "député: choose 'living abroad' and then Monaco.",
            field="postcode",
        )
    communes = _communes_for(session, code_postal)
    if not communes:
        return LookupResult(
            status=LookupStatus.unresolved,
            question=Question.constituency,
            message=(
                f"We have no commune for the code postal {code_postal}. Check it, or search "
                "for your circonscription or your député by name."
            ),
        )
    if commune is not None and commune.strip():
        chosen = _chosen_commune(session, parse_commune_code(commune), communes, code_postal)
        return _resolve_commune(session, chosen, _seats_of(session, [chosen.code_insee]))
    seats = _seats_of(session, [c.code_insee for c in communes])
    every_seat = sorted({seat for c in communes for seat in seats[c.code_insee]})
    if len(every_seat) == 1:
        return _matched(
            session,
            every_seat[0],
            f"All of the code postal {code_postal} is in one circonscription.",
        )
    if len(communes) == 1:
        return _resolve_commune(session, communes[0], seats)
    return LookupResult(
        status=LookupStatus.choose,
        question=Question.commune,
        options=[
            Option(value=c.code_insee, label=f"{c.name} ({code_postal})")
            for c in sorted(communes, key=lambda c: (c.name.casefold(), c.code_insee))
        ],
        message=(
            f"The code postal {code_postal} serves {len(communes)} communes that do not all "
            "have the same député. Which commune do you live in?"
        ),
    )


def resolve_abroad(session: Session, residence: str) -> LookupResult:
    iso2 = parse_residence(residence)
    country = session.get(FrAbroadCountry, iso2)
    if country is None:
        raise InvalidInput(
            f"We don't know the country code {iso2}. Choose your country of residence "
            "from the list.",
            field="residence",
        )
    if country.constituency_id is None:
        if iso2 in NO_RESIDENTS:
            raise InvalidInput(
                f"Nobody is registered as living in {country.name_en}: French citizens there "
                "vote where they are registered, in a French commune (enter its code postal) "
                "or with a consulate abroad (choose that country).",
                field="residence",
            )
        raise InvalidInput(
            f"{country.name_en} is French territory, so your député is the one for your "
            "commune: enter your code postal instead.",
            field="residence",
        )
    return _matched(
        session,
        country.constituency_id,
        f"Country of residence: {country.name_en}. French citizens living there elect the "
        "député for this circonscription of French residents abroad.",
    )


def _communes_for(session: Session, code_postal: str) -> list[FrCommune]:
    return list(
        session.exec(
            select(FrCommune)
            .join(FrPostalCode, col(FrPostalCode.code_insee) == FrCommune.code_insee)
            .where(FrPostalCode.postal_code == code_postal)
            .order_by(FrCommune.code_insee)
        ).all()
    )


def _seats_of(session: Session, codes: Sequence[str]) -> dict[str, list[str]]:
    seats: dict[str, list[str]] = {code: [] for code in codes}
    rows = session.exec(
        select(FrCommuneConstituency)
        .where(col(FrCommuneConstituency.code_insee).in_(codes))
        .order_by(FrCommuneConstituency.code_insee, FrCommuneConstituency.constituency_id)
    ).all()
    for row in rows:
        seats[row.code_insee].append(row.constituency_id)
    return seats


def _chosen_commune(
    session: Session, code: str, communes: Sequence[FrCommune], code_postal: str
) -> FrCommune:
    """The commune the supporter picked: one the code postal serves, or a former commune of
    one of those."""
    for candidate in communes:
        if candidate.code_insee == code:
            return candidate
    former = session.get(FrCommune, code)
    served = {c.code_insee for c in communes}
    if former is not None and former.kind in FORMER_COMMUNE_KINDS and former.parent_code in served:
        return former
    raise InvalidInput(
        f"That commune is not served by the code postal {code_postal}. Choose one of the "
        "communes offered for it, or check the code postal.",
        field="commune",
    )


def _resolve_commune(
    session: Session, commune: FrCommune, seats: dict[str, list[str]]
) -> LookupResult:
    own = seats.get(commune.code_insee, [])
    if not own:
        return LookupResult(
            status=LookupStatus.unresolved,
            question=Question.constituency,
            message=f"We have no circonscription for {commune.name}: search for it by name.",
        )
    place = _place_name(session, commune)
    if len(own) == 1:
        return _matched(session, own[0], f"{place} is in one circonscription.")
    if commune.kind == "arrondissement":
        reason = (
            f"{place} is one of the arrondissements of a city divided into {len(own)} "
            "circonscriptions. Their boundaries cut across arrondissements, and the data we "
            "hold does not say which of them cover this one, so here are the députés for "
            "the whole city."
        )
        return _choose_representative(session, own, reason, {})
    named = _former_communes_by_seat(session, commune, own)
    if named:
        reason = (
            f"{place} is divided between {len(own)} circonscriptions. Some of its former "
            "communes (communes déléguées) lie wholly in one of them: each choice names them. "
            "If yours is not named, your mairie can tell you which circonscription your "
            "address is in."
        )
    else:
        reason = (
            f"{place} is divided between {len(own)} circonscriptions, and the data we hold "
            "cannot tell which one your street is in. If you are not sure, your mairie can "
            "tell you which circonscription your address is in."
        )
    return _choose_representative(session, own, reason, named)


def _former_communes_by_seat(
    session: Session, commune: FrCommune, own: Sequence[str]
) -> dict[str, list[str]]:
    """Names of the former communes of `commune` lying in a single one of its seats."""
    if commune.kind in FORMER_COMMUNE_KINDS:
        return {}
    formers = session.exec(
        select(FrCommune)
        .where(FrCommune.parent_code == commune.code_insee)
        .where(col(FrCommune.kind).in_(FORMER_COMMUNE_KINDS))
    ).all()
    seats = _seats_of(session, [f.code_insee for f in formers])
    named: dict[str, list[str]] = defaultdict(list)
    for former in sorted(formers, key=lambda f: f.name.casefold()):
        if len(seats[former.code_insee]) == 1 and seats[former.code_insee][0] in own:
            named[seats[former.code_insee][0]].append(former.name)
    return dict(named)


def _choose_representative(
    session: Session, seats: Sequence[str], reason: str, named: dict[str, list[str]]
) -> LookupResult:
    reps = representatives_for(session, list(seats))
    if not reps:
        return LookupResult(
            status=LookupStatus.unresolved,
            question=Question.constituency,
            message=f"{reason} We have no député on record for these circonscriptions: "
            "search by name instead.",
        )
    return LookupResult(
        status=LookupStatus.choose,
        question=Question.representative,
        options=[
            Option(value=rep.id, label=_option_label(rep, named.get(rep.constituency.id, [])))
            for rep in reps
        ],
        representatives=reps,
        message=f"{reason} Choose your député.",
    )


def _option_label(rep: RepresentativeOut, former_communes: list[str]) -> str:
    label = f"{rep.name} ({rep.party}) — {rep.constituency.name}"
    if former_communes:
        shown = ", ".join(former_communes[:_MAX_NAMED])
        more = "…" if len(former_communes) > _MAX_NAMED else ""
        label += f" — former communes: {shown}{more}"
    return label


def _matched(session: Session, seat: str, reason: str) -> LookupResult:
    reps = representatives_for(session, [seat])
    if not reps:
        return LookupResult(
            status=LookupStatus.unresolved,
            question=Question.constituency,
            message=f"{reason} We have no député on record for it: search by name instead.",
        )
    [rep] = reps
    message = f"{reason} Your député is {rep.name}, {rep.constituency.name}."
    if not rep.can_write:
        message += " Letters cannot be sent to this seat through repmail at the moment."
    return LookupResult(status=LookupStatus.matched, representatives=reps, message=message)


def _place_name(session: Session, commune: FrCommune) -> str:
    if commune.kind in FORMER_COMMUNE_KINDS and commune.parent_code:
        parent = session.get(FrCommune, commune.parent_code)
        if parent is not None:
            return f"{commune.name} (former commune, now part of {parent.name})"
    return commune.name
