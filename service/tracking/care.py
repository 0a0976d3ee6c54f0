"""What tracking knows about a representative's address when organisers act on it: whether the
provider reports it failing or paused (a spam report), forgetting that once the address is
replaced or the pause lifted, and the provider's latest reports about it. Holding and
releasing the letters is delivery's (delivery.recipients); the organisers' use cases (pause,
resume, correct) compose both. None of these commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from service.delivery.models import OutboxMessage
from service.tracking.addresses import AddressState
from service.tracking.models import AddressHealth, ProviderEvent
from service.tracking.schemas import ProviderOutcome


def address_state(session: Session, address: str | None) -> AddressState:
    """How the provider sees `address` (ok when it never reported a failure)."""
    if not address:
        return AddressState.ok
    state = session.exec(
        select(AddressHealth.state).where(AddressHealth.address == address.strip().lower())
    ).first()
    return AddressState(state) if state else AddressState.ok


def recipient_of_address(session: Session, address: str) -> str | None:
    """The representative (recipient key) an address in the worklist belongs to."""
    health = session.get(AddressHealth, address.strip().lower())
    return health.recipient_key if health else None


def forget_failure(session: Session, address: str | None, *, now: datetime) -> AddressState:
    """The address was replaced: it no longer stands for the representative, so its failure
    leaves the worklist. Returns the state it was in."""
    health = (
        session.get(AddressHealth, address.strip().lower(), with_for_update=True)
        if address
        else None
    )
    if health is None or health.state == AddressState.ok:
        return AddressState.ok
    before = AddressState(health.state)
    health.state = AddressState.ok
    health.hard_bounces = health.blocks = health.spam_reports = 0
    health.updated_at = now
    session.add(health)
    return before


def lift_spam_pause(session: Session, recipient_key: str, *, now: datetime) -> bool:
    """An organiser resumed letters after a spam report: False when none had paused them."""
    rows = session.exec(
        select(AddressHealth)
        .where(
            AddressHealth.recipient_key == recipient_key,
            AddressHealth.state == AddressState.paused,
        )
        .with_for_update()
    ).all()
    for health in rows:
        health.state = AddressState.ok
        health.spam_reports = 0
        health.updated_at = now
        session.add(health)
    return bool(rows)


def keys_in_state(session: Session, state: AddressState) -> set[str]:
    """The representatives whose address is in `state` (for the list's filters)."""
    return {
        key
        for key in session.exec(
            select(AddressHealth.recipient_key).where(AddressHealth.state == state)
        ).all()
        if key
    }


def states_of(session: Session, keys: Sequence[str]) -> dict[str, AddressState]:
    """The state of each representative's address that is not ok."""
    if not keys:
        return {}
    rows = session.exec(
        select(AddressHealth.recipient_key, AddressHealth.state).where(
            col(AddressHealth.recipient_key).in_(list(keys)),
            AddressHealth.state != AddressState.ok,
        )
    ).all()
    return {key: AddressState(state) for key, state in rows if key}


def recent_outcomes(
    session: Session, recipient_key: str, *, limit: int = 10
) -> list[ProviderOutcome]:
    """The provider's latest reports on letters to the representative, newest first."""
    rows = session.exec(
        select(ProviderEvent, OutboxMessage.to_email)
        .join(OutboxMessage, col(OutboxMessage.id) == ProviderEvent.outbox_id)
        .where(OutboxMessage.pace_key == recipient_key)
        .order_by(col(ProviderEvent.occurred_at).desc(), col(ProviderEvent.sg_event_id))
        .limit(limit)
    ).all()
    return [
        ProviderOutcome(
            event="blocked" if event.bounce_type == "blocked" else event.event,
            occurred_at=event.occurred_at,
            reason=event.reason,
            address=to_email,
        )
        for event, to_email in rows
    ]
