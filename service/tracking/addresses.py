"""The health of each receiving address (a representative's office), from the provider's
reports: repeated hard bounces or one block mark it failing, a spam report pauses it. Either
holds that recipient's letters in the outbox (never drops them) until an organiser acts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.config import TrackingSettings
from service.delivery.models import OutboxMessage
from service.delivery.recipients import held_counts, hold_recipient
from service.delivery.states import OutboxState
from service.tracking.models import AddressHealth
from service.tracking.outcomes import Failure, ProviderReport, aware
from service.tracking.schemas import DeferredDomain, FailingAddress

log = logging.getLogger("repmail.tracking")
ACTOR = "tracking"


class AddressState(StrEnum):
    ok = "ok"
    failing = "failing"  # hard bounces or a block: letters held until the address is fixed
    paused = "paused"  # a spam report: letters held until an organiser resumes


# Why the recipient's letters are held, as recorded on the held outbox rows.
HOLD_REASONS = {
    AddressState.failing: "address failing",
    AddressState.paused: "spam report",
}


@dataclass(frozen=True, slots=True)
class AddressNews:
    """One report about a letter's receiving address."""

    address: str
    recipient_key: str | None
    report: ProviderReport

    @classmethod
    def of(cls, address: str, key: str | None, report: ProviderReport) -> AddressNews:
        return cls(address.strip().lower(), key, report)

    @property
    def counts(self) -> bool:
        return self.report.event == "spamreport" or self.report.failure in (
            Failure.bounced,
            Failure.blocked,
            Failure.invalid_address,
        )


def record_address_news(
    session: Session, news: Sequence[AddressNews], settings: TrackingSettings, *, now: datetime
) -> None:
    """Count each new report on its address and hold the recipient's letters when the
    address turns failing or paused (inside the caller's transaction)."""
    if not news:
        return
    known = {
        health.address: health
        for health in session.exec(
            select(AddressHealth)
            .where(col(AddressHealth.address).in_(sorted({item.address for item in news})))
            .order_by(col(AddressHealth.address))  # one lock order for every batch
            .with_for_update()
        ).all()
    }
    for item in sorted(news, key=lambda item: (item.address, item.report.sg_event_id)):
        health = known.get(item.address)
        if health is None:
            health = known[item.address] = AddressHealth(address=item.address, updated_at=now)
            session.add(health)
        health.recipient_key = health.recipient_key or item.recipient_key
        report = item.report
        if report.event == "spamreport":
            health.spam_reports += 1
        elif report.failure is Failure.blocked:
            health.blocks += 1
        else:
            health.hard_bounces += 1
        health.last_reason = report.reason or report.event
        health.last_event_at = max(
            aware(health.last_event_at or report.occurred_at), aware(report.occurred_at)
        )
        health.updated_at = now
        _judge(session, health, settings, now)


def _judge(
    session: Session, health: AddressHealth, settings: TrackingSettings, now: datetime
) -> None:
    if health.spam_reports:
        target = AddressState.paused
    elif health.blocks or health.hard_bounces >= settings.failing_after_bounces:
        target = AddressState.failing
    else:
        return
    if health.state == target or health.state == AddressState.paused:
        return
    health.state = target
    session.flush()
    log.warning(
        "receiving address " + target,
        extra={"recipient": health.recipient_key, "reason": (health.last_reason or "")[:200]},
    )
    if health.recipient_key:
        hold_recipient(session, health.recipient_key, HOLD_REASONS[target], actor=ACTOR, now=now)


def failing_addresses(session: Session) -> list[FailingAddress]:
    """The organisers' worklist: addresses failing or paused, with the provider's reasons."""
    rows = session.exec(
        select(AddressHealth)
        .where(col(AddressHealth.state) != AddressState.ok)
        .order_by(col(AddressHealth.last_event_at).desc(), col(AddressHealth.address))
    ).all()
    held = held_counts(session, [row.recipient_key for row in rows if row.recipient_key])
    return [
        FailingAddress(
            recipient_key=row.recipient_key,
            address=row.address,
            state=row.state,
            hard_bounces=row.hard_bounces,
            blocks=row.blocks,
            spam_reports=row.spam_reports,
            last_reason=row.last_reason,
            last_event_at=row.last_event_at,
            held_letters=held.get(row.recipient_key or "", 0),
        )
        for row in rows
    ]


def deferred_domains(
    session: Session, settings: TrackingSettings, *, now: datetime
) -> list[DeferredDomain]:
    """Receiving domains with mail deferred longer than the threshold (the dashboard's
    flag): still deferred, and deferred since before now - deferred_alert_hours."""
    since = now - timedelta(hours=settings.deferred_alert_hours)
    oldest = func.min(OutboxMessage.updated_at)
    rows = session.exec(
        select(OutboxMessage.to_domain, func.count(), oldest)
        .where(OutboxMessage.state == OutboxState.deferred, col(OutboxMessage.updated_at) <= since)
        .group_by(col(OutboxMessage.to_domain))
        .order_by(oldest)
    ).all()
    return [
        DeferredDomain(domain=domain, deferred=int(count), oldest_since=first)
        for domain, count, first in rows
    ]
