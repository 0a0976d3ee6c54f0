"""Letters driven through the real use cases (submit, confirm, send, provider events,
moderation, purge), for the dashboard's figures to be held against direct counts."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from service.clock import FakeClock
from service.config import Settings
from service.delivery import queue
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.letters.hooks import LetterTracking, tell_letters
from service.letters.models import Letter
from service.letters.routes import get_now
from service.stats.rebuild import rebuild
from service.tracking.service import process_batch, store_batch
from tests.letters.conftest import confirm_token_in, personal_paragraph

START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
UK_REP = "uk-1171"  # Liam Byrne
FR_REP = "fr-PA1567"  # Jérôme Guedj
ABROAD_REP_CONSTITUENCY = "099-03"


@dataclass
class Story:
    """What a test did, through the app's own use cases."""

    client: TestClient
    session: Session
    settings: Settings
    clock: FakeClock
    letters: list[str] = field(default_factory=list)
    counter: int = 0

    def submit(self, rep: str = UK_REP, message: str | None = None) -> str:
        self.counter += 1
        n = self.counter
        fr = rep.startswith("fr-")
        response = self.client.post(
            "/api/letters",
            headers={"accept": "application/json"},
            json={
                "campaign": "calais-border",
                "representative_id": rep,
                "name": f"Figure Writer {n}",
                "email": f"figures{n}@example.org",
                "postcode": "91300" if fr else "B34 7AA",
                "address": f"{n} Count Street",
                "demands": [1, 2],
                "message": personal_paragraph(300 + n) if message is None else message,
                "consent": True,
                "updates": False,
                "lang": "fr" if fr else "en",
            },
        )
        assert response.status_code == 202, response.text
        letter_id = str(response.json()["id"])
        self.letters.append(letter_id)
        return letter_id

    def confirm(self, letter_id: str) -> None:
        [mail] = self.session.exec(
            select(OutboxMessage).where(
                OutboxMessage.letter_id == letter_id,
                OutboxMessage.kind == MessageKind.confirmation,
            )
        )
        response = self.client.get(
            f"/confirm/{confirm_token_in(mail)}", headers={"accept": "application/json"}
        )
        assert response.status_code == 200, response.text

    def send_due(self, at: datetime) -> list[OutboxMessage]:
        """Every due row sent by the worker's own claim and record."""
        jobs = queue.claim(self.session, worker_id="w1", limit=500, now=at, lease_seconds=60)
        self.session.commit()
        queue.record(
            self.session,
            [queue.Outcome(job, provider_message_id=uuid.uuid4().hex) for job in jobs],
            worker_id="w1",
            backend="memory",
            now=at,
            settings=self.settings.delivery,
            rng=random.Random(1),
            on_sent=tell_letters,
        )
        self.session.commit()
        return [
            row
            for row in self.session.exec(
                select(OutboxMessage).where(col(OutboxMessage.id).in_([j.outbox_id for j in jobs]))
            )
            if row.kind == MessageKind.letter
        ]

    def provider_says(self, events: list[dict[str, Any]], at: datetime) -> None:
        batch = store_batch(self.session, json.dumps(events).encode(), now=at)
        process_batch(
            self.session, batch, LetterTracking(self.settings), self.settings.tracking, now=at
        )

    def letter(self, letter_id: str) -> Letter:
        found = self.session.get(Letter, letter_id)
        assert found is not None
        self.session.refresh(found)
        return found


def provider_event(
    row: OutboxMessage | None, kind: str, at: datetime, **extra: Any
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "email": row.to_email if row else "nobody@elsewhere.example",
        "timestamp": int(at.timestamp()),
        "event": kind,
        "sg_event_id": uuid.uuid4().hex,
        "sg_message_id": "fakeXMID.filterdrecv-fake-0.0",
    }
    if row is not None:
        values["outbox_id"] = row.id
        if row.letter_id:
            values["letter_id"] = row.letter_id
    values.update(extra)
    return values


@pytest.fixture
def story(client: TestClient, session: Session, settings: Settings) -> Iterator[Story]:
    clock = FakeClock(START)
    # Tests elsewhere that commit for real clean up by deleting rows around the application;
    # start from counters equal to the rows (undone with the test's transaction).
    rebuild(session)
    session.commit()
    client.app.dependency_overrides[get_now] = clock.now  # type: ignore[attr-defined]
    yield Story(client, session, settings, clock)
    client.app.dependency_overrides.pop(get_now, None)  # type: ignore[attr-defined]


def later(hours: float) -> datetime:
    return START + timedelta(hours=hours)
