"""Organisers' care of a representative, the one path for the representatives' pages, the
"fix this address" worklist and their admin API twins: pause letters to them, resume, and
correct their address. Each is one transaction: the representative locked and changed,
tracking's view of the address updated, the recipient's mail held, released or readdressed
(delivery.recipients), and the audit entry. After a correction the old address is looked
up on SendGrid's suppression lists so an organiser can release it there.

Whether the representative's mail is held follows from two facts, recomputed after every
change: the organisers paused them, or the provider reports their address failing or
paused after a spam report. Composed here because representatives, tracking, letters and
accounts may not import each other."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.roles import Permission
from service.accounts.service import require
from service.config import Settings
from service.db import use_case
from service.delivery import recipients
from service.errors import Conflict, DomainError, InvalidInput, NotFound
from service.letters.recipient_changes import queue_pacing
from service.representatives import care
from service.representatives.models import Representative, RepresentativeStatus
from service.tracking import care as tracking
from service.tracking.addresses import HOLD_REASONS, AddressState
from service.tracking.suppressions import SendGridSuppressions
from service.web.moderation import letter_actor

log = logging.getLogger("repmail.web.representatives")
PAUSED = "representative paused by the organisers"
WORKLIST_SOURCE = "Corrected from the failing-address worklist"


@dataclass(frozen=True, slots=True)
class CareOutcome:
    representative: Representative
    held: int = 0  # queued letters now held
    released: int = 0  # held letters queued again
    redirected: int = 0  # unsent letters that go to the corrected address
    on_their_way: int = 0  # letters a worker had taken: they keep the old address
    old_email: str | None = None
    # SendGrid suppression lists still holding the old address (None: not checked).
    suppressed_on: list[str] | None = field(default=None)


def set_paused(
    session: Session,
    settings: Settings,
    actor: Actor,
    representative_id: str,
    paused: bool,
    reason: str | None,
    now: datetime,
) -> CareOutcome:
    """Pause with a reason (queued letters wait; past the deadline their writers are told
    by the usual job), or resume: an organiser's pause, or the pause a spam report put on
    the address."""
    require(actor, Permission.care_representatives)
    who = letter_actor(actor)
    with use_case(session):
        rep = care.lock_representative(session, representative_id)
        if paused:
            care.pause(session, rep, reason or "", now)
        else:
            spam = tracking.lift_spam_pause(session, rep.id, now=now)
            if rep.status == RepresentativeStatus.paused:
                care.resume(session, rep, now)
            elif not spam:
                raise Conflict("Letters to this representative are not paused.", field="paused")
        held, released = _follow_hold(session, settings, rep, who, now)
        audit.record(
            session,
            actor,
            "representative.paused" if paused else "representative.resumed",
            now,
            target=f"representative:{rep.id}",
            after={"status": str(rep.status), "letters": held if paused else released},
        )
        session.commit()
    return CareOutcome(rep, held=held, released=released)


def correct_email(
    session: Session,
    settings: Settings,
    actor: Actor,
    representative_id: str,
    email: str,
    source: str,
    now: datetime,
    *,
    previous_email: str | None = None,
) -> CareOutcome:
    """Letters not yet sent go to the new address; those sent keep their history. With
    `previous_email` (the address the organiser saw), a change someone made meanwhile is
    refused rather than silently overwritten."""
    require(actor, Permission.care_representatives)
    who = letter_actor(actor)
    care.checked_address(email)  # a typing mistake is said before anything else
    with use_case(session):
        rep = care.lock_representative(session, representative_id)
        old_email = rep.email
        if previous_email is not None and (old_email or "").lower() != previous_email.lower():
            raise Conflict(
                "Someone changed this address meanwhile: check the address shown now "
                "before correcting it again.",
                field="email",
            )
        changed = care.correct_email(session, rep, email, source, now)
        moved = recipients.readdress_recipient(
            session, rep.id, old_email, rep.email or "", actor=who, now=now
        )
        if changed:
            tracking.forget_failure(session, old_email, now=now)
        held, released = _follow_hold(session, settings, rep, who, now)
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
                "letters_released": released,
            },
        )
        session.commit()
    listed = _suppressed_on(settings, old_email) if changed else []
    return CareOutcome(
        rep,
        held=held,
        released=released,
        redirected=moved.redirected,
        on_their_way=moved.on_their_way,
        old_email=old_email,
        suppressed_on=listed,
    )


def correct_failing_address(
    session: Session,
    settings: Settings,
    actor: Actor,
    address: str,
    new_address: str,
    now: datetime,
) -> CareOutcome:
    """The worklist's correction: the representative the failing address belongs to gets
    the new one, exactly as from their own page."""
    require(actor, Permission.care_representatives)
    key = tracking.recipient_of_address(session, address)
    if key is None:
        raise NotFound("No report was ever received about this address.", field="address")
    if tracking.address_state(session, address) == AddressState.ok:
        raise Conflict("This address is not marked failing.", field="address")
    return correct_email(
        session,
        settings,
        actor,
        key,
        new_address,
        WORKLIST_SOURCE,
        now,
        previous_email=address.strip(),
    )


def resume_address(
    session: Session, settings: Settings, actor: Actor, address: str, now: datetime
) -> CareOutcome:
    """The worklist's resume after a spam report: the representative's own resume."""
    key = tracking.recipient_of_address(session, address)
    if key is None:
        raise NotFound("No report was ever received about this address.", field="address")
    return set_paused(session, settings, actor, key, False, None, now)


def _follow_hold(
    session: Session, settings: Settings, rep: Representative, who: str, now: datetime
) -> tuple[int, int]:
    """Hold or release the representative's mail as the facts now say; returns (held,
    released)."""
    wanted = _wanted_hold(session, rep)
    current = recipients.recipient_hold(session, rep.id)
    if wanted == current:
        return 0, 0
    if wanted is not None:
        return recipients.hold_recipient(session, rep.id, wanted, actor=who, now=now), 0
    pacing = queue_pacing(session, settings, rep.id)
    return 0, recipients.release_recipient(session, rep.id, actor=who, now=now, pacing=pacing)


def _wanted_hold(session: Session, rep: Representative) -> str | None:
    if rep.status == RepresentativeStatus.paused:
        return PAUSED
    return HOLD_REASONS.get(tracking.address_state(session, rep.email))


def suppressions_for(settings: Settings) -> SendGridSuppressions | None:
    """The Suppressions API client when a SendGrid key is configured."""
    if not settings.sendgrid_api_key:
        return None
    return SendGridSuppressions(settings.sendgrid_api_key, settings.sendgrid_host)


def _suppressed_on(settings: Settings, address: str | None) -> list[str] | None:
    """The lists still holding the replaced address; None when it could not be checked (no
    SendGrid key, or SendGrid away): the correction stands either way."""
    suppressions = suppressions_for(settings) if address else None
    if suppressions is None or address is None:
        return None
    try:
        return suppressions.lists_holding(address)
    except DomainError:
        log.warning("suppression lists not checked after a correction")
        return None
    finally:
        suppressions.close()


def release_suppressions(
    session: Session,
    settings: Settings,
    actor: Actor,
    address: str,
    lists: list[str],
    now: datetime,
) -> list[str]:
    """Take a replaced address off SendGrid's suppression lists (an organiser's choice once
    the office says it works again); audited. Returns the lists it was removed from."""
    require(actor, Permission.care_representatives)
    suppressions = suppressions_for(settings)
    if suppressions is None:
        raise InvalidInput("No SendGrid key is configured.", field="address")
    try:
        released = suppressions.release(address.strip(), lists)
    finally:
        suppressions.close()
    with use_case(session):
        key = tracking.recipient_of_address(session, address)
        audit.record(
            session,
            actor,
            "representative.address_released",
            now,
            target=f"representative:{key}" if key else None,
            after={"lists": released},
        )
        session.commit()
    return released
