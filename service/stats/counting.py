"""Keeping the rollups current, in the transaction that changes what they count.

Letters call letters_changed() directly (this package sits below them); tracking and the
delivery worker, which import no other domain, publish through listeners that app and cli
wire at start-up (DELIVERY); delivery's queue moves (delivery.queue_news) are heard from
import on (_install). Deltas are gathered per transaction and written when it
commits, in one sorted batch of upserts: two transactions then take the counter rows'
locks in the same order and cannot deadlock on them, and a rolled-back transaction (or
savepoint) leaves no trace. Anything that writes around them (a manual UPDATE) makes the
tables drift: `repmail db rebuild-stats` (rebuild.py) recomputes them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction

from service.delivery.models import OutboxMessage
from service.delivery.queue_news import QueueMove, listen_to_queue
from service.delivery.schemas import MessageKind
from service.stats.models import SLOTS, DomainHour, LetterHour, LetterTally, QueuedLetters

TALLY_TABLE = LetterTally.__table__  # type: ignore[attr-defined]
HOUR_TABLE = LetterHour.__table__  # type: ignore[attr-defined]
DOMAIN_TABLE = DomainHour.__table__  # type: ignore[attr-defined]
QUEUE_TABLE = QueuedLetters.__table__  # type: ignore[attr-defined]
SUBMITTED = "submitted"
# The funnel, in order (letters.events decides when a letter first reaches each step).
FUNNEL = (SUBMITTED, "confirmed", "held", "queued", "sent", "delivered")


@dataclass(frozen=True, slots=True)
class LetterChange:
    """One letter leaving (status, hold reason) `before` for `after`: `before` is None for a
    new letter, `after` None for a deleted one. `reached` names the funnel step the letter
    got to for the first time with this change, if any."""

    letter_id: str
    campaign_id: int
    representative_id: str
    at: datetime
    created_at: datetime
    before: tuple[str, str | None] | None
    after: tuple[str, str | None] | None
    reached: str | None = None


class EventNews(Protocol):
    """A provider event seen for the first time (tracking.listeners.EventNews)."""

    @property
    def domain(self) -> str | None: ...
    @property
    def event(self) -> str: ...
    @property
    def bounce_type(self) -> str | None: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def sent_at(self) -> datetime | None: ...


_TALLY = "tally"
_HOUR = "hour"
_DOMAIN = "domain"
_BUFFER = "stats_deltas"


def hour_of(moment: datetime) -> datetime:
    """The UTC hour a moment falls in."""
    return _utc(moment).astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def slot_of(key: str) -> int:
    return int(key[-2:], 16) % SLOTS if key else 0


def blocked_or(event_name: str, bounce_type: str | None) -> str:
    return "blocked" if event_name == "bounce" and bounce_type == "blocked" else event_name


class Deltas:
    """What one transaction adds to each counter."""

    def __init__(self) -> None:
        self.tally: Counter[tuple[int, str, str, str]] = Counter()
        self.hours: Counter[tuple[int, datetime, str, int]] = Counter()
        self.domains: Counter[tuple[str, datetime, str, int]] = Counter()
        self.timed: Counter[tuple[str, datetime, str, int]] = Counter()
        self.seconds: defaultdict[tuple[str, datetime, str, int], float] = defaultdict(float)
        self.queue: Counter[tuple[int, str]] = Counter()

    def merge(self, other: Deltas) -> None:
        self.tally.update(other.tally)
        self.hours.update(other.hours)
        self.domains.update(other.domains)
        self.timed.update(other.timed)
        for key, value in other.seconds.items():
            self.seconds[key] += value
        self.queue.update(other.queue)


def _deltas(session: OrmSession) -> Deltas:
    buffers: dict[SessionTransaction, Deltas] = session.info.setdefault(_BUFFER, {})
    transaction = session.get_nested_transaction() or session.get_transaction()
    assert transaction is not None  # listeners are called from inside a use case
    return buffers.setdefault(transaction, Deltas())


def letters_changed(session: OrmSession, changes: Sequence[LetterChange]) -> None:
    """Count letters' changes (letters calls this wherever a letter's status or hold reason
    changes, and where letters are deleted)."""
    deltas = _deltas(session)
    for change in changes:
        who = (change.campaign_id, change.representative_id)
        if change.before is not None:
            deltas.tally[(*who, change.before[0], change.before[1] or "")] -= 1
        if change.after is not None:
            deltas.tally[(*who, change.after[0], change.after[1] or "")] += 1
        slot = slot_of(change.letter_id)
        if change.after is None:  # deleted: only never-confirmed letters are
            deltas.hours[(change.campaign_id, hour_of(change.created_at), SUBMITTED, slot)] -= 1
        elif change.reached is not None:
            deltas.hours[(change.campaign_id, hour_of(change.at), change.reached, slot)] += 1


class DeliveryCounters:
    """tracking.listeners.EventListener, and the delivery worker's sent listener (sent())."""

    def events(self, session: OrmSession, news: Sequence[EventNews]) -> None:
        deltas = _deltas(session)
        for item in news:
            if item.domain is None:
                continue
            name = blocked_or(item.event, item.bounce_type)
            key = (item.domain, hour_of(item.occurred_at), name, 0)
            deltas.domains[key] += 1
            if name == "delivered" and item.sent_at is not None:
                deltas.timed[key] += 1
                deltas.seconds[key] += max(
                    0.0, (_utc(item.occurred_at) - _utc(item.sent_at)).total_seconds()
                )

    def sent(self, session: OrmSession, rows: Sequence[OutboxMessage], now: datetime) -> None:
        deltas = _deltas(session)
        for row in rows:
            if row.kind == MessageKind.letter:
                deltas.domains[
                    (row.to_domain, hour_of(row.sent_at or now), "sent", slot_of(row.id))
                ] += 1


def queue_moved(session: OrmSession, moves: Sequence[QueueMove]) -> None:
    """delivery.queue_news's listener: letters joining or leaving a representative's queue."""
    deltas = _deltas(session)
    for move in moves:
        deltas.queue[(move.campaign_id, move.pace_key)] += move.change


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _upsert(
    session: OrmSession, table: Any, keys: list[str], rows: list[dict[str, Any]], added: list[str]
) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: getattr(table.c, name) + getattr(statement.excluded, name) for name in added},
    )
    session.connection().execute(statement, rows)


def write(session: OrmSession, deltas: Deltas) -> None:
    """Add `deltas` to the counters, rows in key order."""
    tally = [
        {"campaign_id": c, "representative_id": r, "status": s, "hold_reason": h, "letters": n}
        for (c, r, s, h), n in sorted(deltas.tally.items())
        if n
    ]
    _upsert(
        session,
        TALLY_TABLE,
        ["campaign_id", "representative_id", "status", "hold_reason"],
        tally,
        ["letters"],
    )
    hours = [
        {"campaign_id": c, "hour": h, "step": s, "slot": slot, "letters": n}
        for (c, h, s, slot), n in sorted(deltas.hours.items())
        if n
    ]
    _upsert(session, HOUR_TABLE, ["campaign_id", "hour", "step", "slot"], hours, ["letters"])
    domains = [
        {
            "domain": d,
            "hour": h,
            "event": e,
            "slot": slot,
            "events": n,
            "timed": deltas.timed[(d, h, e, slot)],
            "seconds": deltas.seconds[(d, h, e, slot)],
        }
        for (d, h, e, slot), n in sorted(deltas.domains.items())
        if n
    ]
    _upsert(
        session,
        DOMAIN_TABLE,
        ["domain", "hour", "event", "slot"],
        domains,
        ["events", "timed", "seconds"],
    )
    queue = [
        {"campaign_id": c, "representative_id": r, "letters": n}
        for (c, r), n in sorted(deltas.queue.items())
        if n
    ]
    _upsert(session, QUEUE_TABLE, ["campaign_id", "representative_id"], queue, ["letters"])


def _before_commit(session: OrmSession) -> None:
    buffers: dict[SessionTransaction, Deltas] | None = session.info.get(_BUFFER)
    if not buffers:
        return
    nested = session.get_nested_transaction()
    if nested is not None:  # a savepoint released: its deltas join its parent's
        mine = buffers.pop(nested, None)
        if mine is not None and nested.parent is not None:
            buffers.setdefault(nested.parent, Deltas()).merge(mine)
        return
    root = session.get_transaction()
    mine = buffers.pop(root, None) if root is not None else None
    if mine is not None:
        write(session, mine)


def _after_transaction_end(session: OrmSession, transaction: SessionTransaction) -> None:
    buffers: dict[SessionTransaction, Deltas] | None = session.info.get(_BUFFER)
    if buffers:
        buffers.pop(transaction, None)  # rolled back: what it counted never happened


DELIVERY = DeliveryCounters()


def _install() -> None:
    """Every session writes its transaction's deltas as it commits, and delivery's queue
    moves are counted. Done once, on import: letters count through this module, and the
    worker and CLI import it, so whatever moves letters has it installed (a process that
    forgot to wire a listener would let the queue counts drift unseen)."""
    listen_to_queue(queue_moved)
    if not event.contains(OrmSession, "before_commit", _before_commit):
        event.listen(OrmSession, "before_commit", _before_commit)
        event.listen(OrmSession, "after_transaction_end", _after_transaction_end)


_install()
