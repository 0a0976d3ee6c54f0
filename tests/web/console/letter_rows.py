"""Letters written straight into the table, many at once, for the tests of the maps and the
exports: invented supporters, the statuses asked for, no mail; the dashboard's counters are rebuilt
afterwards, as `repmail db rebuild-stats` does after writes around the app."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlmodel import Session

from service.letters.models import Letter
from service.letters.states import LetterStatus
from service.stats.rebuild import rebuild

WRITTEN = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def add_letters(
    session: Session,
    campaign_id: int,
    letters: Iterable[tuple[str, LetterStatus]],
    *,
    name: str = "Invented Writer",
    message: str = "A paragraph of my own words.",
    batch: int = 5000,
) -> int:
    """Insert one letter per (representative id, status); returns how many."""
    rows: list[dict[str, object]] = []
    total = 0
    for n, (representative_id, status) in enumerate(letters):
        key = uuid.uuid4().hex
        written = WRITTEN + timedelta(hours=n % 72)
        rows.append(
            {
                "id": key,
                "campaign_id": campaign_id,
                "representative_id": representative_id,
                "status": status.value,
                "language": "en",
                "ui_lang": "en",
                "name": name,
                "email": f"writer{n}@example.org",
                "email_key": f"writer{n}@example.org",
                "postcode": "BA1 1AA",
                "address": f"{n} Invented Street",
                "message": message,
                "demands": "1,2",
                "subject": "A subject",
                "subject_is_own": False,
                "consent_at": written,
                "updates": False,
                "hold_reason": None,
                "similarity": 0.0,
                "fingerprint": b"",
                "confirm_token_hash": key + key,
                "confirm_expires_at": written + timedelta(days=7),
                "confirmation_sent_at": written,
                "created_at": written,
                "updated_at": written,
            }
        )
        if len(rows) >= batch:
            session.execute(insert(Letter), rows)
            total += len(rows)
            rows = []
    if rows:
        session.execute(insert(Letter), rows)
        total += len(rows)
    session.flush()
    rebuild(session)  # written around the app: the dashboard's counters recounted
    return total
