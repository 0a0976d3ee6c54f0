"""How fresh each chamber's data is: where it comes from, the date its source describes, and
what it holds (seats, members who can be written to, vacant seats, paused members)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from service.representatives.models import (
    ChamberId,
    Constituency,
    DatasetLoad,
    Representative,
    RepresentativeStatus,
)
from service.representatives.snapshot import CHAMBER_DATASETS


@dataclass(frozen=True, slots=True)
class ChamberFreshness:
    chamber_id: ChamberId
    source: str
    source_date: date | None
    # The last date the data was found unchanged against a fresher source, if later.
    checked_on: date | None
    seats: int
    # Sitting members with an official address: letters can go to them.
    written_to: int
    # Sitting members without an address yet ("cannot be written to yet").
    no_address: int
    vacant: int
    paused: int

    @property
    def current_as_of(self) -> date | None:
        dates = [d for d in (self.source_date, self.checked_on) if d is not None]
        return max(dates, default=None)

    def age_days(self, today: date) -> int | None:
        current = self.current_as_of
        return None if current is None else (today - current).days

    def is_stale(self, today: date, stale_after_days: int) -> bool:
        age = self.age_days(today)
        return age is None or age > stale_after_days


def chamber_freshness(session: Session) -> list[ChamberFreshness]:
    return [_one(session, chamber_id) for chamber_id in ChamberId]


def _one(session: Session, chamber_id: ChamberId) -> ChamberFreshness:
    seats = session.exec(
        select(func.count()).select_from(Constituency).where(Constituency.chamber_id == chamber_id)
    ).one()
    # A seat's current row: its active or paused member, else it is vacant.
    members = session.exec(
        select(Representative.constituency_id, Representative.status, Representative.email)
        .where(Representative.chamber_id == chamber_id)
        .where(col(Representative.status) != RepresentativeStatus.vacant)
    ).all()
    counts: Counter[str] = Counter()
    for _, status, email in members:
        if status == RepresentativeStatus.paused:
            counts["paused"] += 1
        elif email:
            counts["written_to"] += 1
        else:
            counts["no_address"] += 1
    filled = {seat for seat, _, _ in members}
    load = session.get(DatasetLoad, CHAMBER_DATASETS[chamber_id])
    source, source_date, checked_on = _source(session, chamber_id, load)
    return ChamberFreshness(
        chamber_id=chamber_id,
        source=source,
        source_date=source_date,
        checked_on=checked_on,
        seats=seats,
        written_to=counts["written_to"],
        no_address=counts["no_address"],
        vacant=seats - len(filled),
        paused=counts["paused"],
    )


def _source(
    session: Session, chamber_id: ChamberId, load: DatasetLoad | None
) -> tuple[str, date | None, date | None]:
    if load is not None and load.source:
        return load.source, load.source_date, load.checked_on
    # Data loaded before sources were recorded: what the members' rows say.
    rows = session.exec(
        select(Representative.source, func.max(Representative.retrieved_on))
        .where(Representative.chamber_id == chamber_id)
        .group_by(Representative.source)
    ).all()
    sources = "; ".join(sorted(source for source, _ in rows))
    return sources, max((newest for _, newest in rows if newest), default=None), None
