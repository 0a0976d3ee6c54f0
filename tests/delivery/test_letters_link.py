"""End to end with the letters domain: a confirmed letter's outbox row, once the provider
accepts it, moves the letter itself to "sent" in the same transaction."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.clock import FakeClock
from service.config import DeliverySettings
from service.delivery import queue
from service.delivery.schemas import MessageKind
from service.letters.hooks import tell_letters
from service.letters.models import Letter
from service.letters.routes import get_now
from tests.letters.conftest import START, confirm_token_in, outbox_for, personal_paragraph


@pytest.fixture
def api(client: TestClient) -> Iterator[tuple[TestClient, FakeClock]]:
    clock = FakeClock(START)
    client.app.dependency_overrides[get_now] = clock.now  # type: ignore[attr-defined]
    client.headers["Accept"] = "application/json"
    yield client, clock
    client.app.dependency_overrides.pop(get_now, None)  # type: ignore[attr-defined]


def test_sent_letter_row_moves_the_letter_to_sent(
    api: tuple[TestClient, FakeClock], session: Session
) -> None:
    client, clock = api
    written = client.post(
        "/api/letters",
        json={
            "campaign": "calais-border",
            "representative_id": "uk-1171",
            "name": "Alex Delivery",
            "email": "alex.delivery@example.org",
            "postcode": "B34 7AA",
            "address": "1 Example Road, Birmingham",
            "demands": [1, 3],
            "message": personal_paragraph(4242),
            "consent": True,
            "updates": False,
            "lang": "en",
        },
    )
    assert written.status_code == 202, written.text
    letter_id = written.json()["id"]
    [confirmation] = outbox_for(session, letter_id)
    confirmed = client.get(
        f"/confirm/{confirm_token_in(confirmation)}", headers={"Accept": "application/json"}
    )
    assert confirmed.status_code == 200

    clock.advance(minutes=5)
    jobs = queue.claim(session, worker_id="w", limit=10, now=clock.now(), lease_seconds=60)
    assert {job.email.kind for job in jobs} == {MessageKind.confirmation, MessageKind.letter}
    queue.record(
        session,
        [queue.Outcome(job, provider_message_id=f"x-{n}") for n, job in enumerate(jobs)],
        worker_id="w",
        backend="memory",
        now=clock.now(),
        settings=DeliverySettings(),
        rng=random.Random(1),
        on_sent=tell_letters,
    )
    session.flush()
    letter = session.get(Letter, letter_id)
    assert letter is not None and letter.status == "sent"
