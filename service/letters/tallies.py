"""How many letters of a campaign went to each representative, by status: the one query the
seat maps and the aggregate exports read (per representative, per constituency), and the
letters per day. Counts only, nothing personal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.letters.models import Letter, LetterEvent
from service.letters.states import LetterStatus
from service.stats.figures import SeatCounts, constituency_totals, seat_totals

S = LetterStatus
# Letters that went out: the provider accepted them (a bounce after sending still went out).
WENT_OUT = frozenset({S.sent, S.delivered, S.bounced})
# Columns of the per-status breakdown, in the funnel's order.
STATUS_ORDER = (
    S.pending_confirmation,
    S.confirmed,
    S.held,
    S.queued,
    S.sent,
    S.delivered,
    S.bounced,
    S.rejected,
    S.expired,
)


@dataclass
class LetterTally:
    """A campaign's letters to one representative (or seat, or day), by status now."""

    by_status: dict[LetterStatus, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def sent(self) -> int:
        """Letters that went out, whatever became of them after (delivered, bounced)."""
        return sum(n for status, n in self.by_status.items() if status in WENT_OUT)

    @property
    def delivered(self) -> int:
        return self.by_status.get(S.delivered, 0)

    def add(self, other: LetterTally) -> None:
        for status, n in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + n


def letters_by_representative(session: Session, campaign_id: int) -> dict[str, LetterTally]:
    """representative id → their letters of the campaign by status, read from the dashboard's
    counters (service.stats), not by counting letters. Representatives nobody wrote to (or
    whose letters are all gone) are absent."""
    return _tallies(seat_totals(session, campaign_id))


def seats_by_constituency(
    session: Session, campaign_id: int, chamber_id: str | None = None
) -> dict[str, LetterTally]:
    """seat id → the letters of the campaign to whoever sat for it, by status (read from the
    dashboard's counters). Seats nobody wrote to are absent."""
    return _tallies(constituency_totals(session, campaign_id, chamber_id))


def _tallies(totals: dict[str, SeatCounts]) -> dict[str, LetterTally]:
    tallies: dict[str, LetterTally] = {}
    for key, counts in totals.items():
        # A dict lookup, not LetterStatus(status): a map turns thousands of them per view.
        by_status = {_STATUS[status]: n for status, n in counts.items() if n}
        if by_status:
            tallies[key] = LetterTally(by_status)
    return tallies


_STATUS = {str(status): status for status in LetterStatus}


@dataclass(frozen=True)
class DayCounts:
    day: date
    written: int  # letters submitted that day
    reached: dict[LetterStatus, int]  # letters that moved into each status that day


def letters_by_day(session: Session, campaign_id: int) -> Iterator[DayCounts]:
    """Per calendar day (UTC) of the campaign: letters written, and letters that reached each
    status (from the letters' status history), oldest day first."""
    written = session.exec(
        select(func.date(Letter.created_at), func.count())
        .where(Letter.campaign_id == campaign_id)
        .group_by(func.date(Letter.created_at))
    ).all()
    moves = session.exec(
        select(func.date(LetterEvent.at), LetterEvent.to_status, func.count())
        .join(Letter, col(Letter.id) == col(LetterEvent.letter_id))
        .where(Letter.campaign_id == campaign_id)
        .group_by(func.date(LetterEvent.at), col(LetterEvent.to_status))
    ).all()
    days: dict[date, DayCounts] = {}

    def day_of(value: object) -> DayCounts:
        # SQLite's date() gives text, PostgreSQL's a date.
        key = value if isinstance(value, date) else date.fromisoformat(str(value))
        return days.setdefault(key, DayCounts(key, 0, {}))

    for value, count in written:
        counts = day_of(value)
        days[counts.day] = DayCounts(counts.day, int(count), counts.reached)
    for value, status, count in moves:
        if status in LetterStatus.__members__:
            day_of(value).reached[LetterStatus(status)] = int(count)
    yield from (days[d] for d in sorted(days))
