"""Supporters' personal data: scrubbing it once it has served (retention), erasing all of it
about one email address on request, and exporting it.

What is personal in a letter: the supporter's name, email, postcode, address, subject and
paragraph (and the fingerprint of the paragraph), and the hashed client address. Scrubbing
blanks those and keeps the row (campaign, representative, status, dates, history), so every
count the dashboard shows stays the same. The outbox copies are erased through delivery
(unsent ones are cancelled first), rate-limit counters keyed by the address are deleted.

`scrub_after_retention` is the periodic job; `erase_address` and `export_address` are the
use cases behind the console, the admin API and the supporter's own request. The last two
leave the commit to the caller, which records the audit entry in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from service.campaigns.models import Campaign
from service.config import Settings
from service.db import lock_for_write
from service.delivery import service as delivery
from service.delivery.models import OutboxMessage
from service.errors import NotFound
from service.letters import guards
from service.letters.consent import ConsentRecord
from service.letters.events import move
from service.letters.models import Letter, LetterEvent, RateLimitCounter
from service.letters.states import LetterStatus
from service.letters.tokens import LinkExpired, keyed_hash

log = logging.getLogger("repmail.letters")
S = LetterStatus
# Buckets whose counters are keyed by the email address (guards.Hit.key is the email key).
EMAIL_BUCKETS = ("letters-email",)
# Letters that were still on their way: erasing them withdraws them.
_WITHDRAWN_ON_ERASURE = (S.pending_confirmation, S.confirmed, S.held, S.queued)
ERASED_DETAIL = "erased on request"


@dataclass(frozen=True)
class ErasureReport:
    letters: int
    outbox_rows: int
    consent_records: int
    rate_limit_counters: int


def subject_key(secret: str, email: str) -> str:
    """A stable pseudonym for an email address (audit entries name it this way, never by
    the address itself)."""
    return keyed_hash(secret, "privacy-subject", guards.email_key(email))


def _scrub(letter: Letter, now: datetime) -> None:
    letter.name = ""
    letter.email = ""
    # Unique with campaign and representative: a per-letter value keeps the constraint.
    letter.email_key = f"erased:{letter.id}"
    letter.postcode = ""
    letter.address = ""
    letter.message = ""
    letter.subject = ""
    letter.fingerprint = b""
    letter.ip_hash = None
    # The confirmation link must stop working: a random hash no token can match.
    letter.confirm_token_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
    letter.reminder_sent_at = letter.reminder_sent_at or now
    letter.updated_at = now


def _forget(session: Session, letters: list[Letter], now: datetime, actor: str) -> tuple[int, int]:
    ids = [letter.id for letter in letters]
    consents = session.exec(
        delete(ConsentRecord).where(col(ConsentRecord.letter_id).in_(ids))
    ).rowcount
    outbox = delivery.forget_letters(session, ids, actor=actor, now=now)
    for letter in letters:
        _scrub(letter, now)
        session.add(letter)
    return outbox, int(consents or 0)


def scrub_after_retention(session: Session, settings: Settings, now: datetime) -> int:
    """The periodic job: letters whose campaign's deadline is more than
    privacy.retention_days_after_deadline days past lose their personal data. Idempotent (a
    scrubbed letter is not picked again); at most letters.job_batch_size a call; commits.
    Returns how many letters it scrubbed."""
    cutoff = now - timedelta(days=settings.privacy.retention_days_after_deadline)
    lock_for_write(session)
    letters = list(
        session.exec(
            select(Letter)
            .join(Campaign, col(Campaign.id) == Letter.campaign_id)
            .where(col(Campaign.deadline) <= cutoff, col(Letter.email) != "")
            .order_by(col(Letter.created_at))
            .limit(settings.letters.job_batch_size)
        )
    )
    if letters:
        _forget(session, letters, now, "retention")
    session.commit()
    if letters:
        log.info("letters scrubbed after retention", extra={"count": len(letters)})
    return len(letters)


def _letters_of(session: Session, email: str) -> list[Letter]:
    key = guards.email_key(email)
    if not key or key.startswith("erased:"):
        return []
    return list(session.exec(select(Letter).where(Letter.email_key == key)))


def erase_address(
    session: Session, settings: Settings, email: str, now: datetime, *, actor: str
) -> ErasureReport:
    """Everything held about `email`: its letters' personal data (letters still on their way
    are withdrawn, the move recorded as `actor`'s), their outbox copies (unsent ones
    cancelled), consent records, and the rate-limit counters keyed by it. The caller
    commits."""
    lock_for_write(session)
    letters = _letters_of(session, email)
    for letter in letters:
        if LetterStatus(letter.status) in _WITHDRAWN_ON_ERASURE:
            move(session, letter, S.rejected, now, ERASED_DETAIL, actor=actor)
    outbox, consents = _forget(session, letters, now, "erasure") if letters else (0, 0)
    key = guards.email_key(email)
    counters = session.exec(
        delete(RateLimitCounter).where(
            col(RateLimitCounter.key_hash).in_(
                [keyed_hash(settings.secret_key, f"rate:{bucket}", key) for bucket in EMAIL_BUCKETS]
            )
        )
    ).rowcount
    report = ErasureReport(
        letters=len(letters),
        outbox_rows=outbox,
        consent_records=consents,
        rate_limit_counters=int(counters or 0),
    )
    log.info("personal data erased on request", extra=asdict(report))
    return report


def export_address(session: Session, email: str) -> dict[str, Any]:
    """Everything held about `email`, as JSON-ready data (the person's right of access)."""
    letters = _letters_of(session, email)
    ids = [letter.id for letter in letters]
    campaigns = {c.id: c.slug for c in session.exec(select(Campaign))}
    events = session.exec(
        select(LetterEvent).where(col(LetterEvent.letter_id).in_(ids)).order_by(col(LetterEvent.id))
    ).all()
    consents = session.exec(
        select(ConsentRecord).where(col(ConsentRecord.letter_id).in_(ids))
    ).all()
    mail = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.letter_id).in_(ids), col(OutboxMessage.redacted_at).is_(None))
        .order_by(col(OutboxMessage.created_at))
    ).all()
    return {
        "email": guards.email_key(email),
        "letters": [
            {
                "id": letter.id,
                "campaign": campaigns.get(letter.campaign_id),
                "representative_id": letter.representative_id,
                "status": letter.status,
                "name": letter.name,
                "email": letter.email,
                "postcode": letter.postcode,
                "address": letter.address,
                "subject": letter.subject,
                "message": letter.message,
                "demands": letter.demand_numbers,
                "updates": letter.updates,
                "language": letter.language,
                "consent_at": letter.consent_at.isoformat(),
                "created_at": letter.created_at.isoformat(),
                "history": [
                    {"at": e.at.isoformat(), "status": e.to_status, "detail": e.detail}
                    for e in events
                    if e.letter_id == letter.id
                ],
            }
            for letter in letters
        ],
        "consent": [
            {
                "letter_id": c.letter_id,
                "wording_version": c.wording_version,
                "lang": c.lang,
                "ticked_at": c.ticked_at.isoformat(),
            }
            for c in consents
        ],
        "emails": [
            {
                "letter_id": m.letter_id,
                "kind": m.kind,
                "state": m.state,
                "to": m.to_email,
                "subject": m.subject,
                "created_at": m.created_at.isoformat(),
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            }
            for m in mail
        ],
        "rate_limits": "counted under a keyed hash of the address for at most two days",
    }


ERASURE_LINK = "erasure-link"


def erasure_token(secret: str, letter_id: str, expires_at: datetime) -> str:
    """The link a supporter gets by email to erase their data: the letter, an expiry, and a
    signature under the secret key."""
    payload = f"{letter_id}.{int(expires_at.timestamp())}"
    return f"{payload}.{keyed_hash(secret, ERASURE_LINK, payload)}"


def read_erasure_token(secret: str, token: str, now: datetime) -> str:
    """The letter id of a genuine, unexpired erasure token (NotFound, LinkExpired)."""
    parts = token.split(".") if len(token) <= 200 else []
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 12:
        raise NotFound("This link is not valid. Check that it was copied in full.")
    letter_id, expires, signature = parts
    expected = keyed_hash(secret, ERASURE_LINK, f"{letter_id}.{expires}")
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise NotFound("This link is not valid. Check that it was copied in full.")
    if now >= datetime.fromtimestamp(int(expires), UTC):
        raise LinkExpired("This link has expired. Ask for a new one from your letter's page.")
    return letter_id
