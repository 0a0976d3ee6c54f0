"""Fixing a representative's failing address, from the console and the admin API: the
representative's record gets the new address, tracking sends the held letters to it and
reports the old address's SendGrid suppression entries, and the audit log records who did
it, in one transaction. Composed here because representatives, tracking and accounts may
not import each other."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.roles import Permission
from service.accounts.service import require
from service.config import Settings
from service.db import lock_for_write
from service.errors import InvalidInput, NotFound
from service.representatives.models import Representative
from service.tracking import care
from service.tracking.models import AddressHealth
from service.tracking.schemas import AddressDecision
from service.tracking.suppressions import SendGridSuppressions


def suppressions_for(settings: Settings) -> SendGridSuppressions | None:
    """The Suppressions API client when a SendGrid key is configured."""
    if not settings.sendgrid_api_key:
        return None
    return SendGridSuppressions(settings.sendgrid_api_key, settings.sendgrid_host)


def _new_address(value: str) -> str:
    value = value.strip()
    if "@" not in value or len(value) > 320 or any(c.isspace() for c in value):
        raise InvalidInput("Enter the office's new email address.", field="new_address")
    return value


def correct_address(
    session: Session,
    settings: Settings,
    actor: Actor,
    address: str,
    new_address: str,
    now: datetime,
) -> AddressDecision:
    require(actor, Permission.care_representatives)
    new_address = _new_address(new_address)
    lock_for_write(session)  # SQLite: before the first read of a use case that writes
    health = session.get(AddressHealth, address.strip().lower())
    if health is None:
        raise NotFound("No report was ever received about this address.", field="address")
    representative = session.get(Representative, health.recipient_key or "")
    if representative is not None:
        representative.email = new_address
        session.add(representative)
    audit.record(
        session,
        actor,
        "tracking.address_corrected",
        now,
        target=f"representative:{health.recipient_key}",
    )
    suppressions = suppressions_for(settings)
    try:
        return care.address_corrected(
            session, address, new_address, suppressions=suppressions, actor=_who(actor), now=now
        )
    finally:
        if suppressions is not None:
            suppressions.close()


def resume_address(session: Session, actor: Actor, address: str, now: datetime) -> AddressDecision:
    require(actor, Permission.care_representatives)
    lock_for_write(session)
    health = session.get(AddressHealth, address.strip().lower())
    audit.record(
        session,
        actor,
        "tracking.address_resumed",
        now,
        target=f"representative:{health.recipient_key if health else None}",
    )
    return care.resume_address(session, address, actor=_who(actor), now=now)


def release_suppressions(
    settings: Settings, actor: Actor, address: str, lists: list[str]
) -> list[str]:
    require(actor, Permission.care_representatives)
    suppressions = suppressions_for(settings)
    if suppressions is None:
        raise InvalidInput("No SendGrid key is configured.", field="address")
    try:
        return suppressions.release(address.strip(), lists)
    finally:
        suppressions.close()


def _who(actor: Actor) -> str:
    return f"person:{actor.id}" if actor.id else "cli"
