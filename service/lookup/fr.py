"""France: code postal (and commune) → circonscription → député, and country of residence →
député of the French citizens abroad. Never a guess: where the data cannot decide, the
supporter is asked, and told why.

The steps for a code postal:
1. every commune the code serves lies in the same single circonscription → matched;
2. several communes → ask which one ("commune"), unless a commune was given;
3. the commune (or arrondissement) lies in one circonscription → matched;
4. a split commune nouvelle some of whose former communes lie in one circonscription → ask
   which former commune ("commune" again, values "<commune>.<former commune>", and
   "<commune>.unknown" for "I don't know / not listed"; the candidate députés come with
   the question, for clients that offer them straight away);
5. a Paris, Lyon or Marseille arrondissement → ask which of its own one to three députés
   ("representative"), with how a split one divides (`detail`) and the way out to all of
   its city's députés (`alternative`, "<arrondissement>.unknown");
6. otherwise (or for a former commune that does not decide) → ask which of the commune's
   députés ("representative").

A code postal of a real département that serves no commune is a CEDEX or company code: the
supporter is asked for their home code postal.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from service.errors import InvalidInput
from service.lookup.fr_input import (
    FORMER_UNKNOWN,
    parse_code_postal,
    parse_commune_choice,
    parse_residence,
)
from service.lookup.schemas import Basis, LookupResult, LookupStatus, Option, Question
from service.representatives.models import (
    FrAbroadCountry,
    FrArrondissementConstituency,
    FrCommune,
    FrCommuneConstituency,
    FrFormerCommune,
    FrPostalCode,
)
from service.representatives.service import representatives_for

# Monaco's codes postaux follow the French pattern, but Monaco is abroad.
MONACO_PREFIX = "980"
# Places in the country table with no seat that are not French territory.
NO_RESIDENTS = {"AQ"}
FORMER_UNKNOWN_LABEL = "I don't know / my former commune isn't listed"


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
        if _department_has_codes(session, code_postal):
            # A code of a real département that serves no commune: La Poste gives such codes
            # to CEDEX addresses and to companies and administrations with their own code.
            raise InvalidInput(
                f"{code_postal} looks like a CEDEX or company code postal, which belongs to an "
                "organisation rather than to a place where people live. Enter the code postal "
                "of your home address.",
                field="postcode",
            )
        return LookupResult(
            status=LookupStatus.unresolved,
            question=Question.constituency,
            message=(
                f"We have no commune for the code postal {code_postal}. Check it, or search "
                "for your circonscription or your député by name."
            ),
        )
    if commune is not None and commune.strip():
        choice = parse_commune_choice(commune)
        chosen = _served_commune(choice.code, communes, code_postal)
        if choice.former is not None:
            return _resolve_former_commune(session, chosen, choice.former)
        seats = _seats_of(session, [chosen.code_insee])
        return _resolve_commune(session, chosen, seats, ask_former=not choice.former_unknown)
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


def _served_commune(code: str, communes: Sequence[FrCommune], code_postal: str) -> FrCommune:
    """The commune (or arrondissement) the supporter picked, among those the code serves."""
    for candidate in communes:
        if candidate.code_insee == code:
            return candidate
    raise InvalidInput(
        f"That commune is not served by the code postal {code_postal}. Choose one of the "
        "communes offered for it, or check the code postal.",
        field="commune",
    )


def _resolve_commune(
    session: Session, commune: FrCommune, seats: dict[str, list[str]], *, ask_former: bool = True
) -> LookupResult:
    own = seats.get(commune.code_insee, [])
    if not own:
        return LookupResult(
            status=LookupStatus.unresolved,
            question=Question.constituency,
            message=f"We have no circonscription for {commune.name}: search for it by name.",
        )
    if len(own) == 1:
        return _matched(session, own[0], f"{commune.name} is in one circonscription.")
    if commune.kind == "arrondissement":
        if ask_former:
            short = _arrondissement_short_list(session, commune)
            if short is not None:
                return short
        reason = (
            f"{commune.name} is one of the arrondissements of a city divided into {len(own)} "
            "circonscriptions. Their boundaries cut across arrondissements, and the data we "
            "hold does not say which of them cover this one, so here are the députés for "
            "the whole city."
        )
        return _choose_representative(session, own, reason)
    formers = _former_communes(session, commune) if ask_former else []
    if any(former.constituency_id for former in formers):
        return _ask_former_commune(session, commune, formers, own)
    reason = (
        f"{commune.name} is divided between {len(own)} circonscriptions, and the data we hold "
        "cannot tell which one your street is in. If you are not sure, your mairie can tell "
        "you which circonscription your address is in."
    )
    return _choose_representative(session, own, reason)


def _arrondissement_short_list(session: Session, arrondissement: FrCommune) -> LookupResult | None:
    """The one to three circonscriptions of a Paris, Lyon or Marseille arrondissement, with
    the way out to all of the city's députés (the boundaries cut across arrondissements, and
    the Lyon and Marseille rows come from published descriptions, not an official table)."""
    rows = session.exec(
        select(FrArrondissementConstituency)
        .where(FrArrondissementConstituency.code_insee == arrondissement.code_insee)
        .order_by(FrArrondissementConstituency.constituency_id)
    ).all()
    reps = representatives_for(session, [row.constituency_id for row in rows])
    city = (
        session.get(FrCommune, arrondissement.parent_code) if arrondissement.parent_code else None
    )
    if not reps or city is None:
        return None
    detail = rows[0].detail
    if len(reps) == 1:
        reason = (
            f"{arrondissement.name} lies in one circonscription, {reps[0].constituency.name}: "
            f"is {reps[0].name} your député?"
        )
    else:
        reason = f"{arrondissement.name} is divided between {len(reps)} circonscriptions"
        reason += f" ({detail}; the rest of it is in the other)." if detail else "."
        reason += " Choose your député."
    if rows[0].confidence != "high":
        reason += (
            f" This list for {city.name} comes from published descriptions of the "
            "circonscriptions rather than an official table."
        )
    return LookupResult(
        status=LookupStatus.choose,
        question=Question.representative,
        options=[
            Option(value=rep.id, label=f"{rep.name} ({rep.party}) — {rep.constituency.name}")
            for rep in reps
        ],
        representatives=reps,
        message=f"{reason} If yours is not in this list, ask for all the députés of {city.name}.",
        detail=detail,
        alternative=Option(
            value=f"{arrondissement.code_insee}.{FORMER_UNKNOWN}",
            label=f"Not in this list: all the députés of {city.name}",
        ),
    )


def _department_has_codes(session: Session, code_postal: str) -> bool:
    """Whether other codes postaux of this code's département serve communes (overseas
    départements are the three digits 971 to 976; the rest two)."""
    prefix = code_postal[:3] if code_postal.startswith("97") else code_postal[:2]
    found = session.exec(
        select(FrPostalCode.postal_code)
        .where(col(FrPostalCode.postal_code).startswith(prefix))
        .limit(1)
    ).first()
    return found is not None


def _former_communes(session: Session, commune: FrCommune) -> list[FrFormerCommune]:
    return list(
        session.exec(
            select(FrFormerCommune).where(FrFormerCommune.parent_code == commune.code_insee)
        ).all()
    )


def _ask_former_commune(
    session: Session, commune: FrCommune, formers: Sequence[FrFormerCommune], seats: list[str]
) -> LookupResult:
    """Which former commune: the answer decides the split for those lying in one
    circonscription. The candidate députés come along, for a client that offers them to
    whoever does not know."""
    options = [
        Option(
            value=f"{commune.code_insee}.{former.code_insee}",
            label=f"{former.name} (part of {commune.name})",
        )
        for former in sorted(formers, key=lambda f: (f.name.casefold(), f.code_insee))
    ]
    options.append(
        Option(value=f"{commune.code_insee}.{FORMER_UNKNOWN}", label=FORMER_UNKNOWN_LABEL)
    )
    return LookupResult(
        status=LookupStatus.choose,
        question=Question.commune,
        options=options,
        representatives=representatives_for(session, seats),
        message=(
            f"{commune.name} is divided between {len(seats)} circonscriptions. It was made by "
            "merging several communes, and which of these former communes (communes "
            "déléguées or associées) you live in tells us your député. Which former commune "
            "do you live in? If you don't know, or yours is not listed, say so: you will then "
            f"choose among the {len(seats)} députés of {commune.name}."
        ),
    )


def _resolve_former_commune(session: Session, commune: FrCommune, code: str) -> LookupResult:
    former = session.get(FrFormerCommune, (commune.code_insee, code))
    if former is None:
        raise InvalidInput(
            f"That is not one of the former communes of {commune.name} we can offer. Choose "
            "one from the list, or the answer for when yours is not listed.",
            field="commune",
        )
    place = f"{former.name} (a former commune, now part of {commune.name})"
    if former.constituency_id is not None:
        return _matched(session, former.constituency_id, f"{place} is in one circonscription.")
    seats = _seats_of(session, [commune.code_insee])[commune.code_insee]
    reason = (
        f"The data we hold does not place {place} in a single one of the {len(seats)} "
        f"circonscriptions of {commune.name}. If you are not sure, your mairie can tell you "
        "which circonscription your address is in."
    )
    return _choose_representative(session, seats, reason)


def _choose_representative(session: Session, seats: Sequence[str], reason: str) -> LookupResult:
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
            Option(value=rep.id, label=f"{rep.name} ({rep.party}) — {rep.constituency.name}")
            for rep in reps
        ],
        representatives=reps,
        message=f"{reason} Choose your député.",
    )


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
    return LookupResult(
        status=LookupStatus.matched, representatives=reps, message=message, basis=Basis.exact
    )
