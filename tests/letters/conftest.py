"""Letter fixtures: a fake clock passed to every use case, the seeded campaign, writable and
unwritable representatives, a ready-made valid letter, and the outbox rows a test produced."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, delete, select

from service.clock import FakeClock
from service.delivery.models import OutboxEvent, OutboxMessage
from service.letters.models import Letter, LetterEvent, RateLimitCounter
from service.letters.routes import get_now
from service.letters.schemas import LetterIn
from service.stats.rebuild import rebuild

UK_REP = "uk-1171"  # Liam Byrne, Birmingham Hodge Hill and Solihull North
UK_REP_NO_EMAIL = "uk-3924"
FR_REP = "fr-PA1567"  # Jérôme Guedj, Essonne 6e
START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def api(client: TestClient, clock: FakeClock) -> Iterator[TestClient]:
    """The app's test client on the per-test session, its clock pinned to `clock`, asking for
    JSON (browsers get the web pages at /confirm and /letters)."""
    client.app.dependency_overrides[get_now] = clock.now  # type: ignore[attr-defined]
    client.headers["Accept"] = "application/json"
    yield client
    client.app.dependency_overrides.pop(get_now, None)  # type: ignore[attr-defined]


LetterData = Callable[..., dict[str, Any]]

WORDS = [
    "winter",
    "father",
    "children",
    "years",
    "summit",
    "drop-in",
    "volunteer",
    "town",
    "harbour",
    "school",
    "nurse",
    "ferry",
    "church",
    "friend",
    "daughter",
    "teacher",
    "shelter",
    "lorry",
    "rain",
    "border",
    "night",
    "family",
    "tent",
    "coat",
    "camp",
]


def personal_paragraph(n: int) -> str:
    """A paragraph unlike every other test letter's (so none is held as a copy)."""
    # A step prime to len(WORDS): the 30 words never fall into a short repeating cycle, which
    # would leave the shared opening sentence most of the paragraph's shingles.
    step = (1, 2, 3, 4, 6, 7, 8, 9)[n % 8]
    picked = " ".join(WORDS[(n * 7 + i * step) % len(WORDS)] + str(n) for i in range(30))
    return f"I volunteer with a refugee drop-in in my town. {picked}."


@pytest.fixture
def letter_data() -> LetterData:
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> dict[str, Any]:
        n = next(counter)
        data: dict[str, Any] = {
            "campaign": "calais-border",
            "representative_id": UK_REP,
            "name": f"Alex Example {n}",
            "email": f"alex{n}@example.org",
            "postcode": "B34 7AA",
            "address": f"{n} Example Road, Birmingham",
            "demands": [1, 3],
            "message": personal_paragraph(n),
            "consent": True,
            "updates": False,
            "lang": "en",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def letter_in(letter_data: LetterData) -> Callable[..., LetterIn]:
    def make(**overrides: Any) -> LetterIn:
        return LetterIn.model_validate(letter_data(**overrides))

    return make


def outbox_for(session: Session, letter_id: str) -> list[OutboxMessage]:
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.letter_id == letter_id)
            .order_by(col(OutboxMessage.created_at), col(OutboxMessage.priority))
        ).all()
    )


def token_from(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def confirm_token_in(message: OutboxMessage) -> str:
    for word in message.text_body.split():
        if "/confirm/" in word:
            return token_from(word)
    raise AssertionError("no confirmation link in the email")


def delete_committed_letters(
    engine: Engine, which: ColumnElement[bool], *, counters_since: datetime
) -> None:
    """Remove letters a concurrency test really committed (the per-test rollback cannot),
    with their outbox rows, both event logs, and the rate-limit windows they opened."""
    with Session(engine) as session:
        ids = list(session.exec(select(Letter.id).where(which)).all())
        outbox = list(
            session.exec(
                select(OutboxMessage.id).where(col(OutboxMessage.letter_id).in_(ids))
            ).all()
        )
        session.exec(delete(OutboxEvent).where(col(OutboxEvent.outbox_id).in_(outbox)))
        session.exec(delete(OutboxMessage).where(col(OutboxMessage.id).in_(outbox)))
        session.exec(delete(LetterEvent).where(col(LetterEvent.letter_id).in_(ids)))
        session.exec(delete(Letter).where(col(Letter.id).in_(ids)))
        session.exec(
            delete(RateLimitCounter).where(col(RateLimitCounter.window_start) >= counters_since)
        )
        rebuild(session)  # deleted around the application: the counters follow
        session.commit()
