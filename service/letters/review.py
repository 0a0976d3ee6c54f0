"""A moderator's decision on a held letter: release it, reject it (with a reason the supporter
is sent), or return it to the supporter to make it their own. Exactly one decision counts: the
letter is locked while it is decided, and a letter already decided (or returned) refuses the
next one with what happened to it.

The functions here do not commit: the console composes them with the audit entry in one
transaction (service.web.moderation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from service.config import Settings
from service.errors import Conflict, InvalidInput
from service.letters.events import move, record_event, set_hold_reason
from service.letters.models import Letter, LetterEvent
from service.letters.moderation import release_held
from service.letters.queries import find_letter
from service.letters.review_mail import queue_decision_mail
from service.letters.states import HoldReason, LetterStatus

MAX_REASON = 1000


class Decision(StrEnum):
    release = "release"
    reject = "reject"
    # Back to the supporter: the letter stays held until they rewrite their paragraph.
    return_ = "return"


@dataclass(frozen=True, slots=True)
class Outcome:
    letter_id: str
    decision: Decision
    status: LetterStatus
    hold_reason: str | None


class AlreadyDecided(Conflict):
    """Someone else's decision (or the supporter's rewrite) came first."""

    code = "already_decided"

    def __init__(self, letter: Letter, last: LetterEvent | None) -> None:
        self.status = LetterStatus(letter.status)
        self.hold_reason = letter.hold_reason
        self.decided_at = last.at if last else None
        self.decided_by = last.actor if last else None
        what = (
            "returned to the supporter"
            if letter.hold_reason == HoldReason.returned
            else f"now {letter.status}"
        )
        when = f" ({last.detail or last.to_status}, {last.at.isoformat()})" if last else ""
        super().__init__(f"Another decision came first: this letter is {what}{when}.")


def clean_reason(decision: Decision, reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    if decision is not Decision.release and not reason:
        raise InvalidInput("Give the supporter a reason.", field="reason")
    return reason


def awaits_decision(letter: Letter) -> bool:
    return letter.status == LetterStatus.held and letter.hold_reason != HoldReason.returned


def decide(
    session: Session,
    settings: Settings,
    letter_id: str,
    decision: Decision,
    reason: str | None,
    *,
    actor: str,
    now: datetime,
) -> Outcome:
    """Apply `decision` to a held letter in the caller's transaction. AlreadyDecided when the
    letter is no longer waiting for one."""
    reason = clean_reason(decision, reason)
    letter = find_letter(session, letter_id, for_update=True)
    if not awaits_decision(letter):
        raise AlreadyDecided(letter, last_event(session, letter.id))
    if decision is Decision.release:
        release_held(session, settings, letter, actor=actor, now=now)
    elif decision is Decision.reject:
        move(session, letter, LetterStatus.rejected, now, "rejected on review", actor=actor)
        queue_decision_mail(session, settings, letter, "rejected", reason, now)
    else:
        set_hold_reason(session, letter, HoldReason.returned, now)
        letter.updated_at = now
        session.add(letter)
        record_event(
            session,
            letter,
            LetterStatus.held,
            LetterStatus.held,
            now,
            "returned to the supporter",
            actor=actor,
        )
        queue_decision_mail(session, settings, letter, "returned", reason, now)
    session.flush()
    return Outcome(letter.id, decision, LetterStatus(letter.status), letter.hold_reason)


def last_event(session: Session, letter_id: str) -> LetterEvent | None:
    statement = (
        select(LetterEvent)
        .where(LetterEvent.letter_id == letter_id)
        .order_by(col(LetterEvent.at).desc(), col(LetterEvent.id).desc())
    )
    return session.exec(statement).first()
