"""What a claim checks besides "due": letters in flight per receiving domain (across all
workers), and the daily ceiling per representative as a backstop to the planned slots (a
letter retried or held up by a pause may otherwise land on a day that is already full).

Mail to supporters has no such limits: it is never paced behind letters."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, not_
from sqlmodel import Session, col, select

from service.delivery.models import OutboxMessage, note
from service.delivery.pacing import DAY
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState

log = logging.getLogger("repmail.delivery.worker")
S = OutboxState
# PostgreSQL advisory lock taken by claims that count letters in flight, so that two
# workers cannot both see room for the same last place (any constant; "rmdomain").
CLAIM_LOCK = 0x726D646F6D61696E
# Rows that were handed to the provider (or are being): what the ceiling counts.
SENT_OR_SENDING = (S.sending, S.sent, S.delivered, S.deferred, S.bounced, S.dropped)


def domain_room(session: Session, limit: int) -> defaultdict[str, int]:
    """How many more letters may be in flight to each receiving domain."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))
    in_flight = session.exec(
        select(OutboxMessage.to_domain, func.count())
        .where(
            OutboxMessage.state == S.sending,
            OutboxMessage.kind == MessageKind.letter,
            col(OutboxMessage.lease_owner).is_not(None),
        )
        .group_by(col(OutboxMessage.to_domain))
    ).all()
    room: defaultdict[str, int] = defaultdict(lambda: limit)
    for domain, count in in_flight:
        room[domain] = limit - int(count)
    return room


def not_full(room: defaultdict[str, int]) -> ColumnElement[bool]:
    """Not a letter to a domain with no room left."""
    full = sorted(domain for domain, left in room.items() if left <= 0)
    return not_(
        and_(
            col(OutboxMessage.kind) == MessageKind.letter,
            col(OutboxMessage.to_domain).in_(full),
        )
    )


def within(
    session: Session,
    rows: Sequence[OutboxMessage],
    room: defaultdict[str, int] | None,
    ceiling: int | None,
    *,
    now: datetime,
    actor: str,
) -> list[OutboxMessage]:
    """The rows a claim may take, in order. A letter over its domain's room stays queued
    for the next claim; one over its representative's ceiling is deferred until the 24-hour
    window has room (and the deferral noted in its event log)."""
    sent = _sent_in_a_day(session, rows, now) if ceiling else Counter[str]()
    kept = []
    for row in rows:
        if row.kind != MessageKind.letter:
            kept.append(row)
            continue
        if room is not None and room[row.to_domain] <= 0:
            continue
        if ceiling and row.pace_key:
            if sent[row.pace_key] >= ceiling:
                _defer(session, row, ceiling, now=now, actor=actor)
                continue
            sent[row.pace_key] += 1
        if room is not None:
            room[row.to_domain] -= 1
        kept.append(row)
    return kept


def _sent_in_a_day(session: Session, rows: Sequence[OutboxMessage], now: datetime) -> Counter[str]:
    keys = sorted({row.pace_key for row in rows if row.pace_key})
    if not keys:
        return Counter()
    at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.updated_at)
    counts = session.exec(
        select(OutboxMessage.pace_key, func.count())
        .where(
            col(OutboxMessage.pace_key).in_(keys),
            col(OutboxMessage.state).in_(SENT_OR_SENDING),
            at > now - DAY,
        )
        .group_by(col(OutboxMessage.pace_key))
    ).all()
    return Counter({str(key): int(count) for key, count in counts})


def _defer(
    session: Session, row: OutboxMessage, ceiling: int, *, now: datetime, actor: str
) -> None:
    at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.updated_at)
    recent = session.exec(
        select(at)
        .where(
            OutboxMessage.pace_key == row.pace_key,
            col(OutboxMessage.state).in_(SENT_OR_SENDING),
            at > now - DAY,
        )
        .order_by(at.desc())
        .limit(ceiling)
    ).all()
    oldest = min((moment for moment in recent if moment is not None), default=now)
    row.next_attempt_at = max(now, oldest + DAY)
    note(
        session,
        row,
        now=now,
        actor=actor,
        detail=f"daily ceiling of {ceiling} reached; deferred to "
        f"{row.next_attempt_at:%Y-%m-%d %H:%M} UTC",
    )
    log.warning("letter deferred: daily ceiling", extra={"outbox_id": row.id})
