"""Supporters' personal data from the console, the admin API and the supporter's own emailed
link: export and erasure, each with its audit entry in the same transaction. Composed here
because letters (which holds the data) and accounts (which keeps the audit log) may not import
each other."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlmodel import Session

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.roles import Permission
from service.accounts.service import require
from service.config import Settings
from service.db import lock_for_write
from service.errors import InvalidInput
from service.letters import events, privacy
from service.letters.privacy import ErasureReport


def _checked(email: str) -> str:
    email = email.strip()
    if "@" not in email or len(email) > 254:
        raise InvalidInput("Enter the supporter's email address.", field="email")
    return email


def _target(settings: Settings, email: str) -> str:
    # The address itself never goes in the audit log; its keyed pseudonym does.
    return "subject:" + privacy.subject_key(settings.secret_key, email)[:32]


def export(
    session: Session, settings: Settings, actor: Actor, email: str, now: datetime
) -> dict[str, Any]:
    require(actor, Permission.export_personal_data)
    email = _checked(email)
    lock_for_write(session)
    data = privacy.export_address(session, email)
    audit.record(
        session,
        actor,
        "personal_data.exported",
        now,
        target=_target(settings, email),
        after={"letters": len(data["letters"])},
    )
    session.commit()
    return data


def count_held(session: Session, email: str) -> int:
    """How many letters an erasure would scrub (for the confirmation step)."""
    return len(privacy.export_address(session, _checked(email))["letters"])


def erase(
    session: Session, settings: Settings, actor: Actor | None, email: str, now: datetime
) -> ErasureReport:
    """`actor` None: the supporter's own request, through their emailed link."""
    if actor is not None:
        require(actor, Permission.erase_personal_data)
    email = _checked(email)
    who = events.SUPPORTER if actor is None else events.person(actor.id) if actor.id else "cli"
    report = privacy.erase_address(session, settings, email, now, actor=who)
    audit.record(
        session,
        actor,
        "personal_data.erased",
        now,
        target=_target(settings, email),
        after={**asdict(report), "by_supporter": actor is None},
    )
    session.commit()
    return report
