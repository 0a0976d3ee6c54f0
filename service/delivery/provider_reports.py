"""Applying what the provider reports (SendGrid events) to outbox rows, inside the caller's
transaction: one row at a time (service.record_provider_outcome), or a whole webhook batch's
rows at once, set-based (provider_rows reads and locks them in one query, then
apply_provider_outcomes moves them with one UPDATE and one INSERT of their events)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Select, Update, func, select, update
from sqlmodel import Session

from service.db import lock_for_write
from service.delivery.models import OutboxEvent, OutboxMessage, transition
from service.delivery.states import OutboxState, can_move
from service.errors import InvalidInput
from service.row_sets import RowSet, one_of

S = OutboxState
PROVIDER_REPORTS = frozenset({S.sent, S.delivered, S.deferred, S.bounced, S.dropped})


@dataclass(frozen=True, slots=True)
class ProviderRow:
    """What applying a batch needs of an outbox row (not its bodies)."""

    id: str
    state: OutboxState
    kind: str
    letter_id: str | None
    to_email: str
    pace_key: str | None
    attempts: int
    to_domain: str = ""
    sent_at: datetime | None = None  # when the worker handed the email over


@dataclass(frozen=True, slots=True)
class ProviderMove:
    """A row moving to the state the provider's events prove."""

    row: ProviderRow
    state: OutboxState
    detail: str | None = None
    provider_message_id: str | None = None


_ROWS = OutboxMessage.__table__  # type: ignore[attr-defined]
_EVENTS = OutboxEvent.__table__  # type: ignore[attr-defined]
_ROW_COLUMNS = (
    "id",
    "state",
    "kind",
    "letter_id",
    "to_email",
    "pace_key",
    "attempts",
    "to_domain",
    "sent_at",
)


@lru_cache(maxsize=4)
def _select_rows_for(dialect: str) -> Select[Any]:
    return (
        select(*(_ROWS.c[name] for name in _ROW_COLUMNS))
        .where(one_of(dialect, _ROWS.c.id, "ids"))
        .order_by(_ROWS.c.id)  # one lock order for every caller
        .with_for_update()
    )


@lru_cache(maxsize=4)
def _moves_for(dialect: str) -> tuple[RowSet, Update, RowSet, Insert]:
    """The two statements of a batch's moves, for `dialect`: the rows, and their events."""
    moved = RowSet(
        dialect,
        {
            "row_id": _ROWS.c.id.type,
            "from_state": _ROWS.c.state.type,
            "to_state": _ROWS.c.state.type,
            "message_id": _ROWS.c.provider_message_id.type,
            "now": _ROWS.c.updated_at.type,
        },
    )
    # The row must still be in the state it was read in (it is locked, so it is: a guard).
    move_rows = (
        update(_ROWS)
        .where(_ROWS.c.id == moved.c["row_id"], _ROWS.c.state == moved.c["from_state"])
        .values(
            state=moved.c["to_state"],
            updated_at=moved.c["now"],
            lease_owner=None,
            lease_expires_at=None,
            ambiguous_since=None,
            next_attempt_at=None,
            provider_message_id=func.coalesce(_ROWS.c.provider_message_id, moved.c["message_id"]),
            sent_at=func.coalesce(_ROWS.c.sent_at, moved.c["now"]),
        )
    )
    names = ("outbox_id", "at", "from_state", "to_state", "attempt", "actor", "detail")
    events = RowSet(dialect, {name: _EVENTS.c[name].type for name in names})
    return moved, move_rows, events, events.insert(_EVENTS.insert())


def provider_rows(session: Session, outbox_ids: Iterable[str]) -> dict[str, ProviderRow]:
    """The rows a batch of provider events is about, by id, locked for the caller's
    transaction (one query for the whole batch); ids of no row are left out."""
    ids = sorted(set(outbox_ids))
    if not ids:
        return {}
    lock_for_write(session)
    connection = session.connection()
    found = connection.execute(_select_rows_for(connection.dialect.name), {"ids": ids})
    return {
        row.id: ProviderRow(
            id=row.id,
            state=OutboxState(row.state),
            kind=row.kind,
            letter_id=row.letter_id,
            to_email=row.to_email,
            pace_key=row.pace_key,
            attempts=row.attempts,
            to_domain=row.to_domain,
            sent_at=row.sent_at,
        )
        for row in found
    }


def apply_provider_outcomes(
    session: Session, moves: Sequence[ProviderMove], *, actor: str = "tracking", now: datetime
) -> list[ProviderMove]:
    """Move each row (read by provider_rows) to its state where the state machine allows it,
    as one executemany UPDATE and one executemany INSERT of their events. Returns the moves
    made (a late "deferred" after "delivered", say, makes none)."""
    made = [
        move
        for move in moves
        if move.state in PROVIDER_REPORTS and can_move(move.row.state, move.state)
    ]
    if not made:
        return []
    connection = session.connection()
    moved, move_rows, events, insert_events = _moves_for(connection.dialect.name)
    moved.run(
        connection,
        move_rows,
        [
            {
                "row_id": move.row.id,
                "from_state": move.row.state,
                "to_state": move.state,
                "message_id": move.provider_message_id,
                "now": now,
            }
            for move in made
        ],
    )
    events.run(
        connection,
        insert_events,
        [
            {
                "outbox_id": move.row.id,
                "at": now,
                "from_state": move.row.state,
                "to_state": move.state,
                "attempt": move.row.attempts,
                "actor": actor[:100],
                "detail": move.detail[:500] if move.detail else None,
            }
            for move in made
        ],
    )
    return made


def apply_provider_outcome(
    session: Session,
    message: OutboxMessage,
    state: OutboxState,
    *,
    detail: str | None = None,
    provider_message_id: str | None = None,
    actor: str = "tracking",
    now: datetime,
) -> bool:
    """record_provider_outcome for a row the caller loaded and locked."""
    if state not in PROVIDER_REPORTS:
        raise InvalidInput(f"{state} is not something a provider reports", field="state")
    return _apply_outcome(session, message, state, detail, provider_message_id, actor, now)


def _apply_outcome(
    session: Session,
    message: OutboxMessage,
    state: OutboxState,
    detail: str | None,
    provider_message_id: str | None,
    actor: str,
    now: datetime,
) -> bool:
    if not can_move(OutboxState(message.state), state):
        return False
    transition(session, message, state, now=now, actor=actor, detail=detail)
    message.lease_owner = None
    message.lease_expires_at = None
    message.ambiguous_since = None
    message.next_attempt_at = None
    message.provider_message_id = message.provider_message_id or provider_message_id
    message.sent_at = message.sent_at or now
    return True
