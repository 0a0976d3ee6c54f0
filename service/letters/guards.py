"""Guards on what supporters send: header-safe text, the honeypot, and rate limits counted in
the database (so they hold across processes sharing PostgreSQL)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete

from service.errors import DomainError, InvalidInput
from service.letters.models import RateLimitCounter
from service.letters.tokens import keyed_hash

# Line and paragraph separators, and every C0/C1 control: none may reach a mail header.
_LINE_BREAKS = {"\u2028", "\u2029"}


class TooManyRequests(DomainError):
    status_code = 429
    code = "rate_limited"


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in _LINE_BREAKS


def single_line(value: str) -> str:
    """Trimmed text for a header or a one-line field; ValueError on a control character."""
    if any(_is_control(c) for c in value):
        raise ValueError("must be one line, without line breaks or control characters")
    return " ".join(value.split())


def paragraph(value: str) -> str:
    """Free text with line breaks (normalised to \\n); ValueError on other control characters."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if any(_is_control(c) and c != "\n" for c in text):
        raise ValueError("must not contain control characters")
    lines = [line.rstrip() for line in text.strip().split("\n")]
    # At most one blank line between paragraphs.
    kept: list[str] = []
    for line in lines:
        if not line and kept and not kept[-1]:
            continue
        kept.append(line)
    return "\n".join(kept)


def refuse_honeypot(value: str | None) -> None:
    if value:
        raise InvalidInput("Leave the 'website' field empty.", field="website")


def email_key(email: str) -> str:
    """The address as the one-letter rule compares it: trimmed and lower-cased. Dots and
    "+tags" are kept: they are distinct mailboxes at most providers, and folding them would
    treat two people (or two of one person's mailboxes) as one."""
    return email.strip().lower()


def _window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def count_hit(
    session: Session,
    *,
    secret: str,
    bucket: str,
    key: str,
    limit: int,
    window: timedelta,
    now: datetime,
    message: str,
) -> int:
    """Count one hit for `key` in the current window (atomically, in the caller's
    transaction) and refuse it with TooManyRequests past `limit`."""
    values = {
        "bucket": bucket,
        "key_hash": keyed_hash(secret, f"rate:{bucket}", key),
        "window_start": _window_start(now, window),
        "count": 1,
    }
    table = RateLimitCounter.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["bucket", "key_hash", "window_start"],
            set_={"count": table.c.count + 1},
        )
        .returning(table.c.count)
    )
    count = int(session.connection().execute(statement).scalar_one())
    if count > limit:
        raise TooManyRequests(message)
    return count


def purge_counters(session: Session, before: datetime) -> int:
    result = session.exec(
        delete(RateLimitCounter).where(col(RateLimitCounter.window_start) < before)
    )
    return int(result.rowcount or 0)


def ip_hash(secret: str, client_ip: str) -> str:
    return keyed_hash(secret, "ip", client_ip)
