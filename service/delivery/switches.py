"""Pausing sending: everywhere (the worker claims nothing) or one campaign's mail (its rows
stay queued in their slots). Each switch is a row of delivery_control, changed under the write
lock and logged with who flipped it; like the rest of delivery, nothing here commits."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, select

from service.clock import SYSTEM_CLOCK
from service.db import lock_for_write
from service.delivery.models import CAMPAIGN_SWITCH_PREFIX, GLOBAL_SWITCH, DeliveryControl
from service.delivery.schemas import PauseState

log = logging.getLogger("repmail.delivery")


def pause(
    session: Session, *, reason: str, actor: str = "cli", now: datetime | None = None
) -> PauseState:
    """Stop all sending at once: no worker claims anything until resume(). Rows in flight
    finish; nothing queued is lost."""
    return _set_switch(session, GLOBAL_SWITCH, paused=True, reason=reason, actor=actor, now=now)


def resume(session: Session, *, actor: str = "cli", now: datetime | None = None) -> PauseState:
    return _set_switch(session, GLOBAL_SWITCH, paused=False, reason=None, actor=actor, now=now)


def pause_state(session: Session) -> PauseState:
    return _state(session.get(DeliveryControl, GLOBAL_SWITCH))


def campaign_switch(campaign_id: int) -> str:
    """The switch of one campaign's letters (the claim query builds the same name)."""
    return f"{CAMPAIGN_SWITCH_PREFIX}{campaign_id}"


def pause_campaign(
    session: Session, campaign_id: int, *, reason: str, actor: str, now: datetime | None = None
) -> PauseState:
    """Stop sending one campaign's mail (its letters stay queued, in their slots); the rest
    goes on."""
    switch = campaign_switch(campaign_id)
    return _set_switch(session, switch, paused=True, reason=reason, actor=actor, now=now)


def resume_campaign(
    session: Session, campaign_id: int, *, actor: str, now: datetime | None = None
) -> PauseState:
    switch = campaign_switch(campaign_id)
    return _set_switch(session, switch, paused=False, reason=None, actor=actor, now=now)


def campaign_pause_state(session: Session, campaign_id: int) -> PauseState:
    return _state(session.get(DeliveryControl, campaign_switch(campaign_id)))


def _state(row: DeliveryControl | None) -> PauseState:
    if row is None:
        return PauseState(paused=False)
    return PauseState(row.paused, row.reason, row.changed_by, row.changed_at)


def _set_switch(
    session: Session,
    name: str,
    *,
    paused: bool,
    reason: str | None,
    actor: str,
    now: datetime | None,
) -> PauseState:
    now = now or SYSTEM_CLOCK.now()
    lock_for_write(session)
    row = session.exec(
        select(DeliveryControl).where(DeliveryControl.name == name).with_for_update()
    ).first()
    if row is None:
        row = DeliveryControl(name=name, changed_by=actor, changed_at=now)
        session.add(row)
    row.paused = paused
    row.reason = reason[:500] if reason else None
    row.changed_by = actor[:100]
    row.changed_at = now
    session.flush()
    log.warning(
        "delivery " + ("paused" if paused else "resumed"),
        extra={"actor": row.changed_by, "switch": name},
    )
    return PauseState(row.paused, row.reason, row.changed_by, row.changed_at)
