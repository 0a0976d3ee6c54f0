"""A campaign's letters per seat: the tallies per representative (letters.tallies) summed over
the seat each representative sits or sat for, with the seat's name and sitting member. Read by
the seat maps and the per-constituency export, so both show the same numbers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from service.letters.tallies import LetterTally, letters_by_representative
from service.representatives.models import (
    ChamberId,
    Constituency,
    Representative,
    RepresentativeStatus,
)


@dataclass(frozen=True)
class SeatTally:
    constituency_id: str
    name: str
    chamber_id: str
    region: str
    representative_id: str | None  # the sitting member; None for a vacant seat
    representative: str | None
    letters: LetterTally


def seat_tallies(
    session: Session, campaign_id: int, chamber_id: ChamberId | None = None
) -> list[SeatTally]:
    """Every seat (of one chamber, or both), in id order, with its letters (zero where none)."""
    by_representative = letters_by_representative(session, campaign_id)
    seats = select(Constituency).order_by(col(Constituency.id))
    members = select(Representative)
    if chamber_id is not None:
        seats = seats.where(Constituency.chamber_id == chamber_id)
        members = members.where(Representative.chamber_id == chamber_id)
    by_seat: dict[str, LetterTally] = {}
    sitting: dict[str, Representative] = {}
    for member in session.exec(members):
        tally = by_seat.setdefault(member.constituency_id, LetterTally())
        tally.add(by_representative.get(member.id, LetterTally()))
        if member.status != RepresentativeStatus.vacant:
            sitting[member.constituency_id] = member
    return [
        SeatTally(
            constituency_id=seat.id,
            name=seat.name,
            chamber_id=seat.chamber_id,
            region=seat.region,
            representative_id=sitting[seat.id].id if seat.id in sitting else None,
            representative=sitting[seat.id].name if seat.id in sitting else None,
            letters=by_seat.get(seat.id, LetterTally()),
        )
        for seat in session.exec(seats)
    ]
