"""Pacing: when the next letter to one representative may go. Pure and deterministic: the
times already booked for that representative and a Policy in, a send time out.

The rules, for one representative:
- consecutive letters are at least 3600 / per_hour seconds apart (spread evenly, never a
  burst at the top of the hour);
- with office hours, only inside them (by default Monday to Friday), in the chamber's
  timezone, so DST moves the window in UTC and not on the office's clock;
- never more than `daily_ceiling` letters in any 24 hours, whatever the pace says.

A slot always goes after the last booked one (first come, first sent); a cancelled letter
leaves a gap rather than letting a later one jump the queue. All times are aware; results
are in UTC.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY = timedelta(hours=24)
WORKING_WEEK = frozenset(range(5))  # Monday = 0


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """Letters go only from `start` to `end` (local clock) on `weekdays`."""

    start: time
    end: time
    weekdays: frozenset[int] = WORKING_WEEK

    def __post_init__(self) -> None:
        if self.end != time(0) and self.end <= self.start:
            raise ValueError("office hours must end after they start")
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError("office hours need at least one weekday (0 = Monday ... 6)")

    @classmethod
    def hours(cls, start: int, end: int) -> OfficeHours:
        """From whole hours, 0-24 (24 is midnight at the end of the day)."""
        return cls(time(start), time(0) if end == 24 else time(end))

    @property
    def hours_per_day(self) -> float:
        end = 24.0 if self.end == time(0) else self.end.hour + self.end.minute / 60
        return end - (self.start.hour + self.start.minute / 60)


@dataclass(frozen=True, slots=True)
class Policy:
    per_hour: float  # letters per hour to one representative
    daily_ceiling: int  # at most this many in any 24 hours
    timezone: str = "UTC"  # the chamber's, for office hours
    office_hours: OfficeHours | None = None

    def __post_init__(self) -> None:
        if self.per_hour <= 0 or self.daily_ceiling < 1:
            raise ValueError("a pace needs per_hour > 0 and daily_ceiling >= 1")

    @property
    def spacing(self) -> timedelta:
        """Whole seconds, rounded up: never faster than per_hour."""
        return timedelta(seconds=math.ceil(3600 / self.per_hour))

    @property
    def hours_per_day(self) -> float:
        return self.office_hours.hours_per_day if self.office_hours else 24.0

    @property
    def max_pace(self) -> float:
        """The fastest pace worth raising to: the daily ceiling spread over a day's sending
        hours (a faster pace only reaches the ceiling sooner), or the configured pace."""
        return max(self.per_hour, self.daily_ceiling / self.hours_per_day)

    def at(self, per_hour: float) -> Policy:
        return replace(self, per_hour=per_hour)


def open_at(moment: datetime, policy: Policy) -> datetime:
    """The earliest moment at or after `moment` when letters may go."""
    moment = moment.astimezone(UTC)
    hours = policy.office_hours
    if hours is None:
        return moment
    zone = ZoneInfo(policy.timezone)
    day = moment.astimezone(zone).date()
    for _ in range(8):
        if day.weekday() in hours.weekdays:
            start = _local(day, hours.start, zone)
            end = _local(day + timedelta(days=1), time(0), zone)
            if hours.end != time(0):
                end = _local(day, hours.end, zone)
            if moment < end:
                return max(moment, start)
        day += timedelta(days=1)
    raise AssertionError("office hours with no weekday")  # refused by OfficeHours


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    # A wall time that does not exist (the spring-forward gap) maps to just after it.
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def next_slot(booked: Sequence[datetime], policy: Policy, *, after: datetime) -> datetime:
    """The send time of one more letter: at or after `after`, `spacing` after the last
    booked time, inside the window, and with fewer than `daily_ceiling` booked times in the
    24 hours up to it. `booked` is sorted (past sends and planned slots alike)."""
    slot = after if not booked else max(after, booked[-1] + policy.spacing)
    ceiling = policy.daily_ceiling
    while True:
        slot = open_at(slot, policy)
        within = len(booked) - bisect_right(booked, slot - DAY)
        if within < ceiling:
            return slot
        # The oldest of the last `ceiling` times must leave the 24-hour window first.
        slot = booked[-ceiling] + DAY


def plan(
    count: int, booked: Sequence[datetime], policy: Policy, *, after: datetime
) -> list[datetime]:
    """Send times for `count` more letters, in order."""
    times = sorted(booked)
    slots: list[datetime] = []
    for _ in range(count):
        slot = next_slot(times, policy, after=after)
        times.append(slot)
        slots.append(slot)
    return slots


def fits(
    count: int, booked: Sequence[datetime], policy: Policy, *, after: datetime, deadline: datetime
) -> bool:
    slots = plan(count, booked, policy, after=after)
    return not slots or slots[-1] < deadline


def required_pace(
    count: int, booked: Sequence[datetime], policy: Policy, *, after: datetime, deadline: datetime
) -> float | None:
    """The slowest pace from policy.per_hour up to policy.max_pace (to 0.1 letter an hour)
    at which `count` more letters are all planned before `deadline`; None when even
    max_pace cannot do it."""
    if fits(count, booked, policy, after=after, deadline=deadline):
        return policy.per_hour
    top = policy.max_pace
    if top <= policy.per_hour or not fits(
        count, booked, policy.at(top), after=after, deadline=deadline
    ):
        return None
    low, high = policy.per_hour, top  # low does not fit, high does
    while high - low > 0.05:
        middle = (low + high) / 2
        if fits(count, booked, policy.at(middle), after=after, deadline=deadline):
            high = middle
        else:
            low = middle
    rounded = min(top, math.ceil(high * 10) / 10)
    return (
        rounded if fits(count, booked, policy.at(rounded), after=after, deadline=deadline) else high
    )


def capacity(policy: Policy, *, after: datetime, deadline: datetime) -> int:
    """About how many letters one recipient can still be sent from `after` to `deadline` at
    this policy: the open hours of each local day times the pace, at most the daily ceiling
    a day. An estimate for the control room (plan() books the real slots)."""
    if deadline <= after:
        return 0
    zone = ZoneInfo(policy.timezone)
    hours = policy.office_hours
    total = 0
    day = after.astimezone(zone).date()
    last = deadline.astimezone(zone).date()
    while day <= last:
        start, end = _local(day, time(0), zone), _local(day + timedelta(days=1), time(0), zone)
        if hours is not None:
            if day.weekday() not in hours.weekdays:
                day += timedelta(days=1)
                continue
            start = _local(day, hours.start, zone)
            if hours.end != time(0):
                end = _local(day, hours.end, zone)
        seconds = (min(end, deadline) - max(start, after)).total_seconds()
        if seconds > 0:
            total += min(math.floor(seconds / 3600 * policy.per_hour), policy.daily_ceiling)
        day += timedelta(days=1)
    return total
