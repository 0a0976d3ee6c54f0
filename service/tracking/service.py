"""Tracking's use cases: store a verified batch (the webhook's whole job before it answers),
then apply its events (idempotent on sg_event_id, any arrival order), and the periodic job
that applies whatever a crash or an error left unprocessed."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from service.config import TrackingSettings
from service.db import use_case
from service.delivery.models import OutboxMessage
from service.delivery.provider_reports import apply_provider_outcome, provider_rows
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.errors import InvalidInput
from service.tracking.addresses import AddressNews, record_address_news
from service.tracking.listeners import EventNews, LetterOutcome, LetterOutcomes, tell_events
from service.tracking.models import ProviderEvent, WebhookBatch
from service.tracking.outcomes import ProviderReport, best, report_of
from service.tracking.schemas import BatchResult

log = logging.getLogger("repmail.tracking")

# A batch that failed this often is left for staff (it stays stored; see unprocessed()).
MAX_ATTEMPTS = 10
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
            result = _apply(session, batch, letters, settings, now)
            batch.processed_at = now
            batch.attempts += 1
            session.commit()
            return result
    except Exception as exc:
        log.error("webhook batch failed", extra={"batch": batch_id, "error": type(exc).__name__})
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
    batch: WebhookBatch,
    letters: LetterOutcomes,
    settings: TrackingSettings,
    now: datetime,
) -> BatchResult:
    reports: dict[str, ProviderReport] = {}
    for event in parse_batch(batch.body.encode("utf-8")):
        report = report_of(event, now)
        reports.setdefault(report.sg_event_id, report)
    rows = {
        row.id: row
        for row in provider_rows(
            session, [report.outbox_id for report in reports.values() if report.outbox_id]
        )
    }
    fresh_ids = _insert_new(session, batch, reports.values(), rows)
    fresh = [reports[sg_event_id] for sg_event_id in sorted(fresh_ids)]
    by_row: dict[str, list[ProviderReport]] = defaultdict(list)
    for report in fresh:
        if report.outbox_id in rows:
            by_row[report.outbox_id].append(report)
    told: list[LetterOutcome] = []
    news: list[AddressNews] = []
    for outbox_id in sorted(by_row):
        row, group = rows[outbox_id], by_row[outbox_id]
        if _settle(session, row, group, now) and row.letter_id and row.state in _TOLD:
            told.append(LetterOutcome.of(row.letter_id, OutboxState(row.state), group))
        if row.kind == MessageKind.letter:
            news.extend(AddressNews.of(row.to_email, row.pace_key, report) for report in group)
    if told:
        letters.apply(session, told)
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


def _news(report: ProviderReport, row: OutboxMessage | None) -> EventNews:
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


def _settle(
    session: Session, row: OutboxMessage, group: Sequence[ProviderReport], now: datetime
) -> bool:
    """Move the row to the state its new events prove, if that is further than it is."""
    decider = best(list(group))
    if decider is None or decider.outcome is None or decider.outcome == row.state:
        return False
    return apply_provider_outcome(
        session,
        row,
        decider.outcome,
        detail=f"{decider.event}: {decider.reason}"[:500] if decider.reason else decider.event,
        provider_message_id=decider.provider_message_id,
        now=now,
    )


def _insert_new(
    session: Session,
    batch: WebhookBatch,
    reports: Any,
    rows: dict[str, OutboxMessage],
) -> set[str]:
    """Insert the events not seen before; returns their ids (the others are duplicates)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = [
        {
            "sg_event_id": report.sg_event_id,
            "batch_id": batch.id,
            "outbox_id": report.outbox_id if report.outbox_id in rows else None,
            "event": report.event,
            "bounce_type": report.bounce_type,
            "reason": report.reason,
            "occurred_at": report.occurred_at,
        }
        for report in sorted(reports, key=lambda report: report.sg_event_id)
    ]
    if not values:
        return set()
    # One cached statement run as executemany: SQLAlchemy batches the rows into multi-row
    # INSERTs itself ("insertmanyvalues") and gathers what RETURNING gives back.
    statement = (
        insert(ProviderEvent)
        .on_conflict_do_nothing(index_elements=["sg_event_id"])
        .returning(col(ProviderEvent.sg_event_id))
    )
    result = session.connection().execute(statement, values)
    return {sg_event_id for sg_event_id in result.scalars() if sg_event_id is not None}


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
