"""What the representatives' pages and their admin API twin show: the list with its filters
(chamber, party, status, failing address, paused) and one representative with their address
and its source, their letters, and the provider's latest reports. Reads only; it gathers
what representatives, letters, delivery and tracking each know."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlmodel import Session

from service.delivery.recipients import held_counts, recipient_hold
from service.errors import NotFound
from service.letters.recipient_changes import letter_counts
from service.representatives import care
from service.representatives.models import (
    Representative,
    RepresentativeCare,
    RepresentativeStatus,
)
from service.tracking import care as tracking
from service.tracking.addresses import AddressState
from service.tracking.schemas import ProviderOutcome


class RepresentativeOut(BaseModel):
    id: str
    name: str
    party: str
    chamber_id: str
    constituency_id: str
    status: RepresentativeStatus
    email: str | None
    # Where the address comes from and its date: the official source, or an organiser's
    # correction.
    email_source: str
    email_date: date
    pause_reason: str | None
    paused_at: datetime | None
    # How the email provider sees the address: ok, failing (bounces, a block) or paused
    # (a spam report).
    address_state: AddressState = AddressState.ok


class LetterCounts(BaseModel):
    queued: int  # confirmed and in the outbox (held ones included)
    held: int  # of which kept back: a pause or a failing address
    sent: int  # sent or delivered
    failed: int  # bounced


class RepresentativeDetail(RepresentativeOut):
    letters: dict[str, int]  # by letter status
    counts: LetterCounts
    # Why their mail is held, when it is (a pause, a failing address, a spam report).
    held_reason: str | None
    recent_outcomes: list[ProviderOutcome]


def representative_out(
    rep: Representative,
    extra: RepresentativeCare | None,
    state: AddressState = AddressState.ok,
) -> RepresentativeOut:
    corrected = extra.email_corrected_at if extra else None
    return RepresentativeOut(
        id=rep.id,
        name=rep.name,
        party=rep.party,
        chamber_id=rep.chamber_id,
        constituency_id=rep.constituency_id,
        status=RepresentativeStatus(rep.status),
        email=rep.email,
        email_source=(extra.email_source if extra and extra.email_source else rep.source),
        email_date=corrected.date() if corrected else rep.retrieved_on,
        pause_reason=extra.pause_reason if extra else None,
        paused_at=extra.paused_at if extra else None,
        address_state=state,
    )


class Listed(BaseModel):
    representative: RepresentativeOut
    constituency: str


def search(
    session: Session,
    criteria: care.Criteria,
    *,
    failing: bool = False,
    paused: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[Listed]:
    """`failing`: the provider reports their address failing; `paused`: letters to them are
    paused, by the organisers or after a spam report."""
    among: set[str] | None = None
    if failing:
        among = tracking.keys_in_state(session, AddressState.failing)
    if paused:
        stopped = care.paused_ids(session) | tracking.keys_in_state(session, AddressState.paused)
        among = stopped if among is None else among & stopped
    if among is not None:
        criteria = care.Criteria(
            chamber=criteria.chamber,
            party=criteria.party,
            status=criteria.status,
            name=criteria.name,
            among=frozenset(among),
        )
    found = care.search(session, criteria, limit=limit, offset=offset)
    states = tracking.states_of(session, [item.representative.id for item in found])
    return [
        Listed(
            representative=representative_out(
                item.representative,
                item.care,
                states.get(item.representative.id, AddressState.ok),
            ),
            constituency=item.constituency,
        )
        for item in found
    ]


def detail(session: Session, representative_id: str) -> RepresentativeDetail:
    rep = session.get(Representative, representative_id)
    if rep is None:
        raise NotFound("There is no such representative.", field="representative_id")
    state = tracking.address_state(session, rep.email)
    out = representative_out(rep, session.get(RepresentativeCare, rep.id), state)
    letters = letter_counts(session, rep.id)
    counts = LetterCounts(
        queued=letters.get("queued", 0),
        held=held_counts(session, [rep.id]).get(rep.id, 0),
        sent=letters.get("sent", 0) + letters.get("delivered", 0),
        failed=letters.get("bounced", 0),
    )
    return RepresentativeDetail(
        **out.model_dump(),
        letters=letters,
        counts=counts,
        held_reason=recipient_hold(session, rep.id),
        recent_outcomes=tracking.recent_outcomes(session, rep.id),
    )
