"""One letter per writer, representative and campaign, without telling anyone whether an
address has written already.

Who wrote to whom is political opinion: the answer to a submission must not reveal it. So a
submission is always stored as a new pending letter and answered the same way (202 and the new
letter's own status link), whoever typed the address. What differs goes by email to that
address, which only its owner reads: the new letter's confirmation, or, when a letter from the
address to this representative was confirmed already, a note with that first letter's status
link. A letter whose confirmation was never sent cannot be confirmed; it is purged with the
other unconfirmed letters.

Several pending letters may therefore exist; the first to be confirmed is the writer's letter
(a unique index over confirmed letters holds even for two clicks at the same moment), and
confirming another one shows the first instead.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from service.letters.models import Letter

# A note to the address, in place of the new letter's confirmation (template and subject).
WRITTEN_BEFORE = "written_before"


def confirmed_first(
    session: Session, campaign_id: int, representative_id: str, email_key: str
) -> Letter | None:
    """The letter this address confirmed to this representative for this campaign, if any."""
    return session.exec(  # type: ignore[call-overload]
        select(Letter).where(
            col(Letter.campaign_id) == campaign_id,
            col(Letter.representative_id) == representative_id,
            col(Letter.email_key) == email_key,
            col(Letter.confirmed_at).is_not(None),
        )
    ).scalar_one_or_none()


def claim_confirmation(session: Session, letter: Letter, now: datetime) -> Letter | None:
    """Mark `letter` confirmed as its writer's one letter to the representative; or, when
    another was confirmed first (even a moment ago, by another request), leave it unconfirmed
    and return that first letter."""
    first = confirmed_first(session, letter.campaign_id, letter.representative_id, letter.email_key)
    if first is not None:
        return first
    try:
        with session.begin_nested():
            letter.confirmed_at = now
            session.add(letter)
            session.flush()
    except IntegrityError:  # the index over confirmed letters: another click won
        session.refresh(letter)
        return confirmed_first(
            session, letter.campaign_id, letter.representative_id, letter.email_key
        )
    return None
