"""Re-importing the bundled official data of one chamber from the console and its admin API:
first the diff (seats added, changed, vacated), written nowhere; then, on confirmation of that
very diff (its digest), the import in one transaction with what follows from it: letters
waiting for a member who left are held for the organisers (letters.departures), letters not
yet sent to a member whose official address changed go to the new one, and the audit entry.
Composed here because representatives, letters, delivery and accounts may not import each
other."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.roles import Permission
from service.accounts.service import require
from service.config import Settings
from service.db import use_case
from service.delivery.recipients import readdress_recipient
from service.errors import Conflict, InvalidInput
from service.letters.departures import HeldLetter, hold_letters_for_departed
from service.representatives import care
from service.representatives.import_diff import ImportDiff, apply_with_diff
from service.representatives.models import ChamberId, Representative
from service.representatives.schemas import ConstituencyRecord, RepresentativeRecord
from service.representatives.snapshot import (
    CHAMBER_DATASETS,
    chamber_files,
    files_checksum,
    read_chamber_snapshot,
    read_source_info,
    record_load,
)
from service.web.moderation import letter_actor


@dataclass(slots=True)
class Reimported:
    diff: ImportDiff
    held: list[HeldLetter] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    readdressed: int = 0


def chamber_of(value: str) -> ChamberId:
    try:
        return ChamberId(value)
    except ValueError:
        raise InvalidInput("Choose a chamber: uk-commons or fr-an.", field="chamber") from None


def preview(session: Session, settings: Settings, actor: Actor, chamber: str) -> ImportDiff:
    """What re-importing the chamber's bundled data would change; nothing is written."""
    require(actor, Permission.care_representatives)
    chamber_id = chamber_of(chamber)
    constituencies, representatives = read_chamber_snapshot(settings.data_dir, chamber_id)
    with use_case(session):
        try:
            diff = _apply(session, chamber_id, constituencies, representatives)
        finally:
            session.rollback()
    return diff


def apply(
    session: Session,
    settings: Settings,
    actor: Actor,
    chamber: str,
    digest: str,
    now: datetime,
) -> Reimported:
    """Apply the re-import whose diff was shown (`digest`); refused when the data changed
    since, or there is nothing to apply."""
    require(actor, Permission.care_representatives)
    chamber_id = chamber_of(chamber)
    data_dir = settings.data_dir
    constituencies, representatives = read_chamber_snapshot(data_dir, chamber_id)
    who = letter_actor(actor)
    with use_case(session):
        diff = _apply(session, chamber_id, constituencies, representatives)
        if diff.empty:
            raise Conflict("Nothing to apply: the data is already current.", field="digest")
        if diff.digest != digest:
            raise Conflict(
                "The data changed since these differences were shown: look at them again.",
                field="digest",
            )
        departed = [change.representative_id for change in diff.vacated]
        holds = hold_letters_for_departed(session, departed, now=now)
        readdressed = 0
        for rep_id, old, new in diff.email_changes:
            care.official_address_restored(session, rep_id)
            if new:
                moved = readdress_recipient(session, rep_id, old, new, actor=who, now=now)
                readdressed += moved.redirected
        dataset = CHAMBER_DATASETS[chamber_id]
        checksum = files_checksum(data_dir, chamber_files(chamber_id))
        info = read_source_info(data_dir, chamber_id=chamber_id)
        record_load(session, dataset, checksum, len(representatives), info)
        audit.record(
            session,
            actor,
            "representatives.reimported",
            now,
            target=f"chamber:{chamber_id.value}",
            after={
                "added": len(diff.added),
                "changed": len(diff.changed),
                "vacated": len(diff.vacated),
                "letters_held": len(holds.held),
                "letters_already_sent": len(holds.already_sent),
                "letters_moved_to_new_office": readdressed,
            },
        )
        session.commit()
    return Reimported(diff, holds.held, holds.already_sent, readdressed)


def _apply(
    session: Session,
    chamber_id: ChamberId,
    constituencies: list[ConstituencyRecord],
    representatives: list[RepresentativeRecord],
) -> ImportDiff:
    newest = session.exec(
        select(func.max(Representative.retrieved_on)).where(Representative.chamber_id == chamber_id)
    ).one()
    bundled = max((r.retrieved_on for r in representatives), default=None)
    if newest and bundled and bundled < newest:
        raise Conflict(
            "The bundled data is older than the data loaded: importing it would undo newer "
            "changes. Use the import commands with the newer files instead.",
            field="chamber",
        )
    _report, diff = apply_with_diff(session, chamber_id, constituencies, representatives)
    return diff
