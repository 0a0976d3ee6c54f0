"""A letter's moves through its states and its append-only history, each event saying who
acted: the supporter, the system (periodic jobs, the delivery worker, rules applied on the
way) or a person of the console."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from service.letters.models import Letter, LetterEvent
from service.letters.states import LetterStatus, require_move

SUPPORTER = "supporter"
SYSTEM = "system"


def person(person_id: object) -> str:
    """The actor recorded for a signed-in person of the console (their id, never an
    address)."""
    return f"person:{person_id}"


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
    record_event(session, letter.id, current, target, now, detail, actor=actor)
    letter.status = target
    letter.updated_at = now
    session.add(letter)


_INSERT_EVENT = LetterEvent.__table__.insert()  # type: ignore[attr-defined]


def record_event(
    session: Session,
    letter_id: str,
    current: LetterStatus | None,
    target: LetterStatus,
    now: datetime,
    detail: str | None = None,
    *,
    actor: str,
) -> None:
    """Append a status change to the letter's history (the letter row must exist already).
    A plain INSERT, not an ORM object: nothing reads the event back in the use case, and every
    submission writes one."""
    session.connection().execute(
        _INSERT_EVENT,
        {
            "letter_id": letter_id,
            "at": now,
            "from_status": current,
            "to_status": target,
            "actor": actor[:100],
            "detail": detail,
        },
    )
