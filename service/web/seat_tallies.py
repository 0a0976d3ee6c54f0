"""A campaign's letters per seat: the counters summed by the database over everyone who sat
for the seat (letters.tallies), with the seat's name and sitting member. Read by the seat maps
and the per-constituency export, so both show the same numbers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from service.letters.tallies import LetterTally, seats_by_constituency
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
    by_seat = seats_by_constituency(session, campaign_id, chamber_id)
    # Columns rather than whole rows: a map reads every seat and member of a chamber on each
    # view, and building the ORM objects cost more than the query.
    seats = select(
        Constituency.id, Constituency.name, Constituency.chamber_id, Constituency.region
    ).order_by(col(Constituency.id))
    sitting_members = select(
        Representative.constituency_id, Representative.id, Representative.name
    ).where(Representative.status != RepresentativeStatus.vacant)
    if chamber_id is not None:
        seats = seats.where(Constituency.chamber_id == chamber_id)
        sitting_members = sitting_members.where(Representative.chamber_id == chamber_id)
    sitting = {
        seat_id: (member_id, name) for seat_id, member_id, name in session.exec(sitting_members)
    }
    return [
        SeatTally(
            constituency_id=seat_id,
            name=name,
            chamber_id=chamber,
            region=region,
            representative_id=sitting[seat_id][0] if seat_id in sitting else None,
            representative=sitting[seat_id][1] if seat_id in sitting else None,
            letters=by_seat.get(seat_id, LetterTally()),
        )
        for seat_id, name, chamber, region in session.exec(seats)
    ]
