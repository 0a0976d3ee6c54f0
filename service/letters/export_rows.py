"""One row per letter of a campaign, with the supporter's personal data, read through a
server-side cursor (PostgreSQL) or a lazily stepped one (SQLite) so an export of a million
letters never holds more than one batch in memory. Who may read it, and the audit entry, are
the caller's (service.web.exports)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import col

from service.letters.models import Letter
from service.representatives.models import Representative

LETTER_COLUMNS = (
    "letter_id",
    "created_at",
    "status",
    "hold_reason",
    "confirmed_at",
    "representative_id",
    "constituency_id",
    "name",
    "email",
    "postcode",
    "address",
    "subject",
    "message",
    "demands",
    "updates",
    "language",
)
BATCH_ROWS = 1000

_LETTERS = (
    select(
        col(Letter.id),
        col(Letter.created_at),
        col(Letter.status),
        col(Letter.hold_reason),
        col(Letter.confirmed_at),
        col(Letter.representative_id),
        col(Representative.constituency_id),
        col(Letter.name),
        col(Letter.email),
        col(Letter.postcode),
        col(Letter.address),
        col(Letter.subject),
        col(Letter.message),
        col(Letter.demands),
        col(Letter.updates),
        col(Letter.language),
    )
    .join(Representative, col(Representative.id) == col(Letter.representative_id))
    .order_by(col(Letter.created_at), col(Letter.id))
)


def letter_rows(connection: Connection, campaign_id: int) -> Iterator[Sequence[Any]]:
    # Per statement: Connection.execution_options() would change the connection itself, and
    # the request's session goes on using it.
    result = connection.execute(
        _LETTERS.where(col(Letter.campaign_id) == campaign_id),
        execution_options={"yield_per": BATCH_ROWS},
    )
    for row in result:
        yield tuple(row)
