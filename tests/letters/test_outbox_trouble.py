"""When the confirmation email cannot be written (a full disk, a directory we may not write),
the supporter is told the truth, the letter is kept, and the email goes once it can."""

from __future__ import annotations

import random
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.clock import FakeClock
from service.config import DeliverySettings
from service.delivery import queue
from service.delivery.backends.base import SendError
from service.delivery.backends.file import FileBackend
from service.delivery.models import OutboxMessage
from service.delivery.states import OutboxState
from service.letters.hooks import tell_letters
from service.letters.models import Letter
from tests.letters.conftest import LetterData, outbox_for, token_from

SETTINGS = DeliverySettings()


def _work_once(session: Session, backend: FileBackend, clock: FakeClock) -> None:
    """One claim of every due row, sent through `backend`, as a worker does."""
    jobs = queue.claim(session, worker_id="w", limit=10, now=clock.now(), lease_seconds=60)
    outcomes = []
    for job in jobs:
        try:
            outcomes.append(queue.Outcome(job, backend.send(job.email, outbox_id=job.outbox_id)))
        except SendError as error:
            outcomes.append(queue.Outcome(job, error=error))
    queue.record(
        session,
        outcomes,
        worker_id="w",
        backend=backend.name,
        now=clock.now(),
        settings=SETTINGS,
        rng=random.Random(1),
        on_sent=tell_letters,
    )
    session.flush()


def test_an_unwritable_outbox_is_told_not_hidden_and_the_email_goes_later(
    api: TestClient,
    session: Session,
    clock: FakeClock,
    letter_data: LetterData,
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the outbox directory should be")
    broken = FileBackend(blocked / "outbox")  # every write fails (even for root)
    body = api.post("/api/letters", json=letter_data()).json()
    token = token_from(body["status_url"])

    for _ in range(SETTINGS.max_attempts + 2):  # longer than any message's own attempts
        clock.advance(minutes=2)
        _work_once(session, broken, clock)
    [confirmation] = outbox_for(session, body["id"])
    assert confirmation.state == OutboxState.queued  # kept, not given up
    status = api.get(f"/letters/{token}").json()
    assert status["status"] == "pending_confirmation"
    assert status["confirmation_email"] == "delayed"
    assert "not been able to send you the confirmation email yet" in status["explanation"]
    assert "open the link in the email we sent you" not in status["explanation"]
    page = api.get(f"/letters/{token}?sent=1", headers={"Accept": "text/html"}).text
    assert "We have sent you an email" not in page
    assert "not been able to send you the confirmation email yet" in page
    assert session.get(Letter, body["id"]) is not None

    clock.advance(minutes=2)
    _work_once(session, FileBackend(tmp_path / "outbox"), clock)  # the disk is back
    row = session.get(OutboxMessage, confirmation.id)
    assert row is not None and row.state == OutboxState.sent
    assert (tmp_path / "outbox" / f"{confirmation.id}.eml").is_file()
    status = api.get(f"/letters/{token}").json()
    assert status["confirmation_email"] is None
    assert "open the link in the email we sent you" in status["explanation"]


def test_a_confirmation_given_up_says_so(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    body = api.post("/api/letters", json=letter_data()).json()
    [confirmation] = outbox_for(session, body["id"])
    confirmation.state = OutboxState.failed
    confirmation.attempts = 1
    confirmation.last_error = "recipient refused: 550 no such user"
    session.add(confirmation)
    session.flush()
    status = api.get(f"/letters/{token_from(body['status_url'])}").json()
    assert status["confirmation_email"] == "failed"
    assert "could not send you the confirmation email" in status["explanation"]
