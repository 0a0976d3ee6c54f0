"""A letter's moves through its states and its append-only history, each event saying who
acted: the supporter, the system (periodic jobs, the delivery worker, rules applied on the
way) or a person of the console.

Every change of a letter's status or hold reason is also counted (service.stats), in the
same transaction: the dashboard and the public counters read those counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists
from sqlmodel import Session, col, select

from service.letters.models import Letter, LetterEvent
from service.letters.states import LetterStatus, require_move
from service.stats.counting import SUBMITTED, LetterChange, letters_changed

SUPPORTER = "supporter"
SYSTEM = "system"


def person(person_id: object) -> str:
    """The actor recorded for a signed-in person of the console (their id, never an
    address)."""
    return f"person:{person_id}"


# A letter counts once in each of these steps of the funnel, the first time it gets there.
FUNNEL_STEPS = frozenset(
    {
        LetterStatus.confirmed,
        LetterStatus.held,
        LetterStatus.queued,
        LetterStatus.sent,
        LetterStatus.delivered,
    }
)
# The only steps a letter can enter twice (queued -> held -> queued when a seat empties).
_REENTERED = frozenset({LetterStatus.held, LetterStatus.queued})


def change_of(
    letter: Letter,
    before: tuple[str, str | None] | None,
    after: tuple[str, str | None] | None,
    at: datetime,
    reached: str | None = None,
) -> LetterChange:
    return LetterChange(
        letter_id=letter.id,
        campaign_id=letter.campaign_id,
        representative_id=letter.representative_id,
        at=at,
        created_at=letter.created_at,
        before=before,
        after=after,
        reached=reached,
    )


def reached_step(
    session: Session, letter_id: str, current: LetterStatus | None, target: LetterStatus
) -> str | None:
    """The funnel step `target` is for this letter if it never got there before."""
    if current is None:
        return SUBMITTED
    if current == target or target not in FUNNEL_STEPS:
        return None
    if current in _REENTERED and target in _REENTERED:
        again = session.exec(
            select(
                exists().where(
                    col(LetterEvent.letter_id) == letter_id, col(LetterEvent.to_status) == target
                )
            )
        ).one()
        if again:
            return None
    return str(target)


def move(
    session: Session,
    letter: Letter,
    target: LetterStatus,
    now: datetime,
    detail: str | None = None,
    *,
    actor: str,
) -> None:
    current = LetterStatus(letter.status)
    require_move(current, target)
    record_event(session, letter, current, target, now, detail, actor=actor)
    letter.status = target
    letter.updated_at = now
    session.add(letter)


def set_hold_reason(session: Session, letter: Letter, reason: str | None, now: datetime) -> None:
    """Change why a letter is held (or would be), telling the listeners."""
    if letter.hold_reason == reason:
        return
    status = str(letter.status)
    letters_changed(
        session, [change_of(letter, (status, letter.hold_reason), (status, reason), now)]
    )
    letter.hold_reason = reason


_INSERT_EVENT = LetterEvent.__table__.insert()  # type: ignore[attr-defined]


def record_event(
    session: Session,
    letter: Letter,
    current: LetterStatus | None,
    target: LetterStatus,
    now: datetime,
    detail: str | None = None,
    *,
    actor: str,
) -> None:
    """Append a status change to the letter's history (the letter row must exist already).
    A plain INSERT, not an ORM object: nothing reads the event back in the use case, and every
    submission writes one. The listeners hear of it first (they may read the history)."""
    if current != target:
        before = None if current is None else (str(current), letter.hold_reason)
        reached = reached_step(session, letter.id, current, target)
        letters_changed(
            session, [change_of(letter, before, (str(target), letter.hold_reason), now, reached)]
        )
    session.connection().execute(
        _INSERT_EVENT,
        {
            "letter_id": letter.id,
            "at": now,
            "from_status": current,
            "to_status": target,
            "actor": actor[:100],
            "detail": detail,
        },
    )
