"""Organisers' care of representatives, for the console and the admin API alike: pause and
resume letters to one of them, correct their address. Each is one transaction: the
representative locked and changed, their letters held, released or redirected, and the audit
entry. Composed here because representatives, letters and accounts may not import each
other this way round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.roles import Permission
from service.accounts.service import require
from service.config import Settings
from service.db import use_case
from service.letters import recipient_changes
from service.representatives import care
from service.representatives.models import Representative
from service.web.moderation import letter_actor


@dataclass(frozen=True, slots=True)
class CareOutcome:
    representative: Representative
    letters_moved: int  # held, released or redirected
    letters_on_their_way: int = 0


def set_paused(
    session: Session,
    settings: Settings,
    actor: Actor,
    representative_id: str,
    paused: bool,
    reason: str | None,
    now: datetime,
) -> CareOutcome:
    require(actor, Permission.care_representatives)
    who = letter_actor(actor)
    with use_case(session):
        rep = care.lock_representative(session, representative_id)
        if paused:
            care.pause(session, rep, reason or "", now)
            moved = recipient_changes.hold_queued(session, rep.id, actor=who, now=now)
        else:
            care.resume(session, rep, now)
            moved = recipient_changes.release_held(session, settings, rep.id, actor=who, now=now)
        audit.record(
            session,
            actor,
            "representative.paused" if paused else "representative.resumed",
            now,
            target=f"representative:{rep.id}",
            after={"status": rep.status.value, "letters": moved},
        )
        session.commit()
    return CareOutcome(rep, moved)


def correct_email(
    session: Session,
    actor: Actor,
    representative_id: str,
    email: str,
    source: str,
    now: datetime,
) -> CareOutcome:
    """Letters not yet sent go to the new address; those sent keep their history."""
    require(actor, Permission.care_representatives)
    with use_case(session):
        rep = care.lock_representative(session, representative_id)
        old_email = rep.email
        changed = care.correct_email(session, rep, email, source, now)
        moved = recipient_changes.redirect_unsent(
            session, rep.id, old_email, rep.email or "", actor=letter_actor(actor), now=now
        )
        audit.record(
            session,
            actor,
            "representative.contact_corrected",
            now,
            target=f"representative:{rep.id}",
            # The addresses themselves stay out of the log; the change and its effect do not.
            after={
                "changed": changed,
                "letters_redirected": moved.redirected,
                "letters_on_their_way": moved.on_their_way,
            },
        )
        session.commit()
    return CareOutcome(rep, moved.redirected, moved.on_their_way)
