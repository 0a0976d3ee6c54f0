"""POST /webhooks/sendgrid: a verified batch is stored and answered 204 at once, then
applied; every refusal stores nothing."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.config import Settings
from service.delivery.models import OutboxMessage
from service.tracking import service as tracking
from service.tracking.listeners import NoLetters
from service.tracking.models import ProviderEvent, WebhookBatch
from tests.fakes.event_signing import SIGNATURE_HEADER, EventSigner
from tests.tracking.conftest import app_client, event, sent_row, signed_post, stored

DAY = 24 * 3600


def test_a_signed_batch_is_stored_answered_and_applied(
    hook: TestClient, session: Session, signer: EventSigner
) -> None:
    row = sent_row(session)
    events = [event(row, "processed", 1), event(row, "delivered", 2), event(None, "open")]
    answer = signed_post(hook, events, signer)
    assert answer.status_code == 204
    assert stored(session) == (1, 3)
    batch = session.exec(select(WebhookBatch)).one()
    assert batch.processed_at is not None
    assert batch.body == json.dumps(events, separators=(",", ":")) + "\r\n"  # as received
    session.refresh(row)
    assert row.state == "delivered"
    assert tracking.counts(session)["unmatched_events"] == 1


def test_the_same_batch_twice_changes_nothing_more(
    hook: TestClient, session: Session, signer: EventSigner
) -> None:
    row = sent_row(session)
    events = [event(row, "delivered")]
    assert signed_post(hook, events, signer).status_code == 204
    assert signed_post(hook, events, signer).status_code == 204
    assert stored(session) == (2, 1)  # both posts kept, the event once
    history = session.exec(select(ProviderEvent).where(ProviderEvent.outbox_id == row.id)).all()
    assert len(history) == 1


def _refused(
    client: TestClient, session: Session, status: int, *args: object, **kw: object
) -> None:
    answer = signed_post(client, *args, **kw)  # type: ignore[arg-type]
    assert answer.status_code == status, answer.text
    assert stored(session) == (0, 0)


def test_a_forged_batch_is_refused(hook: TestClient, session: Session) -> None:
    forged = {
        SIGNATURE_HEADER: "MEUCIQDforgedforgedforged",
        "X-Twilio-Email-Event-Webhook-Timestamp": str(int(time.time())),
    }
    _refused(hook, session, 403, [event(None, "delivered")], lambda _raw: forged)
    _refused(hook, session, 403, [event(None, "delivered")], None)  # no signature at all


def test_a_modified_body_is_refused(
    hook: TestClient, session: Session, signer: EventSigner
) -> None:
    original = b'[{"event":"delivered","sg_event_id":"a"}]\r\n'
    headers = signer(original)
    changed = original.replace(b"delivered", b"bounce")
    _refused(hook, session, 403, None, lambda _raw: headers, raw=changed)


def test_a_batch_signed_with_another_key_is_refused(hook: TestClient, session: Session) -> None:
    _refused(hook, session, 403, [event(None, "delivered")], EventSigner())


def test_an_old_replayed_batch_is_refused(hook: TestClient, session: Session) -> None:
    key = EventSigner(clock=lambda: time.time() - 26 * 3600)
    settings = hook.app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"sendgrid_webhook_public_key": key.public_key_b64}
    )
    client = app_client(settings, hook.app.state.engine, session)  # type: ignore[attr-defined]
    _refused(client, session, 403, [event(None, "delivered")], key)


def test_a_future_dated_batch_is_refused(
    tracking_settings: Settings, engine: Engine, session: Session
) -> None:
    key = EventSigner(clock=lambda: time.time() + 3600)
    settings = tracking_settings.model_copy(
        update={"sendgrid_webhook_public_key": key.public_key_b64}
    )
    _refused(app_client(settings, engine, session), session, 403, [event(None, "delivered")], key)


def test_an_oversized_batch_is_refused(
    tracking_settings: Settings, engine: Engine, session: Session, signer: EventSigner
) -> None:
    small = tracking_settings.tracking.model_copy(update={"max_body_bytes": 2048})
    settings = tracking_settings.model_copy(update={"tracking": small})
    client = app_client(settings, engine, session)
    _refused(client, session, 413, [event(None, "delivered") for _ in range(40)], signer)


def test_malformed_batches_are_refused(
    hook: TestClient, session: Session, signer: EventSigner
) -> None:
    _refused(hook, session, 422, None, signer, raw=b'[{"event": "delivered"\r\n')
    _refused(hook, session, 422, None, signer, raw=b'{"event": "delivered"}\r\n')
    _refused(hook, session, 422, None, signer, raw=b"[1, 2]\r\n")
    _refused(hook, session, 422, None, signer, raw=b'["\xff"]\r\n')


def test_without_a_configured_key_nothing_is_accepted(
    settings: Settings, engine: Engine, session: Session, signer: EventSigner
) -> None:
    client = app_client(settings, engine, session)
    _refused(client, session, 403, [event(None, "delivered")], signer)


def test_a_batch_whose_processing_failed_stays_and_is_applied_later(
    hook: TestClient, session: Session, signer: EventSigner, tracking_settings: Settings
) -> None:
    row = sent_row(session)

    class Broken(NoLetters):
        def apply(self, session: Session, outcomes: object) -> None:
            raise RuntimeError("letters are away")

    row.letter_id = "letter-x"  # so the broken listener is called
    session.flush()
    raw_events = [event(row, "delivered")]
    body = (json.dumps(raw_events, separators=(",", ":")) + "\r\n").encode()
    batch_id = tracking.store_batch(session, body, now=datetime.now(UTC) - timedelta(minutes=5))
    with pytest.raises(RuntimeError):
        tracking.process_batch(
            session, batch_id, Broken(), tracking_settings.tracking, now=datetime.now(UTC)
        )
    batch = session.get(WebhookBatch, batch_id)
    assert batch is not None and batch.processed_at is None and batch.attempts == 1
    assert stored(session) == (1, 0)
    done = tracking.process_pending(
        session, NoLetters(), tracking_settings.tracking, now=datetime.now(UTC)
    )
    assert done == 1
    session.refresh(row)
    assert row.state == "delivered"
    assert session.get(OutboxMessage, row.id) is not None
