"""Letters waiting for a representative who has left their seat: held for the organisers,
never sent on, and never passed to the successor (a letter names the person it was written
to). The import commands call this with the ids an import vacated, inside the import's own
transaction, so the new roster and the held letters land together or not at all."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from service.delivery import service as delivery
from service.delivery.states import InvalidTransition
from service.letters.events import SYSTEM, move, set_hold_reason
from service.letters.models import Letter
from service.letters.states import HoldReason, LetterStatus

log = logging.getLogger("repmail.letters.departures")

DETAIL = "the representative left the seat"
# Confirmed letters are on their way to the outbox; queued ones are in it.
_WAITING = (LetterStatus.confirmed, LetterStatus.queued)


@dataclass(frozen=True, slots=True)
class HeldLetter:
    letter_id: str
    campaign_id: int
    representative_id: str


@dataclass(frozen=True, slots=True)
class DepartureHolds:
    held: list[HeldLetter]
    # Letters the provider already had when the seat was vacated: nothing can stop them.
    already_sent: list[str]


def hold_letters_for_departed(
    session: Session, representative_ids: Sequence[str], *, now: datetime
) -> DepartureHolds:
    """Hold every confirmed or queued letter to these representatives. The caller commits."""
    if not representative_ids:
        return DepartureHolds([], [])
    letters = session.exec(
        select(Letter)
        .where(col(Letter.representative_id).in_(list(representative_ids)))
        .where(col(Letter.status).in_(_WAITING))
        .order_by(Letter.representative_id, Letter.id)
        .with_for_update()
    ).all()
    held: list[HeldLetter] = []
    already_sent: list[str] = []
    for letter in letters:
        if letter.outbox_id is not None:
            try:
                delivery.cancel(session, letter.outbox_id, DETAIL, now=now)
            except InvalidTransition:
                already_sent.append(letter.id)  # a worker or the provider has it
                continue
        set_hold_reason(session, letter, HoldReason.representative_unavailable, now)
        move(session, letter, LetterStatus.held, now, DETAIL, actor=SYSTEM)
        held.append(HeldLetter(letter.id, letter.campaign_id, letter.representative_id))
    session.flush()
    if held or already_sent:
        # The organisers' notice until their console exists; ids only, nothing personal.
        log.warning(
            "letters held: their representative left the seat",
            extra={
                "held": len(held),
                "already_with_provider": len(already_sent),
                "representatives": sorted({h.representative_id for h in held}),
            },
        )
    return DepartureHolds(held, already_sent)
