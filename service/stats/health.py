"""Delivery health per receiving domain, read from the hourly rollup: the last 24 hours
against this hour, the two parliaments first."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from service.stats.counting import hour_of
from service.stats.models import DomainHour
from service.stats.schemas import DeliveryHealth, DomainHealth, WindowHealth

# The receiving domains of the House of Commons and the Assemblée nationale.
PARLIAMENTS = ("parliament.uk", "assemblee-nationale.fr")
UNMATCHED = ""
_FIELDS = {
    "sent": "sent",
    "delivered": "delivered",
    "deferred": "deferred",
    "bounce": "bounced",
    "blocked": "blocked",
    "dropped": "dropped",
    "spamreport": "spam_reports",
}

WindowSums = dict[str, tuple[int, int, float]]  # event -> (events, timed, seconds)


def window(sums: WindowSums) -> WindowHealth:
    health = WindowHealth()
    for event, (events, _timed, _seconds) in sums.items():
        name = _FIELDS.get(event)
        if name is not None:
            setattr(health, name, getattr(health, name) + events)
    if health.sent:
        health.accepted_rate = health.delivered / health.sent
        health.deferred_rate = health.deferred / health.sent
        health.bounced_rate = health.bounced / health.sent
        health.blocked_rate = health.blocked / health.sent
    delivered = sums.get("delivered")
    if delivered and delivered[1]:
        health.seconds_to_delivered = delivered[2] / delivered[1]
    return health


def delivery_health(session: Session, now: datetime) -> DeliveryHealth:
    this_hour = hour_of(now)
    since = this_hour - timedelta(hours=23)
    rows = session.execute(
        sa_select(
            col(DomainHour.domain),
            col(DomainHour.hour),
            col(DomainHour.event),
            func.sum(DomainHour.events),
            func.sum(DomainHour.timed),
            func.sum(DomainHour.seconds),
        )
        .where(col(DomainHour.hour) >= since, col(DomainHour.domain) != UNMATCHED)
        .group_by(col(DomainHour.domain), col(DomainHour.hour), col(DomainHour.event))
    ).all()
    day: defaultdict[str, WindowSums] = defaultdict(dict)
    hour: defaultdict[str, WindowSums] = defaultdict(dict)
    for domain, at, event, events, timed, seconds in rows:
        moment = at if at.tzinfo else at.replace(tzinfo=UTC)
        for sums, counted in ((day, True), (hour, moment == this_hour)):
            if counted:
                n, t, s = sums[domain].get(event, (0, 0, 0.0))
                sums[domain][event] = (n + int(events), t + int(timed), s + float(seconds))
    domains = [DomainHealth(domain=d, day=window(day[d]), hour=window(hour[d])) for d in day]
    domains.sort(
        key=lambda h: (
            PARLIAMENTS.index(h.domain) if h.domain in PARLIAMENTS else len(PARLIAMENTS),
            -h.day.sent,
            h.domain,
        )
    )
    return DeliveryHealth(
        since=since,
        domains=domains,
        spam_reports=_total(session, col(DomainHour.event) == "spamreport"),
        unmatched_events=_total(session, col(DomainHour.domain) == UNMATCHED),
    )


def _total(session: Session, condition: object) -> int:
    total = session.exec(select(func.sum(DomainHour.events)).where(condition)).one()  # type: ignore[arg-type]
    return int(total or 0)
