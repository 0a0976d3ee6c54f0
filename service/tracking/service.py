"""Tracking's use cases: store a verified batch (the webhook's whole job before it answers),
then apply its events (idempotent on sg_event_id, any arrival order), and the periodic job
that applies whatever a crash or an error left unprocessed."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from service.config import TrackingSettings
from service.db import use_case
from service.delivery.provider_reports import (
    ProviderMove,
    ProviderRow,
    apply_provider_outcomes,
    provider_rows,
)
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.errors import InvalidInput
from service.row_sets import RowSet
from service.tracking.addresses import AddressNews, record_address_news
from service.tracking.listeners import EventNews, LetterOutcome, LetterOutcomes, tell_events
from service.tracking.models import ProviderEvent, WebhookBatch
from service.tracking.outcomes import ProviderReport, best, report_of
from service.tracking.schemas import BatchResult

log = logging.getLogger("repmail.tracking")

# A batch that failed this often is left for staff (it stays stored; see unprocessed()).
MAX_ATTEMPTS = 10
# Batches applied together by apply_fresh (1,000 events each from SendGrid, at most).
BATCHES_AT_ONCE = 8
# The outbox states letters hear about (sent is the worker's news, deferred is no news).
_TOLD = frozenset({OutboxState.delivered, OutboxState.bounced, OutboxState.dropped})


def parse_batch(raw: bytes) -> list[dict[str, Any]]:
    """The events of a post: a JSON array of objects, else InvalidInput (nothing stored)."""
    try:
        events = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("The body is not JSON.", field="body") from None
    if not isinstance(events, list) or not all(isinstance(event, dict) for event in events):
        raise InvalidInput("The body must be a JSON array of event objects.", field="body")
    return events


def store_batch(session: Session, raw: bytes, *, now: datetime) -> int:
    """Keep a verified post exactly as received; its events are applied afterwards. Returns
    the batch's id. Malformed bodies are refused here, before anything is written."""
    parse_batch(raw)
    with use_case(session):
        batch = WebhookBatch(received_at=now, body=raw.decode("utf-8"))
        session.add(batch)
        session.commit()
        assert batch.id is not None
        return batch.id


def process_batch(
    session: Session,
    batch_id: int,
    letters: LetterOutcomes,
    settings: TrackingSettings,
    *,
    now: datetime,
) -> BatchResult | None:
    """Apply one stored batch's events, in one transaction; None if it was done already. On
    an error the transaction is undone and the batch stays stored for the periodic job."""
    try:
        with use_case(session):
            batch = session.exec(
                select(WebhookBatch).where(WebhookBatch.id == batch_id).with_for_update()
            ).first()
            if batch is None or batch.processed_at is not None:
                session.rollback()
                return None
            result = _apply(session, [batch], letters, settings, now)
            batch.processed_at = now
            batch.attempts += 1
            session.commit()
            return result
    except Exception as exc:
        log.error("webhook batch failed", extra={"batch": batch_id, "error": type(exc).__name__})
        _note_failure(session, batch_id, type(exc).__name__)
        raise


def apply_fresh(
    session: Session,
    letters: LetterOutcomes,
    settings: TrackingSettings,
    *,
    now: datetime,
    limit: int = BATCHES_AT_ONCE,
) -> BatchResult | None:
    """Apply the batches stored and never tried, oldest first, up to `limit` of them together
    in one transaction: their events as one set (the outcome is the same in any order and any
    split into batches), so a burst of posts costs one round of statements, not one each.
    None when there was none (or another process has them). On an error each is noted as
    failed and left to the periodic job, which applies them one by one (process_pending)."""
    ids: list[int] = []
    try:
        with use_case(session):
            batches = session.exec(
                select(WebhookBatch)
                .where(col(WebhookBatch.processed_at).is_(None), WebhookBatch.attempts == 0)
                .order_by(col(WebhookBatch.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            if not batches:
                session.rollback()
                return None
            ids = [batch.id for batch in batches if batch.id is not None]
            result = _apply(session, batches, letters, settings, now)
            for batch in batches:
                batch.processed_at = now
                batch.attempts += 1
            session.commit()
            return result
    except Exception as exc:
        log.error("webhook batches failed", extra={"batches": ids, "error": type(exc).__name__})
        for batch_id in ids:
            _note_failure(session, batch_id, type(exc).__name__)
        raise


def _note_failure(session: Session, batch_id: int, error: str) -> None:
    with use_case(session):
        batch = session.get(WebhookBatch, batch_id)
        if batch is not None:
            batch.attempts += 1
            batch.last_error = error[:500]
        session.commit()


def process_pending(
    session: Session,
    letters: LetterOutcomes,
    settings: TrackingSettings,
    *,
    now: datetime,
    limit: int = 100,
) -> int:
    """The periodic job: batches still unprocessed `reprocess_after_seconds` after they came
    (the process stopped, or their processing failed), one transaction each. Returns how many
    were applied now."""
    cutoff = now - timedelta(seconds=settings.reprocess_after_seconds)
    ids = session.exec(
        select(WebhookBatch.id)
        .where(
            col(WebhookBatch.processed_at).is_(None),
            col(WebhookBatch.received_at) <= cutoff,
            col(WebhookBatch.attempts) < MAX_ATTEMPTS,
        )
        .order_by(col(WebhookBatch.id))
        .limit(limit)
    ).all()
    session.rollback()  # end the read: each batch is a use case of its own
    done = 0
    for batch_id in ids:
        try:
            if batch_id is not None and process_batch(
                session, batch_id, letters, settings, now=now
            ):
                done += 1
        except Exception:  # noted on the batch and logged by process_batch
            continue
    return done


def _apply(
    session: Session,
    batches: Sequence[WebhookBatch],
    letters: LetterOutcomes,
    settings: TrackingSettings,
    now: datetime,
) -> BatchResult:
    """Set-based: the batches' new events in one INSERT, their rows read in one query, the
    rows' moves written as one UPDATE and one INSERT, letters told in one call."""
    reports: dict[str, ProviderReport] = {}
    came_in: dict[str, int] = {}  # event -> the first batch that brought it
    for batch in batches:
        assert batch.id is not None
        for event in parse_batch(batch.body.encode("utf-8")):
            report = report_of(event, now)
            if reports.setdefault(report.sg_event_id, report) is report:
                came_in[report.sg_event_id] = batch.id
    rows = provider_rows(session, (r.outbox_id for r in reports.values() if r.outbox_id))
    fresh_ids = _insert_new(session, came_in, reports.values(), rows)
    fresh = [reports[sg_event_id] for sg_event_id in sorted(fresh_ids)]
    by_row: dict[str, list[ProviderReport]] = defaultdict(list)
    for report in fresh:
        if report.outbox_id in rows:
            by_row[report.outbox_id].append(report)
    moves = [
        move
        for outbox_id in sorted(by_row)
        if (move := _move_of(rows[outbox_id], by_row[outbox_id])) is not None
    ]
    told = [
        LetterOutcome.of(move.row.letter_id, move.state, by_row[move.row.id])
        for move in apply_provider_outcomes(session, moves, now=now)
        if move.row.letter_id and move.state in _TOLD
    ]
    if told:
        letters.apply(session, told)
    news = [
        AddressNews.of(rows[outbox_id].to_email, rows[outbox_id].pace_key, report)
        for outbox_id, group in sorted(by_row.items())
        if rows[outbox_id].kind == MessageKind.letter
        for report in group
    ]
    record_address_news(session, [item for item in news if item.counts], settings, now=now)
    tell_events(session, [_news(report, rows.get(report.outbox_id or "")) for report in fresh])
    unmatched = sum(1 for report in fresh if report.outbox_id not in rows)
    return BatchResult(
        events=len(reports),
        new=len(fresh),
        duplicates=len(reports) - len(fresh),
        unmatched=unmatched,
        changed=len(told),
    )


def _news(report: ProviderReport, row: ProviderRow | None) -> EventNews:
    if row is None:
        domain: str | None = ""
    else:
        domain = row.to_domain if row.kind == MessageKind.letter else None
    return EventNews(
        domain=domain,
        event=report.event,
        bounce_type=report.bounce_type,
        occurred_at=report.occurred_at,
        sent_at=row.sent_at if row is not None else None,
    )


def _move_of(row: ProviderRow, group: Sequence[ProviderReport]) -> ProviderMove | None:
    """Where the row's new events take it, if that is further than it is (the state machine
    has the last word: apply_provider_outcomes skips a move it forbids)."""
    decider = best(list(group))
    if decider is None or decider.outcome is None or decider.outcome == row.state:
        return None
    return ProviderMove(
        row=row,
        state=decider.outcome,
        detail=f"{decider.event}: {decider.reason}"[:500] if decider.reason else decider.event,
        provider_message_id=decider.provider_message_id,
    )


def _insert_new(
    session: Session,
    came_in: Mapping[str, int],
    reports: Iterable[ProviderReport],
    rows: Mapping[str, ProviderRow],
) -> set[str]:
    """Insert the events not seen before; returns their ids (the others are duplicates)."""
    values = [
        {
            "sg_event_id": report.sg_event_id,
            "batch_id": came_in[report.sg_event_id],
            "outbox_id": report.outbox_id if report.outbox_id in rows else None,
            "event": report.event,
            "bounce_type": report.bounce_type,
            "reason": report.reason,
            "occurred_at": report.occurred_at,
        }
        for report in sorted(reports, key=lambda report: report.sg_event_id)
    ]
    connection = session.connection()
    events, statement = _insert_events_for(connection.dialect.name)
    result = events.run(connection, statement, values)
    if result is None:
        return set()
    return {sg_event_id for sg_event_id in result.scalars() if sg_event_id is not None}


_EVENTS = ProviderEvent.__table__  # type: ignore[attr-defined]


@lru_cache(maxsize=4)
def _insert_events_for(dialect: str) -> tuple[RowSet, Insert]:
    """INSERT ... ON CONFLICT (sg_event_id) DO NOTHING RETURNING sg_event_id: the events
    not stored before come back, the repeats do not."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    names = ("sg_event_id", "batch_id", "outbox_id", "event", "bounce_type", "reason")
    events = RowSet(dialect, {name: _EVENTS.c[name].type for name in (*names, "occurred_at")})
    statement = (
        events.insert(insert(_EVENTS))
        .on_conflict_do_nothing(index_elements=["sg_event_id"])
        .returning(_EVENTS.c.sg_event_id)
    )
    return events, statement


def counts(session: Session) -> dict[str, int]:
    """Stored batches waiting, events kept, and those matching no email of ours."""
    waiting = session.exec(
        select(func.count()).where(col(WebhookBatch.processed_at).is_(None))
    ).one()
    total = session.exec(select(func.count()).select_from(ProviderEvent)).one()
    unmatched = session.exec(
        select(func.count()).where(col(ProviderEvent.outbox_id).is_(None))
    ).one()
    return {"batches_waiting": waiting, "events": total, "unmatched_events": unmatched}
