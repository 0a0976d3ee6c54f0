"""Organisers' care of the directory: pausing letters to a representative (with a reason) and
resuming them, and correcting an address the official data got wrong. None of these commits:
the console composes each with what letters must do about it and with the audit entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from service.errors import Conflict, InvalidInput, NotFound
from service.representatives.models import (
    Constituency,
    Representative,
    RepresentativeCare,
    RepresentativeStatus,
)

MAX_REASON = 300
# One address, as a person types it: no spaces, one "@", a dot in the domain.
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$")


def lock_representative(session: Session, representative_id: str) -> Representative:
    """The representative, locked until the caller commits: two organisers changing one
    record take turns."""
    found = session.exec(
        select(Representative)
        .where(Representative.id == representative_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if found is None:
        raise NotFound("There is no such representative.", field="representative_id")
    return found


def care_of(session: Session, representative_id: str) -> RepresentativeCare:
    return session.get(RepresentativeCare, representative_id) or RepresentativeCare(
        representative_id=representative_id
    )


def pause(session: Session, rep: Representative, reason: str, now: datetime) -> None:
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Say why letters to this representative are paused.", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput("Keep the reason under 300 characters.", field="reason")
    if rep.status == RepresentativeStatus.paused:
        raise Conflict("Letters to this representative are paused already.", field="paused")
    if rep.status == RepresentativeStatus.vacant:
        raise Conflict("This seat is vacant: there is nobody to pause.", field="paused")
    care = care_of(session, rep.id)
    care.pause_reason = reason
    care.paused_at = now
    rep.status = RepresentativeStatus.paused
    rep.updated_at = now
    session.add_all([care, rep])
    session.flush()


def resume(session: Session, rep: Representative, now: datetime) -> None:
    if rep.status != RepresentativeStatus.paused:
        raise Conflict("Letters to this representative are not paused.", field="paused")
    care = care_of(session, rep.id)
    care.pause_reason = None
    care.paused_at = None
    rep.status = RepresentativeStatus.active
    rep.updated_at = now
    session.add_all([care, rep])
    session.flush()


def checked_address(email: str) -> str:
    email = email.strip()
    if len(email) > 320 or not _ADDRESS.match(email):
        raise InvalidInput("Enter one valid email address.", field="email")
    return email


def correct_email(
    session: Session, rep: Representative, email: str, source: str, now: datetime
) -> bool:
    """Give the representative a corrected address; False when it is the one they have."""
    email = checked_address(email)
    source = " ".join(source.split())[:200] or "Corrected in the console"
    if rep.email and rep.email.lower() == email.lower():
        return False
    care = care_of(session, rep.id)
    care.email_source = source
    care.email_corrected_at = now
    rep.email = email
    rep.updated_at = now
    session.add_all([care, rep])
    session.flush()
    return True


@dataclass(frozen=True, slots=True)
class Criteria:
    chamber: str | None = None
    party: str | None = None
    status: RepresentativeStatus | None = None
    name: str | None = None
    # Only these representatives (what another domain knows: failing addresses, paused).
    among: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Listed:
    representative: Representative
    constituency: str
    care: RepresentativeCare | None


def search(
    session: Session, criteria: Criteria, *, limit: int = 100, offset: int = 0
) -> list[Listed]:
    statement = (
        select(Representative, Constituency.name, RepresentativeCare)
        .join(Constituency, col(Constituency.id) == Representative.constituency_id)
        .outerjoin(
            RepresentativeCare,
            col(RepresentativeCare.representative_id) == Representative.id,
        )
    )
    if criteria.chamber:
        statement = statement.where(Representative.chamber_id == criteria.chamber)
    if criteria.party:
        statement = statement.where(Representative.party == criteria.party)
    if criteria.status:
        statement = statement.where(Representative.status == criteria.status)
    if criteria.among is not None:
        statement = statement.where(col(Representative.id).in_(sorted(criteria.among)))
    if criteria.name:
        statement = statement.where(
            col(Representative.name).ilike("%" + criteria.name.replace("%", "") + "%")
        )
    statement = statement.order_by(col(Representative.name), col(Representative.id))
    rows = session.exec(statement.offset(offset).limit(limit)).all()
    return [Listed(rep, name, care) for rep, name, care in rows]


def parties(session: Session) -> list[str]:
    return list(
        session.exec(select(Representative.party).distinct().order_by(Representative.party))
    )


def paused_ids(session: Session) -> set[str]:
    """The representatives the organisers paused."""
    return set(
        session.exec(
            select(Representative.id).where(Representative.status == RepresentativeStatus.paused)
        ).all()
    )


def official_address_restored(session: Session, representative_id: str) -> None:
    """An import gave the representative the official source's address: an organiser's
    earlier correction no longer describes it."""
    care = session.get(RepresentativeCare, representative_id)
    if care is not None and care.email_source:
        care.email_source = None
        care.email_corrected_at = None
        session.add(care)
