"""What letters give the delivery worker and tracking at start-up (app and cli wire them): the
listener told when the provider accepted a letter's row, the one told what became of it
(delivered, or failed and why), and the periodic jobs that belong to letters. Delivery and
tracking import no letters; they call these through their own Protocols."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import Insert, Select, Update, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.campaigns.models import Campaign
from service.config import Settings
from service.delivery.jobs import Periodic
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind, Unpaced
from service.delivery.service import enqueue_many
from service.letters import messages
from service.letters.events import change_of
from service.letters.jobs import purge_expired, reject_missed, send_due_reminders
from service.letters.models import Letter, LetterEvent
from service.letters.moderation import record_delivery
from service.letters.outbox import supporter_mail
from service.letters.plan import repace_overdue
from service.letters.privacy import scrub_after_retention
from service.letters.queries import campaign_of, recipient_of, recipients_of
from service.letters.replies import DeliveredLetter, plan_surveys, send_due_surveys
from service.letters.states import LetterStatus, require_move
from service.row_sets import RowSet, one_of
from service.stats import counting
from service.stats.counting import LetterChange, letters_changed


def tell_letters(session: Session, messages: Sequence[OutboxMessage], now: datetime) -> None:
    """delivery.queue.SentListener: each letter moves to "sent" with its outbox row, and
    the dashboard counts the send against its receiving domain."""
    counting.DELIVERY.sent(session, messages, now)
    ids = [message.letter_id for message in messages if message.letter_id]
    # One query loads them all; record_delivery then finds each in the session.
    session.exec(select(Letter).where(col(Letter.id).in_(ids))).all()
    for letter_id in ids:
        record_delivery(session, letter_id, LetterStatus.sent, now=now)


def letter_jobs(settings: Settings) -> Periodic:
    """The jobs `repmail worker` and the embedded worker run."""
    return Periodic(
        jobs=(
            ("reminders", lambda s, now: send_due_reminders(s, now, settings=settings)),
            ("missed_deadlines", lambda s, now: reject_missed(s, now, settings=settings)),
            ("purge", lambda s, now: purge_expired(s, now, settings=settings)),
            ("overdue", lambda s, now: repace_overdue(s, settings.delivery, now)),
            ("replies", lambda s, now: send_due_surveys(s, now, settings=settings)),
            ("retention", lambda s, now: scrub_after_retention(s, settings, now)),
        ),
        interval_seconds=settings.delivery.jobs_interval_seconds,
    )


# Who moved a letter on the provider's word (the letter event's actor).
PROVIDER = "provider"


class DeliveryNews(Protocol):
    """What tracking reports about one letter (tracking.listeners.LetterOutcome)."""

    @property
    def letter_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def failure(self) -> str | None: ...


class LetterTracking:
    """tracking.listeners.LetterOutcomes: a delivered letter says so, with the time; a failed
    one is bounced, with the reason, and its supporter is told in their language.

    Set-based for the bulk of a batch (deliveries): their statuses are read in one query and
    written with one UPDATE and one INSERT of their history (service.row_sets); only the few
    failed letters are loaded whole, to render the notice to their supporter."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def apply(self, session: Session, outcomes: Sequence[DeliveryNews]) -> None:
        connection = session.connection()
        found = {
            row.id: row
            for row in connection.execute(
                _select_status_for(connection.dialect.name),
                {"ids": sorted({outcome.letter_id for outcome in outcomes})},
            )
        }
        moves: list[dict[str, object]] = []
        history: list[dict[str, object]] = []
        delivered: list[DeliveredLetter] = []
        failed: list[DeliveryNews] = []
        for outcome in outcomes:
            row = found.pop(outcome.letter_id, None)
            if row is None:  # deleted since (erasure), or told already: nothing to tell
                continue
            if outcome.failure is not None:
                failed.append(outcome)
                continue
            steps = _delivered(row.id, LetterStatus(row.status), outcome.at)
            if steps:
                letters_changed(session, [_counted(row, step) for step in steps])
                moves.append(
                    {
                        "row_id": row.id,
                        "from_status": row.status,
                        "to_status": LetterStatus.delivered,
                        "at": outcome.at,
                    }
                )
                history.extend(steps)
                delivered.append(DeliveredLetter(row.id, row.campaign_id, outcome.at))
        if moves:
            moved, move_letters, events, insert_history = _statements_for(connection.dialect.name)
            moved.run(connection, move_letters, moves)
            events.run(connection, insert_history, history)
        plan_surveys(session, delivered)  # "did they reply?" some days later
        if failed:
            self._failed(session, failed)

    def _failed(self, session: Session, outcomes: Sequence[DeliveryNews]) -> None:
        """Bounced, with the reason in the history; the supporters' notices rendered one by
        one (each in its supporter's language) and queued together."""
        letters = {
            letter.id: letter
            for letter in session.exec(
                select(Letter).where(col(Letter.id).in_([o.letter_id for o in outcomes]))
            ).all()
        }
        campaigns: dict[int, Campaign] = {}
        recipients = recipients_of(
            session, [letter.representative_id for letter in letters.values()]
        )
        history: list[dict[str, object]] = []
        notices: list[Unpaced] = []
        for outcome in outcomes:
            letter = letters.get(outcome.letter_id)
            if letter is None or outcome.failure is None or letter.status not in _CAN_BOUNCE:
                continue
            history.append(
                _moved(session, letter, LetterStatus.bounced, outcome.at, outcome.failure)
            )
            recipient = recipients.get(letter.representative_id) or recipient_of(
                session, letter.representative_id
            )
            if letter.campaign_id not in campaigns:
                campaigns[letter.campaign_id] = campaign_of(session, letter)
            mail = supporter_mail(
                session,
                self.settings,
                letter,
                recipient,
                campaigns[letter.campaign_id],
                MessageKind.notice,
                base="bounced",
                explanation=messages.bounce_reason(outcome.failure, letter.ui_lang, recipient.name),
            )
            notices.append(Unpaced(mail, letter.campaign_id, outcome.at))
        connection = session.connection()
        events, statement = _statements_for(connection.dialect.name)[2:]
        events.run(connection, statement, history)
        enqueue_many(session, notices)


# A letter the provider says bounced: from these (a later bounce after "delivered" too).
_CAN_BOUNCE = frozenset({LetterStatus.queued, LetterStatus.sent, LetterStatus.delivered})


def _moved(
    session: Session, letter: Letter, target: LetterStatus, at: datetime, detail: str
) -> dict[str, object]:
    """Move the loaded letter (checked: require_move) and return its history row."""
    current = LetterStatus(letter.status)
    require_move(current, target)
    hold = letter.hold_reason
    letters_changed(session, [change_of(letter, (current, hold), (target, hold), at)])
    letter.status = target
    letter.updated_at = at
    return {
        "letter_id": letter.id,
        "at": at,
        "from_status": current,
        "to_status": target,
        "actor": PROVIDER,
        "detail": detail,
    }


_LETTERS = Letter.__table__  # type: ignore[attr-defined]
_HISTORY = LetterEvent.__table__  # type: ignore[attr-defined]


@lru_cache(maxsize=4)
def _select_status_for(dialect: str) -> Select[Any]:
    return (
        sa_select(
            _LETTERS.c.id,
            _LETTERS.c.status,
            _LETTERS.c.campaign_id,
            _LETTERS.c.representative_id,
            _LETTERS.c.hold_reason,
            _LETTERS.c.created_at,
        )
        .where(one_of(dialect, _LETTERS.c.id, "ids"))
        .order_by(_LETTERS.c.id)  # one lock order for every caller
        # Locked: the guarded UPDATE below then always applies, and the counters with it.
        .with_for_update()
    )


@lru_cache(maxsize=4)
def _statements_for(dialect: str) -> tuple[RowSet, Update, RowSet, Insert]:
    """The delivered letters' new status (one UPDATE) and history (one INSERT)."""
    moved = RowSet(
        dialect,
        {
            "row_id": _LETTERS.c.id.type,
            "from_status": _LETTERS.c.status.type,
            "to_status": _LETTERS.c.status.type,
            "at": _LETTERS.c.updated_at.type,
        },
    )
    # Guarded by the status it was read in: a letter moved meanwhile is left as it is.
    move_letters = (
        update(_LETTERS)
        .where(_LETTERS.c.id == moved.c["row_id"], _LETTERS.c.status == moved.c["from_status"])
        .values(status=moved.c["to_status"], updated_at=moved.c["at"])
    )
    names = ("letter_id", "at", "from_status", "to_status", "actor", "detail")
    events = RowSet(dialect, {name: _HISTORY.c[name].type for name in names})
    return moved, move_letters, events, events.insert(_HISTORY.insert())


def _delivered(letter_id: str, status: LetterStatus, at: datetime) -> list[dict[str, object]]:
    """The history of a delivered letter's moves (checked like any other, require_move): a
    queued one goes to sent first, the worker's record of it not having landed yet."""
    steps = [LetterStatus.sent] if status == LetterStatus.queued else []
    if status in (LetterStatus.queued, LetterStatus.sent):
        steps.append(LetterStatus.delivered)
    history: list[dict[str, object]] = []
    for target in steps:
        require_move(status, target)
        history.append(
            {
                "letter_id": letter_id,
                "at": at,
                "from_status": status,
                "to_status": target,
                "actor": PROVIDER,
                "detail": None,
            }
        )
        status = target
    return history


def _counted(row: Any, step: dict[str, object]) -> LetterChange:
    """The dashboard's count of one step of a delivered letter (its hold reason unchanged);
    each step is reached for the first time, the provider's word moving only forward."""
    hold = row.hold_reason
    target = str(step["to_status"])
    return LetterChange(
        letter_id=row.id,
        campaign_id=row.campaign_id,
        representative_id=row.representative_id,
        at=step["at"],  # type: ignore[arg-type]
        created_at=row.created_at,
        before=(str(step["from_status"]), hold),
        after=(target, hold),
        reached=target,
    )
