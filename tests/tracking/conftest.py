"""Tracking fixtures: a signing key pair, the app configured with its public key on the
per-test session (stored batches are applied on the same session, as the background task
does on its own), and helpers that build and sign event batches like SendGrid's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from service.app import create_app
from service.config import Settings
from service.delivery import service as delivery
from service.delivery.models import OutboxMessage, transition
from service.delivery.states import OutboxState
from service.deps import get_session
from service.letters.hooks import LetterTracking
from service.tracking.models import ProviderEvent, WebhookBatch
from service.tracking.webhooks import apply_stored, get_batch_processor
from tests.delivery.support import make_email
from tests.fakes.event_signing import EventSigner

Post = Callable[..., Any]


@pytest.fixture
def signer() -> EventSigner:
    return EventSigner()


@pytest.fixture
def tracking_settings(settings: Settings, signer: EventSigner) -> Settings:
    return settings.model_copy(update={"sendgrid_webhook_public_key": signer.public_key_b64})


def app_client(settings: Settings, engine: Engine, session: Session) -> TestClient:
    """No lifespan (no embedded worker): the test drives everything."""
    app = create_app(settings, engine=engine)

    def _session() -> Iterator[Session]:
        yield session

    def _processor() -> Callable[[int], None]:
        return lambda batch_id: apply_stored(
            session, batch_id, LetterTracking(settings), settings.tracking
        )

    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_batch_processor] = _processor
    return TestClient(app)


@pytest.fixture
def hook(tracking_settings: Settings, engine: Engine, session: Session) -> TestClient:
    return app_client(tracking_settings, engine, session)


def signed_post(
    client: TestClient,
    events: Any,
    signer: Callable[[bytes], dict[str, str]] | None,
    *,
    raw: bytes | None = None,
) -> Any:
    """POST a batch as SendGrid does: compact JSON, CRLF, signature over timestamp + body."""
    body = raw if raw is not None else (json.dumps(events, separators=(",", ":")) + "\r\n").encode()
    headers = {"Content-Type": "application/json"}
    if signer is not None:
        headers.update(signer(body))
    return client.post("/webhooks/sendgrid", content=body, headers=headers)


def stored(session: Session) -> tuple[int, int]:
    """(batches, events) stored so far."""
    batches = session.exec(select(func.count()).select_from(WebhookBatch)).one()
    events = session.exec(select(func.count()).select_from(ProviderEvent)).one()
    return batches, events


def sent_row(session: Session, n: int = 1, **overrides: Any) -> OutboxMessage:
    """An outbox row the provider has accepted (as the worker leaves it)."""
    now = datetime.now(UTC)
    outbox_id = delivery.enqueue(session, make_email(n, **overrides), now=now)
    row = session.get(OutboxMessage, outbox_id)
    assert row is not None
    transition(session, row, OutboxState.sending, now=now, actor="test")
    transition(session, row, OutboxState.sent, now=now, actor="test")
    session.flush()
    return row


def event(row: OutboxMessage | None, kind: str, at: int = 1_764_000_000, **extra: Any) -> dict:
    """One SendGrid event about `row` (its custom args merged at the top level)."""
    values: dict[str, Any] = {
        "email": row.to_email if row else "someone@elsewhere.example",
        "timestamp": at,
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
