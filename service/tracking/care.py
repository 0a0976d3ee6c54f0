"""Organisers' decisions on a receiving address that failed or was paused: a corrected
address sends the held letters to it (and the old one is looked up on SendGrid's suppression
lists, so it can be released there); a spam pause ends only when an organiser resumes."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from service.db import use_case
from service.delivery.recipients import release_recipient
from service.errors import Conflict, NotFound
from service.tracking.addresses import AddressState
from service.tracking.models import AddressHealth
from service.tracking.schemas import AddressDecision
from service.tracking.suppressions import SuppressionLists

log = logging.getLogger("repmail.tracking")


def _health(session: Session, address: str) -> AddressHealth:
    health = session.get(AddressHealth, address.strip().lower(), with_for_update=True)
    if health is None:
        raise NotFound("No report was ever received about this address.", field="address")
    return health


def address_corrected(
    session: Session,
    address: str,
    new_address: str,
    *,
    suppressions: SuppressionLists | None,
    actor: str,
    now: datetime,
) -> AddressDecision:
    """The failing `address` was replaced by `new_address` (the representative's record is
    corrected by its own domain; the caller does both): held letters go to the new address,
    and the old one's suppression-list entries are reported so they can be released."""
    with use_case(session):
        health = _health(session, address)
        if health.state != AddressState.failing:
            raise Conflict("This address is not marked failing.", field="address")
        released = (
            release_recipient(
                session, health.recipient_key, actor=actor, now=now, to_email=new_address
            )
            if health.recipient_key
            else 0
        )
        health.state = AddressState.ok
        health.hard_bounces = health.blocks = 0
        health.updated_at = now
        session.commit()
    listed = suppressions.lists_holding(health.address) if suppressions else []
    log.warning("failing address corrected", extra={"recipient": health.recipient_key})
    return AddressDecision(address=health.address, released=released, suppressed_on=listed)


def resume_address(session: Session, address: str, *, actor: str, now: datetime) -> AddressDecision:
    """An organiser's decision after a spam report: the representative's letters go again."""
    with use_case(session):
        health = _health(session, address)
        if health.state != AddressState.paused:
            raise Conflict("This address is not paused.", field="address")
        released = (
            release_recipient(session, health.recipient_key, actor=actor, now=now)
            if health.recipient_key
            else 0
        )
        health.state = AddressState.ok
        health.spam_reports = 0
        health.updated_at = now
        session.commit()
    log.warning("paused address resumed", extra={"recipient": health.recipient_key})
    return AddressDecision(address=health.address, released=released, suppressed_on=[])
