"""Booking send times for paced letters: the database side of pacing.py.

A letter to a representative gets its slot (its outbox row's not_before) when it is queued,
from the times already booked for that representative. The representative's DeliveryPace
row is locked first (SELECT ... FOR UPDATE on PostgreSQL, the single write lock on SQLite),
so two confirmations at once never read the same schedule and book the same slot.

When the next slot would miss the deadline, the pace is raised just enough (up to the
daily ceiling) and the representative's queued letters are given new, earlier slots; staff
see it in the log and in `repmail delivery plan`. None of these commits."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from service.db import lock_for_write
from service.delivery.models import DeliveryPace, OutboxMessage
from service.delivery.pacing import DAY, Policy, next_slot, plan, required_pace
from service.delivery.states import OutboxState

log = logging.getLogger("repmail.delivery.pacing")
S = OutboxState
# States whose row holds (or held) a slot: it will be, is being, or was sent.
BOOKED = frozenset({S.queued, S.sending, S.sent, S.delivered, S.deferred, S.bounced, S.dropped})
# A raised pace gets this much to spare, so the next letters do not each re-slot the queue.
HEADROOM = 1.1


@dataclass(frozen=True, slots=True)
class Pacing:
    """How one letter is paced: whose schedule it joins, the rules, and the time every
    slot should come before (the campaign's deadline less the margin)."""

    key: str  # the representative's id
    policy: Policy
    deadline: datetime


@dataclass(frozen=True, slots=True)
class Slotted:
    """A representative's queue after (re)planning."""

    key: str
    queued: int
    per_hour: float  # the pace in force
    raised: bool
    last_slot: datetime | None
    late: int  # queued letters whose slot is not before the deadline


def book(session: Session, pacing: Pacing, now: datetime) -> datetime:
    """The slot for one more letter to `pacing.key`, raising the pace (and moving the queued
    letters earlier) when the pace in force would miss the deadline."""
    pace = lock_pace(session, pacing.key, now)
    in_force = pacing.policy.at(max(pacing.policy.per_hour, pace.raised_per_hour or 0))
    booked = booked_times(session, pacing.key, now)
    slot = next_slot(booked, in_force, after=now)
    if slot < pacing.deadline:
        return slot
    before = booked[-1] if booked else None  # the slot this letter comes after
    if in_force.per_hour < in_force.max_pace:
        result, slots = _reslot(session, pace, pacing, now, floor=in_force.per_hour, extra=1)
        slot = slots[-1]
        before = slots[-2] if len(slots) > 1 else None
        if result.per_hour > in_force.per_hour:
            log.warning(
                "pace raised to make the deadline",
                extra={
                    "pace_key": pacing.key,
                    "from_per_hour": round(in_force.per_hour, 1),
                    "to_per_hour": round(result.per_hour, 1),
                    "queued": result.queued,
                },
            )
    if slot >= pacing.deadline:
        # Said once per representative, at the first letter that misses: every later one
        # misses too, and a line for each would bury the news.
        first = before is None or before < pacing.deadline
        log.log(
            logging.WARNING if first else logging.DEBUG,
            "deadline out of reach even at the daily ceiling",
            extra={"pace_key": pacing.key, "ceiling": pacing.policy.daily_ceiling},
        )
    return slot


def replan(session: Session, pacing: Pacing, now: datetime) -> Slotted:
    """Give every queued letter to `pacing.key` a new slot from now, at the configured pace
    or, if that misses the deadline, at the slowest pace that makes it (up to the ceiling).
    For an organiser's change of settings, and after a pause or an outage left letters
    overdue (which would otherwise all go at once)."""
    pace = lock_pace(session, pacing.key, now)
    result, _ = _reslot(session, pace, pacing, now, floor=pacing.policy.per_hour, extra=0)
    return result


def lock_pace(session: Session, key: str, now: datetime) -> DeliveryPace:
    """The representative's pace row, created if need be, locked until the commit."""
    lock_for_write(session)
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(DeliveryPace)
        .values(key=key, raised_per_hour=None, updated_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return session.exec(
        select(DeliveryPace)
        .where(DeliveryPace.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def booked_times(
    session: Session, key: str, now: datetime, *, states: frozenset[OutboxState] = BOOKED
) -> list[datetime]:
    """Sorted times of `key`'s rows in `states` from the last 24 hours on (when sent, else
    the slot): what the spacing and the ceiling count."""
    at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.not_before)
    times = session.exec(
        select(at)
        .where(
            OutboxMessage.pace_key == key,
            col(OutboxMessage.state).in_(states),
            at > now - DAY,
        )
        .order_by(at)
    ).all()
    return sorted(_aware(t) for t in times if t is not None)


def _reslot(
    session: Session,
    pace: DeliveryPace,
    pacing: Pacing,
    now: datetime,
    *,
    floor: float,
    extra: int,
) -> tuple[Slotted, list[datetime]]:
    """New slots for the queued rows of `pacing.key` plus `extra` letters still to come, at
    the slowest pace from `floor` that makes the deadline (the ceiling's pace if none does).
    Returns the result and the slots left for the extra letters."""
    rows = list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.pace_key == pacing.key, OutboxMessage.state == S.queued)
            .order_by(
                col(OutboxMessage.not_before), col(OutboxMessage.created_at), col(OutboxMessage.id)
            )
            .with_for_update()
        ).all()
    )
    fixed = booked_times(session, pacing.key, now, states=BOOKED - {S.queued})
    count = len(rows) + extra
    base = pacing.policy.at(floor)
    needed = required_pace(count, fixed, base, after=now, deadline=pacing.deadline)
    per_hour = base.max_pace if needed is None else needed
    if extra and needed is not None and needed > floor:
        per_hour = min(base.max_pace, math.ceil(needed * HEADROOM * 10) / 10)
    slots = plan(count, fixed, base.at(per_hour), after=now)
    for row, slot in zip(rows, slots, strict=False):
        row.not_before = slot
        retrying = row.attempts and row.next_attempt_at and _aware(row.next_attempt_at) > slot
        row.next_attempt_at = row.next_attempt_at if retrying else slot
        row.updated_at = now
        session.add(row)
    raised = per_hour > pacing.policy.per_hour
    pace.raised_per_hour = per_hour if raised else None
    pace.updated_at = now
    session.add(pace)
    late = sum(1 for slot in slots[: len(rows)] if slot >= pacing.deadline)
    result = Slotted(
        key=pacing.key,
        queued=len(rows),
        per_hour=per_hour,
        raised=raised,
        last_slot=slots[len(rows) - 1] if rows else None,
        late=late,
    )
    return result, slots[len(rows) :]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
