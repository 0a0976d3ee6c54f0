"""Helpers shared by the delivery tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.clock import FakeClock
from service.delivery import service as delivery
from service.delivery.models import OutboxMessage
from service.delivery.schemas import Address, MessageKind, OutgoingEmail

EmailFactory = Callable[..., OutgoingEmail]


def make_email(n: int = 1, **overrides: Any) -> OutgoingEmail:
    values: dict[str, Any] = {
        "kind": MessageKind.letter,
        "sender": Address("letters@campaign.example", "Élodie Martin via Calais Campaign"),
        "to": Address(f"mp{n}@parliament.example", f"Jane Member {n}"),
        "reply_to": Address(f"supporter{n}@mail.example", "Élodie Martin"),
        "subject": f"Please back the campaign ({n})",
        "text": f"Dear Jane,\n\nPlain words, letter {n}.\n",
        "html": f"<p>Dear Jane,</p><p>Plain words, letter {n}.</p>",
        "letter_id": f"letter-{n:05d}",
    }
    values.update(overrides)
    return OutgoingEmail(**values)


def queue_emails(engine: Engine, clock: FakeClock, count: int = 1, **options: Any) -> list[str]:
    ids = []
    with Session(engine) as session, session.begin():
        for n in range(1, count + 1):
            ids.append(delivery.enqueue(session, make_email(n), now=clock.now(), **options))
    return ids


def queued(session: Session, email: OutgoingEmail, **options: Any) -> OutboxMessage:
    """delivery.enqueue(), and the row it wrote, loaded into `session`."""
    message = session.get(OutboxMessage, delivery.enqueue(session, email, **options))
    assert message is not None
    return message


def row(engine: Engine, outbox_id: str) -> OutboxMessage:
    with Session(engine, expire_on_commit=False) as session:
        message = session.get(OutboxMessage, outbox_id)
        assert message is not None
        return message


def history(engine: Engine, outbox_id: str) -> list[tuple[str | None, str]]:
    with Session(engine) as session:
        return [(e.from_state, e.to_state) for e in delivery.events_of(session, outbox_id)]
