"""The rollups recomputed from the rows they count, by plain GROUP BY queries over letters,
their history, the outbox and the provider's events: the migration's backfill, `repmail db
rebuild-stats` after anything wrote around the listeners, and the yardstick the tests and
bench/stats.py hold the counters against. Never on a request's path."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, column, delete, func, literal, or_, select, table
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.stats.counting import (
    DOMAIN_TABLE,
    FUNNEL,
    HOUR_TABLE,
    QUEUE_TABLE,
    SUBMITTED,
    TALLY_TABLE,
    Deltas,
    write,
)

# The tables of the domains above this one, named rather than imported (letters and
# tracking count through this package, so it may not import them).
L = table(
    "letter",
    column("id"),
    column("campaign_id"),
    column("representative_id"),
    column("status"),
    column("hold_reason"),
    column("created_at"),
)
E = table(
    "letter_event", column("letter_id"), column("at"), column("from_status"), column("to_status")
)
P = table(
    "provider_event",
    column("outbox_id"),
    column("event"),
    column("bounce_type"),
    column("occurred_at"),
)
O = OutboxMessage.__table__  # type: ignore[attr-defined]  # noqa: E741
STEPS = FUNNEL[1:]


def _hour(session: Session, column: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H:00:00", column)


def _seconds(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return func.greatest(0.0, func.extract("epoch", later - earlier))
    return func.max(0.0, (func.julianday(later) - func.julianday(earlier)) * 86400.0)


def as_hour(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def direct_tally(
    session: Session, campaign_id: int | None = None
) -> Counter[tuple[int, str, str, str]]:
    hold = func.coalesce(L.c.hold_reason, "")
    query = select(L.c.campaign_id, L.c.representative_id, L.c.status, hold, func.count()).group_by(
        L.c.campaign_id, L.c.representative_id, L.c.status, hold
    )
    if campaign_id is not None:
        query = query.where(L.c.campaign_id == campaign_id)
    return Counter({(c, r, s, h): n for c, r, s, h, n in session.execute(query)})


def direct_hours(
    session: Session, campaign_id: int | None = None
) -> Counter[tuple[int, datetime, str]]:
    """Letters reaching each step, in the hour they first reached it."""
    found: Counter[tuple[int, datetime, str]] = Counter()
    created = _hour(session, L.c.created_at)
    submitted = select(L.c.campaign_id, created, func.count()).group_by(L.c.campaign_id, created)
    if campaign_id is not None:
        submitted = submitted.where(L.c.campaign_id == campaign_id)
    for c, h, n in session.execute(submitted):
        found[(c, as_hour(h), SUBMITTED)] += n
    first = (
        select(
            E.c.letter_id,
            E.c.to_status.label("step"),
            func.min(E.c.at).label("at"),
        )
        .where(
            E.c.to_status.in_(STEPS),
            or_(E.c.from_status.is_(None), E.c.from_status != E.c.to_status),
        )
        .group_by(E.c.letter_id, E.c.to_status)
        .subquery()
    )
    hour = _hour(session, first.c.at)
    reached = (
        select(L.c.campaign_id, hour, first.c.step, func.count())
        .join(L, L.c.id == first.c.letter_id)
        .group_by(L.c.campaign_id, hour, first.c.step)
    )
    if campaign_id is not None:
        reached = reached.where(L.c.campaign_id == campaign_id)
    for c, h, step, n in session.execute(reached):
        found[(c, as_hour(h), step)] += n
    return found


DomainFigures = dict[tuple[str, datetime, str], tuple[int, int, float]]


def direct_domains(session: Session, since: datetime | None = None) -> DomainFigures:
    """(domain, hour, event) -> (events, timed, seconds), as DomainHour keeps them."""
    found: DomainFigures = {}
    sent_hour = _hour(session, O.c.sent_at)
    sent = (
        select(O.c.to_domain, sent_hour, func.count())
        .where(O.c.kind == MessageKind.letter.value, O.c.sent_at.is_not(None))
        .group_by(O.c.to_domain, sent_hour)
    )
    if since is not None:
        sent = sent.where(O.c.sent_at >= since)
    for d, h, n in session.execute(sent):
        found[(d, as_hour(h), "sent")] = (n, 0, 0.0)
    domain = case((P.c.outbox_id.is_(None), literal("")), else_=O.c.to_domain)
    name = case(
        ((P.c.event == "bounce") & (P.c.bounce_type == "blocked"), literal("blocked")),
        else_=P.c.event,
    )
    hour = _hour(session, P.c.occurred_at)
    timed = (P.c.event == "delivered") & O.c.sent_at.is_not(None)
    events = (
        select(
            domain,
            hour,
            name,
            func.count(),
            func.sum(case((timed, 1), else_=0)),
            func.sum(case((timed, _seconds(session, P.c.occurred_at, O.c.sent_at)), else_=0.0)),
        )
        .select_from(P.outerjoin(O, O.c.id == P.c.outbox_id))
        .where(or_(P.c.outbox_id.is_(None), O.c.kind == MessageKind.letter.value))
        .group_by(domain, hour, name)
    )
    if since is not None:
        events = events.where(P.c.occurred_at >= since)
    for d, h, e, n, t, s in session.execute(events):
        if d is not None:
            found[(d, as_hour(h), e)] = (n, int(t or 0), float(s or 0.0))
    return found


def direct_queue(session: Session, campaign_id: int | None = None) -> Counter[tuple[int, str]]:
    """Letters queued per campaign and representative (delivery.queue_news.counted)."""
    query = (
        select(O.c.campaign_id, O.c.pace_key, func.count())
        .where(
            O.c.state == OutboxState.queued.value,
            O.c.kind == MessageKind.letter.value,
            O.c.campaign_id.is_not(None),
            O.c.pace_key.is_not(None),
        )
        .group_by(O.c.campaign_id, O.c.pace_key)
    )
    if campaign_id is not None:
        query = query.where(O.c.campaign_id == campaign_id)
    return Counter({(c, r): n for c, r, n in session.execute(query)})


def rebuild(session: Session) -> None:
    """Replace every rollup with what the rows say, in the caller's transaction."""
    rebuild_rollups(session)
    rebuild_queue(session)


def rebuild_queue(session: Session) -> None:
    """The queued letters' counts (stats_queued_letters) from the outbox."""
    session.execute(delete(QUEUE_TABLE))
    deltas = Deltas()
    deltas.queue.update(direct_queue(session))
    write(session, deltas)


def rebuild_rollups(session: Session) -> None:
    """The letters' and the receiving domains' rollups (those of revision 27b62708a9ab)."""
    for rollup in (TALLY_TABLE, HOUR_TABLE, DOMAIN_TABLE):
        session.execute(delete(rollup))
    deltas = Deltas()
    deltas.tally.update(direct_tally(session))
    for (campaign_id, hour, step), letters in direct_hours(session).items():
        deltas.hours[(campaign_id, hour, step, 0)] = letters
    for (domain, at, name), (events, timed, seconds) in direct_domains(session).items():
        deltas.domains[(domain, at, name, 0)] = events
        deltas.timed[(domain, at, name, 0)] = timed
        deltas.seconds[(domain, at, name, 0)] = seconds
    write(session, deltas)
