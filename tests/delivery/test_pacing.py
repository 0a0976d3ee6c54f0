"""The pacing rules, one at a time, with frozen times: spacing, office hours in the
chamber's timezone (across DST changes), the 24-hour ceiling, and the pace needed to make
a deadline."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.delivery.pacing import (
    OfficeHours,
    Policy,
    next_slot,
    open_at,
    plan,
    required_pace,
)

LONDON = ZoneInfo("Europe/London")
PARIS = ZoneInfo("Europe/Paris")
# Friday 27 November 2026, 12:00 UTC (13:00 in Paris, 12:00 in London).
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def office(zone: str, per_hour: float = 30, ceiling: int = 120) -> Policy:
    return Policy(per_hour, ceiling, zone, OfficeHours.hours(9, 18))


def anytime(per_hour: float = 30, ceiling: int = 120) -> Policy:
    return Policy(per_hour, ceiling, "Europe/London")


def local(zone: ZoneInfo, *args: int) -> datetime:
    year, month, day, hour, minute = args
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def test_letters_are_spread_evenly_at_the_hourly_pace() -> None:
    slots = plan(4, [], anytime(30), after=NOW)
    assert slots == [NOW, NOW + 2 * MINUTE, NOW + 4 * MINUTE, NOW + 6 * MINUTE]
    assert plan(3, [], anytime(12), after=NOW)[-1] == NOW + 10 * MINUTE


def test_a_new_slot_follows_the_last_booked_one_never_before_now() -> None:
    policy = anytime(30)
    assert next_slot([NOW + 30 * MINUTE], policy, after=NOW) == NOW + 32 * MINUTE
    assert next_slot([NOW - 5 * MINUTE], policy, after=NOW) == NOW  # long enough ago
    assert next_slot([NOW - MINUTE], policy, after=NOW) == NOW + MINUTE  # too recent


def test_outside_office_hours_the_slot_waits_for_the_next_opening() -> None:
    policy = office("Europe/London")
    early = local(LONDON, 2026, 11, 30, 7, 15)  # Monday, before nine
    assert open_at(early, policy) == local(LONDON, 2026, 11, 30, 9, 0)
    inside = local(LONDON, 2026, 11, 30, 11, 0)
    assert open_at(inside, policy) == inside
    evening = local(LONDON, 2026, 11, 30, 18, 0)  # the end is exclusive
    assert open_at(evening, policy) == local(LONDON, 2026, 12, 1, 9, 0)


def test_friday_evening_and_the_weekend_wait_for_monday_morning() -> None:
    policy = office("Europe/Paris")
    last = local(PARIS, 2026, 11, 27, 17, 59)  # Friday
    assert next_slot([last], policy, after=last) == local(PARIS, 2026, 11, 30, 9, 0)
    saturday = local(PARIS, 2026, 11, 28, 10, 0)
    assert open_at(saturday, policy) == local(PARIS, 2026, 11, 30, 9, 0)


def test_office_hours_follow_the_chambers_clock_across_the_spring_dst_change() -> None:
    # Paris moves to CEST on Sunday 28 March 2027: 09:00 is 08:00 UTC on Friday and 07:00
    # UTC on Monday.
    policy = office("Europe/Paris")
    friday = datetime(2027, 3, 26, 16, 59, tzinfo=UTC)  # 17:59 CET
    monday = next_slot([friday], policy, after=friday)
    assert monday == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert monday.astimezone(PARIS).hour == 9
    # London moves the same night (GMT -> BST): 09:00 is 09:00 UTC, then 08:00 UTC.
    london = office("Europe/London")
    assert open_at(datetime(2027, 3, 26, 18, 30, tzinfo=UTC), london) == datetime(
        2027, 3, 29, 8, 0, tzinfo=UTC
    )


def test_office_hours_follow_the_chambers_clock_across_the_autumn_dst_change() -> None:
    # Back to CET on Sunday 25 October 2026: Monday's 09:00 in Paris is 08:00 UTC.
    policy = office("Europe/Paris")
    friday = datetime(2026, 10, 23, 15, 59, tzinfo=UTC)  # 17:59 CEST
    assert next_slot([friday], policy, after=friday) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    # The window is nine hours of the office's clock on both sides of the change.
    before = plan(700, [], office("Europe/Paris", per_hour=60, ceiling=10_000), after=friday)
    mondays = [s for s in before if s.astimezone(PARIS).date().isoformat() == "2026-10-26"]
    assert mondays[0].astimezone(PARIS).time() == time(9, 0)
    assert mondays[-1].astimezone(PARIS).time() == time(17, 59)


def test_round_the_clock_spacing_is_exact_in_real_time_over_a_dst_night() -> None:
    # 02:00 CET becomes 03:00 CEST on 28 March 2027; the letters stay two minutes apart.
    start = datetime(2027, 3, 28, 0, 50, tzinfo=UTC)
    slots = plan(20, [], Policy(30, 1_000, "Europe/Paris"), after=start)
    gaps = {later - earlier for earlier, later in zip(slots, slots[1:], strict=False)}
    assert gaps == {2 * MINUTE}
    assert slots[4].astimezone(PARIS).hour == 1 and slots[5].astimezone(PARIS).hour == 3


def test_a_spring_forward_gap_inside_office_hours_opens_just_after_it() -> None:
    night = Policy(30, 120, "Europe/Paris", OfficeHours(time(2, 30), time(6, 0)))
    sunday = datetime(2027, 3, 27, 23, 0, tzinfo=UTC)
    everyday = Policy(
        30, 120, "Europe/Paris", OfficeHours(time(2, 30), time(6, 0), frozenset(range(7)))
    )
    assert open_at(sunday, everyday) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert open_at(sunday, night) == datetime(2027, 3, 29, 0, 30, tzinfo=UTC)  # Monday


def test_never_more_than_the_ceiling_in_24_hours_whatever_the_pace() -> None:
    policy = anytime(per_hour=600, ceiling=120)  # a careless setting: one every 6 seconds
    slots = plan(250, [], policy, after=NOW)
    assert slots[119] == NOW + 119 * timedelta(seconds=6)
    assert slots[120] == NOW + timedelta(hours=24)
    assert slots[240] == NOW + timedelta(hours=48)
    for slot in slots:
        assert sum(1 for s in slots if slot - timedelta(hours=24) < s <= slot) <= 120


def test_the_ceiling_counts_letters_already_sent() -> None:
    sent = [NOW - timedelta(hours=20) + n * timedelta(seconds=30) for n in range(120)]
    assert next_slot(sent, anytime(), after=NOW) == sent[0] + timedelta(hours=24)
    assert next_slot(sent[1:], anytime(), after=NOW) == NOW


def test_the_ceiling_within_office_hours_carries_over_to_the_next_working_day() -> None:
    monday = local(LONDON, 2026, 11, 30, 9, 0)
    slots = plan(130, [], office("Europe/London", per_hour=30, ceiling=120), after=monday)
    assert slots[119] == monday + 119 * 2 * MINUTE  # 12:58
    assert slots[120] == local(LONDON, 2026, 12, 1, 9, 0)


def test_office_hours_that_end_at_midnight() -> None:
    policy = Policy(30, 120, "Europe/Paris", OfficeHours.hours(20, 24))
    late = local(PARIS, 2026, 11, 30, 23, 59)
    assert open_at(late, policy) == late
    assert next_slot([late], policy, after=late) == local(PARIS, 2026, 12, 1, 20, 0)
    assert policy.hours_per_day == 4


def test_the_same_inputs_always_give_the_same_plan() -> None:
    policy = office("Europe/Paris", per_hour=17)
    assert plan(300, [NOW], policy, after=NOW) == plan(300, [NOW], policy, after=NOW)


def test_the_pace_is_raised_just_enough_to_make_the_deadline() -> None:
    monday = local(PARIS, 2026, 11, 30, 9, 0)
    policy = office("Europe/Paris", per_hour=10, ceiling=120)  # 90 a day at this pace
    deadline = local(PARIS, 2026, 12, 1, 18, 0)  # two office days: 18 hours
    assert required_pace(150, [], policy, after=monday, deadline=deadline) == 10
    pace = required_pace(200, [], policy, after=monday, deadline=deadline)
    assert pace is not None and 11 < pace <= 11.2
    assert plan(200, [], policy.at(pace), after=monday)[-1] < deadline
    assert plan(200, [], policy.at(pace - 0.1), after=monday)[-1] >= deadline


def test_no_pace_can_beat_the_ceiling() -> None:
    monday = local(PARIS, 2026, 11, 30, 9, 0)
    policy = office("Europe/Paris", per_hour=10, ceiling=120)
    assert policy.max_pace == pytest.approx(120 / 9)
    deadline = local(PARIS, 2026, 12, 1, 18, 0)
    assert required_pace(241, [], policy, after=monday, deadline=deadline) is None
    # Round the clock at 30 an hour the ceiling binds already: nothing to raise.
    assert anytime(30).max_pace == 30
    assert (
        required_pace(121, [], anytime(30), after=NOW, deadline=NOW + timedelta(hours=23)) is None
    )


def test_invalid_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="end after"):
        OfficeHours.hours(18, 9)
    with pytest.raises(ValueError, match="weekday"):
        OfficeHours(time(9), time(18), frozenset())
    with pytest.raises(ValueError, match="per_hour"):
        Policy(0, 120)
