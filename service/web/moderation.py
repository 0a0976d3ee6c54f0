"""Moderators' decisions on held letters and their reading of a letter's full text, for the
console and the admin API alike: each is one transaction with its audit entry. Composed here
because letters (the decision) and accounts (the audit log) may not import each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.roles import Permission
from service.accounts.service import require
from service.config import Settings
from service.db import use_case
from service.errors import DomainError
from service.letters import events, review
from service.letters.review import Decision, Outcome
from service.letters.review_queue import LetterReview, review_of

ACTIONS = {
    Decision.release: "letter.released",
    Decision.reject: "letter.rejected",
    Decision.return_: "letter.returned",
}


def letter_actor(actor: Actor) -> str:
    """Who a letter's history names: the person's id, never their address."""
    return events.person(actor.id) if actor.id else "cli"


def decide(
    session: Session,
    settings: Settings,
    actor: Actor,
    letter_id: str,
    decision: Decision,
    reason: str | None,
    now: datetime,
) -> Outcome:
    require(actor, Permission.moderate_letters)
    with use_case(session):
        outcome = review.decide(
            session, settings, letter_id, decision, reason, actor=letter_actor(actor), now=now
        )
        audit.record(
            session,
            actor,
            ACTIONS[decision],
            now,
            target=f"letter:{letter_id}",
            after={"status": outcome.status.value, "with_reason": bool((reason or "").strip())},
        )
        session.commit()
    return outcome


@dataclass
class BulkReport:
    done: list[Outcome] = field(default_factory=list)
    refused: dict[str, DomainError] = field(default_factory=dict)  # letter id → why


def decide_many(
    session: Session,
    settings: Settings,
    actor: Actor,
    letter_ids: list[str],
    decision: Decision,
    reason: str | None,
    now: datetime,
) -> BulkReport:
    """One transaction per letter: a letter someone else decided meanwhile is reported, and
    does not undo the decisions on the others."""
    review.clean_reason(decision, reason)
    report = BulkReport()
    for letter_id in dict.fromkeys(letter_ids):
        try:
            report.done.append(decide(session, settings, actor, letter_id, decision, reason, now))
        except DomainError as exc:
            report.refused[letter_id] = exc
    return report


def open_letter(
    session: Session, settings: Settings, actor: Actor, letter_id: str, now: datetime
) -> LetterReview:
    """A letter's full text, with the closest letters' scores: reading it is recorded."""
    require(actor, Permission.moderate_letters)
    with use_case(session):
        found = review_of(session, settings, letter_id)
        audit.record(
            session,
            actor,
            "letter.opened",
            now,
            target=f"letter:{letter_id}",
            after={"closest_shown": len(found.closest)},
        )
        session.commit()
    return found
