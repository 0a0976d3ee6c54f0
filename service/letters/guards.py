"""Guards on what supporters send: header-safe text, the honeypot, and rate limits counted in
the database (so they hold across processes sharing PostgreSQL)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Integer, String, TextualSelect, bindparam, text
from sqlmodel import Session, col, delete

from service.clock import SYSTEM_CLOCK
from service.errors import DomainError, InvalidInput
from service.letters.models import RateLimitCounter
from service.letters.tokens import keyed_hash

# Every C0 and C1 control (Unicode category Cc is exactly these two ranges) and the line and
# paragraph separators: none may reach a mail header. One regex scan, not a lookup per
# character: a personal paragraph runs to thousands of characters.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


# Bidirectional embeddings, overrides and isolates: in a From: name they make a header read
# backwards ("\u202egro.elpmaxe" shows as "example.org").
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
# An RFC 2047 encoded word typed as text would be decoded by the reader's mail program into
# something the supporter never wrote where we showed it: refused in one-line fields.
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=")


class TooManyRequests(DomainError):
    status_code = 429
    code = "rate_limited"


class UnsendableText(ValueError):
    """Text that cannot go into a letter as written. `reason` tells which rule it broke:
    line_break, control, direction, encoded_word, email_format, email_local_part."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def single_line(value: str) -> str:
    """Trimmed, NFC text for a header or a one-line field; UnsendableText on a control
    character, a text-direction control or an RFC 2047 encoded word."""
    if _CONTROL.search(value):
        raise UnsendableText(
            "line_break", "must be one line, without line breaks or control characters"
        )
    if _BIDI_CONTROL.search(value):
        raise UnsendableText(
            "direction",
            "must not contain invisible text-direction characters (U+202A to U+202E, "
            "U+2066 to U+2069); type it again without them",
        )
    if _ENCODED_WORD.search(value):
        raise UnsendableText(
            "encoded_word",
            "must not contain a mail encoding sequence like =?utf-8?q?...?=; write the text itself",
        )
    return unicodedata.normalize("NFC", " ".join(value.split()))


def mailbox(value: str) -> str:
    """An email address we can send to, normalised (domain lower-cased, Unicode domains kept:
    the backends write them in IDNA). UnsendableText for anything else. Letters before the @
    must be ASCII: none of the mail backends speaks SMTPUTF8, and accepting an address that
    no confirmation can reach would lose the letter."""
    value = single_line(value)
    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        if "@" in value and not value.rpartition("@")[0].isascii():
            raise UnsendableText(
                "email_local_part",
                "cannot be used: the part before the @ has accented or non-Latin letters, "
                "which our mail service cannot deliver; use another address",
            ) from None
        raise UnsendableText(
            "email_format", "is not a valid email address (it should look like name@example.org)"
        ) from None
    return str(checked.normalized)


def paragraph(value: str) -> str:
    """Free text with line breaks (normalised to \\n); ValueError on other control characters."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if _CONTROL_BUT_NEWLINE.search(text):
        raise UnsendableText("control", "must not contain control characters")
    lines = [line.rstrip() for line in text.strip().split("\n")]
    # At most one blank line between paragraphs.
    kept: list[str] = []
    for line in lines:
        if not line and kept and not kept[-1]:
            continue
        kept.append(line)
    return unicodedata.normalize("NFC", "\n".join(kept))


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


@dataclass(frozen=True, slots=True)
class Hit:
    """One request counted against one limit: at most `limit` per `window` for `key`."""

    bucket: str
    key: str
    limit: int
    window: timedelta
    message: str  # the refusal, when over the limit


def count_hit(session: Session, *, secret: str, hit: Hit, now: datetime) -> int:
    """Count one hit (atomically, in the caller's transaction) and refuse it with
    TooManyRequests past its limit."""
    return count_hits(session, secret=secret, hits=[hit], now=now)[0]


def count_hits(session: Session, *, secret: str, hits: Sequence[Hit], now: datetime) -> list[int]:
    """Count several hits in one statement (a submission counts its address and its email
    together); TooManyRequests for the first of them past its limit. Each hit has its own
    bucket: one statement cannot count the same row twice."""
    params: dict[str, Any] = {}
    for n, hit in enumerate(hits):
        params[f"bucket{n}"] = hit.bucket
        params[f"key{n}"] = keyed_hash(secret, f"rate:{hit.bucket}", hit.key)
        params[f"window{n}"] = _window_start(now, hit.window)
    statement = _upsert(len(hits))
    counted: dict[str, int] = dict(session.connection().execute(statement, params).all())
    counts = [int(counted[hit.bucket]) for hit in hits]
    for hit, count in zip(hits, counts, strict=True):
        if count > hit.limit:
            raise TooManyRequests(hit.message)
    return counts


@lru_cache(maxsize=8)
def _upsert(rows: int) -> TextualSelect:
    """INSERT ... ON CONFLICT DO UPDATE of `rows` counters (the same SQL on PostgreSQL and
    SQLite). Written as text, built once per size: SQLAlchemy cannot cache the compiled form of
    a multi-row upsert, and compiling it anew took longer than running it."""
    values = ", ".join(f"(:bucket{n}, :key{n}, :window{n}, 1)" for n in range(rows))
    window_type = RateLimitCounter.__table__.c.window_start.type  # type: ignore[attr-defined]
    return (
        text(
            "INSERT INTO rate_limit_counter (bucket, key_hash, window_start, count) "
            f"VALUES {values} "
            "ON CONFLICT (bucket, key_hash, window_start) "
            "DO UPDATE SET count = rate_limit_counter.count + 1 "
            "RETURNING bucket, count"
        )
        .bindparams(*(bindparam(f"window{n}", type_=window_type) for n in range(rows)))
        .columns(bucket=String(), count=Integer())
    )


def purge_counters(session: Session, before: datetime) -> int:
    result = session.exec(
        delete(RateLimitCounter).where(col(RateLimitCounter.window_start) < before)
    )
    return int(result.rowcount or 0)


def ip_hash(secret: str, client_ip: str, now: datetime | None = None) -> str:
    """The client address as a letter keeps it: keyed with the secret and the month, so
    letters of one month from one connection can be told apart from the rest, but the address
    cannot be read back, nor followed from one month to the next."""
    month = (now or SYSTEM_CLOCK.now()).strftime("%Y-%m")
    return keyed_hash(secret, f"ip:{month}", client_ip)
