"""The database's figures, read at each scrape (a few GROUP BY queries), so every process
behind a load balancer reports the same numbers and nothing is kept in memory between
scrapes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import Session, col, select

from service.delivery.models import OutboxMessage, PeriodicRun
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.tracking.models import ProviderEvent

# Outbox states that say what became of a letter handed to the provider.
SEND_RESULTS = (
    OutboxState.sent,
    OutboxState.delivered,
    OutboxState.deferred,
    OutboxState.bounced,
    OutboxState.dropped,
    OutboxState.failed,
)


class DatabaseCollector(Collector):
    """Made for one scrape, on that request's session."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now

    def describe(self) -> list[Metric]:
        # Described without a query, so registering the collector touches no database.
        return []

    def collect(self) -> Iterator[Metric]:
        yield _outbox(self.session)
        yield _sends(self.session)
        yield _webhook_events(self.session)
        yield _queue_lag(self.session, self.now)
        yield from _periodic_jobs(self.session)


def _outbox(session: Session) -> Metric:
    family = GaugeMetricFamily(
        "repmail_outbox_messages", "Outbox rows by state and kind.", labels=["state", "kind"]
    )
    rows = session.exec(
        select(OutboxMessage.state, OutboxMessage.kind, func.count()).group_by(
            col(OutboxMessage.state), col(OutboxMessage.kind)
        )
    ).all()
    seen = {(str(state), str(kind)): int(n) for state, kind, n in rows}
    for state in OutboxState:
        for kind in MessageKind:
            family.add_metric([state.value, kind.value], seen.get((state.value, kind.value), 0))
    return family


def _sends(session: Session) -> Metric:
    family = GaugeMetricFamily(
        "repmail_letter_sends",
        "Letters handed to the email provider, by what became of them and receiving domain.",
        labels=["result", "domain"],
    )
    rows = session.exec(
        select(OutboxMessage.state, OutboxMessage.to_domain, func.count())
        .where(
            col(OutboxMessage.kind) == MessageKind.letter,
            col(OutboxMessage.state).in_([s.value for s in SEND_RESULTS]),
        )
        .group_by(col(OutboxMessage.state), col(OutboxMessage.to_domain))
    ).all()
    for state, domain, n in sorted(rows):
        family.add_metric([str(state), domain or "unknown"], int(n))
    return family


def _webhook_events(session: Session) -> Metric:
    family = CounterMetricFamily(
        "repmail_webhook_events", "Provider webhook events stored, by type.", labels=["type"]
    )
    rows = session.exec(
        select(ProviderEvent.event, func.count()).group_by(col(ProviderEvent.event))
    ).all()
    for event, n in sorted(rows):
        family.add_metric([event], int(n))
    return family


def _queue_lag(session: Session, now: datetime) -> Metric:
    oldest = session.exec(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            col(OutboxMessage.state) == OutboxState.queued,
            col(OutboxMessage.next_attempt_at) <= now,
        )
    ).one()
    lag = (now - _aware(oldest)).total_seconds() if oldest is not None else 0.0
    return GaugeMetricFamily(
        "repmail_queue_lag_seconds",
        "How long the oldest due outbox row has been waiting for a worker (0: none due).",
        value=max(lag, 0.0),
    )


def _periodic_jobs(session: Session) -> Iterator[Metric]:
    started = GaugeMetricFamily(
        "repmail_periodic_job_last_started_timestamp_seconds",
        "When each periodic job last started (Unix time).",
        labels=["job"],
    )
    finished = GaugeMetricFamily(
        "repmail_periodic_job_last_finished_timestamp_seconds",
        "When each periodic job last finished (Unix time).",
        labels=["job"],
    )
    for run in session.exec(select(PeriodicRun).order_by(col(PeriodicRun.name))):
        if run.started_at is not None:
            started.add_metric([run.name], _aware(run.started_at).timestamp())
        if run.finished_at is not None:
            finished.add_metric([run.name], _aware(run.finished_at).timestamp())
    yield started
    yield finished


def _aware(value: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
