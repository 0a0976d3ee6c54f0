"""The audit log: who did what, when, from where, with a before/after summary.

Written with `record()` in the same session (so the same transaction) as the change it
describes. There is no function to change or remove an entry, and a flush that would is
refused: see `_refuse_changes`.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from service.accounts.models import AuditEntry
from service.accounts.roles import Role

# Summaries name what changed, never the secrets or content involved. A key that could hold
# one is refused outright, so a mistake shows up in tests rather than in the log.
_FORBIDDEN_KEY_PARTS = (
    "password",
    "token",
    "secret",
    "code",
    "body",
    "message",
    "text",
    "html",
    "email",
    "name",
    "address",
    "postcode",
    "phone",
)


class AuditLogIsAppendOnly(RuntimeError):
    pass


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in person (console session or API token) or the command line."""

    id: str | None
    email: str
    role: Role | None
    session_id: str | None = None
    token_id: str | None = None
    address_hash: str | None = None


CLI_ACTOR = Actor(id=None, email="command line", role=None)


def address_hash(secret_key: str, client_address: str | None, now: datetime) -> str | None:
    """A client address as stored: keyed with the secret and the month, so entries of one
    month can be grouped by address but the address cannot be read back, nor followed from
    one month to the next."""
    if not client_address:
        return None
    message = f"client-address:{now:%Y-%m}:{client_address}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def _check_summary(summary: Mapping[str, Any] | None) -> dict[str, object] | None:
    if summary is None:
        return None
    for key in summary:
        lowered = key.lower()
        if any(part in lowered for part in _FORBIDDEN_KEY_PARTS):
            raise ValueError(f"audit summaries never carry {key!r}")
    return dict(summary)


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    now: datetime,
    *,
    target: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    address: str | None = None,
) -> None:
    """Add one entry; the caller commits it with the change. `address` overrides the actor's
    hashed address (anonymous attempts have no actor)."""
    session.add(
        AuditEntry(
            at=now,
            actor_id=actor.id if actor else None,
            actor_label=actor.email if actor else "anonymous",
            address_hash=address or (actor.address_hash if actor else None),
            action=action,
            target=target,
            before=_check_summary(before),
            after=_check_summary(after),
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    person: str | None = None  # an account id or the label (email) of the actor
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search(
    session: Session, criteria: AuditFilter, *, limit: int = 100, offset: int = 0
) -> list[AuditEntry]:
    query = select(AuditEntry)
    if criteria.person:
        query = query.where(
            (col(AuditEntry.actor_id) == criteria.person)
            | (col(AuditEntry.actor_label) == criteria.person.strip().lower())
        )
    if criteria.action:
        query = query.where(col(AuditEntry.action) == criteria.action)
    if criteria.since:
        query = query.where(col(AuditEntry.at) >= criteria.since)
    if criteria.until:
        query = query.where(col(AuditEntry.at) < criteria.until)
    query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    return list(session.exec(query.offset(offset).limit(limit)))


@event.listens_for(OrmSession, "before_flush")
def _refuse_changes(session: OrmSession, _context: object, _instances: object) -> None:
    for instance in (*session.dirty, *session.deleted):
        if isinstance(instance, AuditEntry) and (
            instance in session.deleted or session.is_modified(instance)
        ):
            raise AuditLogIsAppendOnly("audit entries are never changed or removed")


def filter_by_days(
    person: str | None, action: str | None, since: date | None, until: date | None
) -> AuditFilter:
    """Dates as people pick them: `until` includes the whole of its day (UTC)."""
    return AuditFilter(
        person=(person or "").strip() or None,
        action=(action or "").strip() or None,
        since=datetime.combine(since, time.min, tzinfo=UTC) if since else None,
        until=datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC) if until else None,
    )


CSV_COLUMNS = ("at", "actor", "actor_id", "address_hash", "action", "target", "before", "after")


def _cell(value: object) -> str:
    text = "" if value is None else json.dumps(value) if isinstance(value, dict) else str(value)
    # A spreadsheet would run a cell that starts like a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(entries: list[AuditEntry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row = (
            entry.at.isoformat(),
            entry.actor_label,
            entry.actor_id,
            entry.address_hash,
            entry.action,
            entry.target,
            entry.before,
            entry.after,
        )
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()
