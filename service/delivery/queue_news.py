"""What the rest of the application hears about the queue: a letter's row entering or
leaving the queued state. The control room's deadline projection reads how many letters
wait per representative from a counter kept by service.stats, added to in the transaction
that moves the row; delivery imports no other domain, so it publishes here and stats
subscribes (service.stats.counting wires itself when it is imported, as every process that
moves rows imports it: the web app through letters, the worker and the CLI directly).

Every move of a row's state goes through models.transition() and every new row through
service.enqueue() (enqueue_many's rows are unpaced, never counted), so those two are the
only publishers; `repmail db rebuild-stats` recounts after anything wrote around them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState


@dataclass(frozen=True, slots=True)
class QueueMove:
    """A letter's row to representative `pace_key` of campaign `campaign_id` joined the
    queue (change +1) or left it (change -1)."""

    campaign_id: int
    pace_key: str
    change: int


QueueListener = Callable[[Session, Sequence[QueueMove]], None]
_LISTENERS: list[QueueListener] = []


def listen_to_queue(listener: QueueListener) -> None:
    """Wire a listener; wiring the same one twice is harmless. Listeners write, never
    commit: they join the transaction that moves the rows."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def counted(kind: str, campaign_id: int | None, pace_key: str | None) -> bool:
    """Whether a row counts among a campaign's queued letters: a letter, paced, of a
    campaign (the rows the projection plans)."""
    return kind == MessageKind.letter and campaign_id is not None and pace_key is not None


def move_of(
    kind: str,
    campaign_id: int | None,
    pace_key: str | None,
    before: OutboxState | None,
    after: OutboxState,
) -> QueueMove | None:
    """The queue move a row's change of state from `before` to `after` is, if any."""
    was, now = before == OutboxState.queued, after == OutboxState.queued
    if was == now or not counted(kind, campaign_id, pace_key):
        return None
    assert campaign_id is not None and pace_key is not None
    return QueueMove(campaign_id, pace_key, 1 if now else -1)


def publish(session: Session, moves: Sequence[QueueMove | None]) -> None:
    news = [move for move in moves if move is not None]
    if news:
        for listener in _LISTENERS:
            listener(session, news)
