"""A campaign's figures, read from the rollups: a handful of indexed sums, whatever the
number of letters. The maps and exports read constituency_totals()."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Integer, case, cast, column, func, table
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.representatives.models import Constituency, Representative
from service.stats.counting import FUNNEL, hour_of
from service.stats.models import LetterHour, LetterTally
from service.stats.schemas import (
    CampaignFigures,
    Funnel,
    GroupCount,
    HeldWaiting,
    OwnWords,
    Period,
)

# Every status a letter can have (letters.states.LetterStatus; named here, below letters).
STATUSES = (
    "pending_confirmation",
    "confirmed",
    "held",
    "queued",
    "sent",
    "delivered",
    "bounced",
    "expired",
    "rejected",
)
# Letters that count towards the campaign's goal (letters.states.COUNTED).
COUNTED = frozenset({"confirmed", "queued", "sent", "delivered", "bounced", "held"})
NOT_OWN_WORDS = frozenset({"empty", "campaign_text", "similar"})
RETURNED = "returned"
HOURS_SHOWN = 48
ABROAD_PREFIX = "099-"  # circonscriptions of French citizens abroad
ABROAD = "abroad"
FRANCE = "France"

_letter = table(
    "letter",
    column("campaign_id"),
    column("status"),
    column("hold_reason"),
    column("created_at"),
)

SeatCounts = dict[str, int]


def seat_totals(session: Session, campaign_id: int) -> dict[str, SeatCounts]:
    """Letters per representative of the campaign, by status now (every status listed)."""
    tally = LetterTally.__table__  # type: ignore[attr-defined]
    return _pivoted(
        session,
        sa_select(tally.c.representative_id, *_by_status(tally))
        .where(tally.c.campaign_id == campaign_id)
        .group_by(tally.c.representative_id),
    )


def constituency_totals(
    session: Session, campaign_id: int, chamber_id: str | None = None
) -> dict[str, SeatCounts]:
    """Letters per seat (of one chamber, or every seat) by status now, summed over everyone
    who sat for it: what the maps and the per-constituency export show."""
    tally = LetterTally.__table__  # type: ignore[attr-defined]
    seat = col(Representative.constituency_id)
    query = (
        sa_select(seat, *_by_status(tally))
        .join(Representative, col(Representative.id) == tally.c.representative_id)
        .where(tally.c.campaign_id == campaign_id)
        .group_by(seat)
    )
    if chamber_id is not None:
        query = query.where(col(Representative.chamber_id) == chamber_id)
    return _pivoted(session, query)


def _pivoted(session: Session, query: Any) -> dict[str, SeatCounts]:
    """A key and a count per status (_by_status) a row, as counts by status per key; read
    through the connection: plain tuples, without the ORM's row machinery."""
    rows = session.connection().execute(query)
    return {key: dict(zip(STATUSES, counts, strict=True)) for key, *counts in rows}


def _by_status(tally: Any) -> list[Any]:
    """One sum per status, pivoted by the database: a row per group rather than one per
    group, status and hold reason, ten times fewer rows for Python to turn into counts. Cast
    back from the sum's numeric, so the driver hands over ints, not Decimals."""
    # Each tally row's count fits in an int, and summing ints accumulates in a bigint where
    # summing bigints accumulates in numeric, which costs the database a third more.
    letters = cast(tally.c.letters, Integer)
    return [
        cast(func.sum(case((tally.c.status == status, letters), else_=0)), BigInteger)
        for status in STATUSES
    ]


def status_counts(session: Session, campaign_id: int) -> dict[tuple[str, str], int]:
    """(status, hold reason) -> letters now."""
    rows = session.exec(
        select(LetterTally.status, LetterTally.hold_reason, func.sum(LetterTally.letters))
        .where(LetterTally.campaign_id == campaign_id)
        .group_by(col(LetterTally.status), col(LetterTally.hold_reason))
    ).all()
    return {(status, hold): int(letters) for status, hold, letters in rows}


def counted_total(session: Session, campaign_id: int) -> int:
    """Letters that count towards the campaign's goal (confirmed by their supporter)."""
    total = session.exec(
        select(func.sum(LetterTally.letters)).where(
            col(LetterTally.campaign_id) == campaign_id, col(LetterTally.status).in_(COUNTED)
        )
    ).one()
    return int(total or 0)


def counted_by_country(session: Session, campaign_id: int) -> dict[str, int]:
    """Letters that count towards the goal, by the supporter's path: uk, fr, abroad (the
    public page's counters)."""
    path = case(
        (col(Representative.chamber_id) == "uk-commons", "uk"),
        (col(Representative.constituency_id).startswith(ABROAD_PREFIX), ABROAD),
        else_="fr",
    )
    per_rep = _per_representative(campaign_id)
    rows = session.execute(
        sa_select(path, func.sum(per_rep.c.counted))
        .select_from(per_rep)
        .join(Representative, col(Representative.id) == per_rep.c.rep)
        .group_by(path)
    ).all()
    found = {"uk": 0, "fr": 0, ABROAD: 0}
    for name, letters in rows:
        found[str(name)] = int(letters or 0)
    return found


def campaign_figures(
    session: Session, campaign_id: int, slug: str, now: datetime
) -> CampaignFigures:
    by_status = status_counts(session, campaign_id)
    status = dict.fromkeys(STATUSES, 0)
    for (name, _hold), letters in by_status.items():
        status[name] = status.get(name, 0) + letters
    funnel, hours, days = _periods(session, campaign_id, now)
    chambers, nations, parties = _groups(session, campaign_id)
    return CampaignFigures(
        campaign=slug,
        funnel=funnel,
        status=status,
        failed=_failed(session, campaign_id),
        hours=hours,
        days=days,
        by_chamber=chambers,
        by_nation=nations,
        by_party=parties,
        personal=_own_words(by_status),
        held=_held(session, campaign_id, by_status),
    )


def _periods(
    session: Session, campaign_id: int, now: datetime
) -> tuple[Funnel, list[Period], list[Period]]:
    # A row per hour and step of the campaign (two weeks: a few thousand), read through
    # the connection: plain tuples, without the ORM's row machinery.
    rows = session.connection().execute(
        sa_select(col(LetterHour.hour), col(LetterHour.step), func.sum(LetterHour.letters))
        .where(col(LetterHour.campaign_id) == campaign_id)
        .group_by(col(LetterHour.hour), col(LetterHour.step))
    )
    totals: defaultdict[str, int] = defaultdict(int)
    by_hour: defaultdict[datetime, dict[str, int]] = defaultdict(dict)
    by_day: defaultdict[date, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for hour, step, sum_ in rows:
        moment = hour if hour.tzinfo else hour.replace(tzinfo=UTC)
        letters = int(sum_)
        totals[step] += letters
        by_hour[moment][step] = letters
        by_day[moment.date()][step] += letters
    last = hour_of(now)
    hours = [
        Period(start=start, **by_hour.get(start, {}))
        for start in (last - timedelta(hours=n) for n in reversed(range(HOURS_SHOWN)))
    ]
    days = [Period(start=day, **by_day[day]) for day in sorted(by_day)]
    funnel = Funnel(**{step: totals[step] for step in FUNNEL})
    return funnel, hours, days


def _per_representative(campaign_id: int) -> Any:
    """Letters per representative in one row each: those that count, delivered, bounced."""
    status = col(LetterTally.status)
    letters = col(LetterTally.letters)
    return (
        sa_select(
            col(LetterTally.representative_id).label("rep"),
            func.sum(case((status.in_(COUNTED), letters), else_=0)).label("counted"),
            func.sum(case((status == "delivered", letters), else_=0)).label("delivered"),
            func.sum(case((status == "bounced", letters), else_=0)).label("bounced"),
        )
        .where(col(LetterTally.campaign_id) == campaign_id)
        .group_by(col(LetterTally.representative_id))
        .subquery()
    )


def _groups(
    session: Session, campaign_id: int
) -> tuple[dict[str, GroupCount], dict[str, GroupCount], dict[str, GroupCount]]:
    nation = case(
        (col(Representative.chamber_id) == "uk-commons", col(Constituency.region)),
        (col(Representative.constituency_id).startswith(ABROAD_PREFIX), ABROAD),
        else_=FRANCE,
    )
    # Grouped by the database: the counters summed per representative first (one key to
    # hash per counter row), then a row per (chamber, nation, party), not per
    # representative: summing 1,227 rows in Python cost more than the query.
    per_rep = _per_representative(campaign_id)
    chamber, party = col(Representative.chamber_id), col(Representative.party)
    rows = session.execute(
        sa_select(
            chamber,
            nation,
            party,
            func.sum(per_rep.c.counted),
            func.sum(per_rep.c.delivered),
            func.sum(per_rep.c.bounced),
        )
        .select_from(per_rep)
        .join(Representative, col(Representative.id) == per_rep.c.rep)
        .join(Constituency, col(Constituency.id) == Representative.constituency_id)
        .group_by(chamber, nation, party)
    ).all()
    sums: tuple[dict[str, list[int]], ...] = ({}, {}, {})
    for chamber_id, place, party_name, counted, delivered, bounced in rows:
        for found, key in zip(sums, (chamber_id, place, party_name), strict=True):
            total = found.setdefault(str(key), [0, 0, 0])
            total[0] += int(counted or 0)
            total[1] += int(delivered or 0)
            total[2] += int(bounced or 0)
    chambers, nations, parties = (
        {key: GroupCount(letters=n, delivered=d, bounced=b) for key, (n, d, b) in found.items()}
        for found in sums
    )
    return (
        dict(sorted(chambers.items())),
        dict(sorted(nations.items())),
        dict(sorted(parties.items(), key=lambda item: (-item[1].letters, item[0]))),
    )


def _own_words(by_status: dict[tuple[str, str], int]) -> OwnWords:
    result = OwnWords()
    for (status, hold), letters in by_status.items():
        if status not in COUNTED:
            continue
        result.letters += letters
        if hold not in NOT_OWN_WORDS:
            result.own_words += letters
        if hold == "similar":
            result.copies += letters
    result.share = result.own_words / result.letters if result.letters else None
    return result


def _held(session: Session, campaign_id: int, by_status: dict[tuple[str, str], int]) -> HeldWaiting:
    waiting = sum(n for (s, h), n in by_status.items() if s == "held" and h != RETURNED)
    returned = by_status.get(("held", RETURNED), 0)
    oldest = None
    if waiting:  # the oldest letter still held: walks the (status, created_at) index
        oldest = session.exec(
            select(_letter.c.created_at)
            .where(
                _letter.c.status == "held",
                _letter.c.campaign_id == campaign_id,
                func.coalesce(_letter.c.hold_reason, "") != RETURNED,
            )
            .order_by(_letter.c.created_at)
            .limit(1)
        ).first()
        if isinstance(oldest, str):
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
    return HeldWaiting(letters=waiting, returned=returned, oldest_since=oldest)


def _failed(session: Session, campaign_id: int) -> int:
    return int(
        session.exec(
            select(func.count()).where(
                OutboxMessage.campaign_id == campaign_id,
                OutboxMessage.state == OutboxState.failed,
                OutboxMessage.kind == MessageKind.letter,
            )
        ).one()
    )


def stepped_goal(letters: int, goal: int) -> int:
    """The goal the public page shows: the campaign's own until it is reached, then the next
    step of 1,000 → 2,500 → 5,000 → 10,000 → 25,000 ... above the letters so far."""
    if letters < goal:
        return goal
    step = 1_000
    while True:
        for multiple in (1, 2.5, 5):
            target = int(step * multiple)
            if target > letters and target >= goal:
                return target
        step *= 10
