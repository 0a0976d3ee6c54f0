"""The SendGrid backend against the fake SendGrid server: request shape, auth, each error
class, and a worker draining through it."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from service.clock import FakeClock
from service.config import DeliverySettings, Environment, Settings
from service.delivery.backends import (
    AmbiguousSendError,
    PermanentSendError,
    TransientSendError,
    build_backend,
    sendgrid_host,
)
from service.delivery.backends.sendgrid import SendGridBackend
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.delivery.worker import Worker
from tests.delivery.support import make_email, queue_emails, row
from tests.fakes.sendgrid_server import FakeSendGrid, validate_mail_send


@pytest.fixture
def fake() -> Iterator[FakeSendGrid]:
    with FakeSendGrid(latency=0.0, hang=0.6) as server:
        yield server


@pytest.fixture
def sendgrid(fake: FakeSendGrid) -> Iterator[SendGridBackend]:
    backend = SendGridBackend(fake.api_key, host=fake.url, timeout=0.3, connections=4)
    yield backend
    backend.close()


def test_letter_request_shape(fake: FakeSendGrid, sendgrid: SendGridBackend) -> None:
    email = make_email(3)
    provider_id = sendgrid.send(email, outbox_id="a" * 32)
    [received] = fake.received
    assert provider_id == received.message_id and len(provider_id) == 22
    assert received.headers["Authorization"] == f"Bearer {fake.api_key}"
    body = received.body
    assert validate_mail_send(body) == []
    assert body["from"] == {"email": email.sender.email, "name": email.sender.name}
    assert body["reply_to"] == {"email": email.reply_to.email, "name": email.reply_to.name}  # type: ignore[union-attr]
    assert body["personalizations"] == [
        {
            "to": [{"email": email.to.email, "name": email.to.name}],
            "custom_args": {"outbox_id": "a" * 32, "letter_id": "letter-00003"},
        }
    ]
    assert body["subject"] == email.subject
    assert body["content"] == [
        {"type": "text/plain", "value": email.text},
        {"type": "text/html", "value": email.html},
    ]
    tracking = body["tracking_settings"]
    assert tracking["click_tracking"] == {"enable": False, "enable_text": False}
    assert tracking["open_tracking"] == {"enable": False}
    assert "categories" not in body and "custom_args" not in body


def test_nothing_personal_in_custom_args(fake: FakeSendGrid, sendgrid: SendGridBackend) -> None:
    email = make_email(4)
    sendgrid.send(email, outbox_id="b" * 32)
    body = fake.received[0].body
    opaque = json.dumps([p.get("custom_args") for p in body["personalizations"]])
    personal = [email.to.email, email.reply_to.email, "Élodie", "Martin", "Jane"]  # type: ignore[union-attr]
    assert not [value for value in personal if value.lower() in opaque.lower()]


def test_mail_without_letter_id_is_named_by_its_outbox_row(
    fake: FakeSendGrid, sendgrid: SendGridBackend
) -> None:
    email = make_email(5, kind=MessageKind.confirmation, letter_id=None, html=None, reply_to=None)
    sendgrid.send(email, outbox_id="c" * 32)
    body = fake.received[0].body
    assert body["personalizations"][0]["custom_args"] == {"outbox_id": "c" * 32}
    assert [part["type"] for part in body["content"]] == ["text/plain"]
    assert "reply_to" not in body


def test_wrong_key_is_an_account_error(fake: FakeSendGrid) -> None:
    backend = SendGridBackend("SG.wrong", host=fake.url, timeout=1)
    with pytest.raises(PermanentSendError) as refused:
        backend.send(make_email(), outbox_id="d" * 32)
    assert refused.value.account_level
    assert refused.value.reason == "SendGrid 401: authorization required"
    backend.close()


def test_unverified_sender_is_an_account_error() -> None:
    with FakeSendGrid(latency=0, verified_senders=["letters@other.example"]) as fake:
        backend = SendGridBackend(fake.api_key, host=fake.url, timeout=1)
        with pytest.raises(PermanentSendError) as refused:
            backend.send(make_email(), outbox_id="e" * 32)
        backend.close()
    assert refused.value.account_level and "(from)" in refused.value.reason


def test_bad_request_is_permanent_with_the_field(
    fake: FakeSendGrid, sendgrid: SendGridBackend
) -> None:
    with pytest.raises(PermanentSendError) as refused:
        sendgrid.send(make_email(text=""), outbox_id="f" * 32)
    assert not refused.value.account_level
    assert refused.value.reason.startswith("SendGrid 400: ") and "(content)" in refused.value.reason
    assert fake.received == []


def test_rate_limit_carries_the_reset_time(fake: FakeSendGrid, sendgrid: SendGridBackend) -> None:
    fake.fail_next(429)
    with pytest.raises(TransientSendError) as limited:
        sendgrid.send(make_email(), outbox_id="1" * 32)
    assert limited.value.rate_limited
    assert limited.value.retry_at is not None
    assert 0 < (limited.value.retry_at - datetime.now(UTC)).total_seconds() <= 3


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(
    fake: FakeSendGrid, sendgrid: SendGridBackend, status: int
) -> None:
    fake.fail_next(status)
    with pytest.raises(TransientSendError) as failed:
        sendgrid.send(make_email(), outbox_id="2" * 32)
    assert not isinstance(failed.value, AmbiguousSendError)
    assert not failed.value.rate_limited


@pytest.mark.parametrize("fault", ["timeout", "disconnect"])
def test_no_answer_after_sending_is_ambiguous(
    fake: FakeSendGrid, sendgrid: SendGridBackend, fault: str
) -> None:
    fake.fail_next(fault)
    with pytest.raises(AmbiguousSendError):
        sendgrid.send(make_email(), outbox_id="3" * 32)
    assert len(fake.received) == 1  # ... and the provider did take it


def test_connection_refused_is_transient_not_ambiguous() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = SendGridBackend("SG.x", host=f"http://127.0.0.1:{port}", timeout=1)
    with pytest.raises(TransientSendError) as failed:
        backend.send(make_email(), outbox_id="4" * 32)
    assert not isinstance(failed.value, AmbiguousSendError)
    backend.close()


def test_sandbox_mode_is_validated_but_not_sent(fake: FakeSendGrid) -> None:
    backend = SendGridBackend(fake.api_key, host=fake.url, sandbox=True, timeout=1)
    assert backend.send(make_email(), outbox_id="5" * 32) == "sandbox-" + "5" * 32
    assert fake.received == [] and fake.requests == 1
    backend.close()


def test_region_and_host_settings() -> None:
    def settings(**values: Any) -> Settings:
        return Settings(env=Environment.test, sendgrid_api_key="SG.k", **values)

    assert sendgrid_host(settings()) == "https://api.sendgrid.com"
    eu = settings(delivery=DeliverySettings(sendgrid_region="eu"))
    assert sendgrid_host(eu) == "https://api.eu.sendgrid.com"
    fake = settings(sendgrid_host="http://127.0.0.1:9999/", delivery=eu.delivery)
    assert sendgrid_host(fake) == "http://127.0.0.1:9999"
    backend = build_backend(settings())
    assert backend.name == "sendgrid"
    backend.close()


def test_worker_drains_through_the_fake(db: Engine, clock: FakeClock) -> None:
    ids = queue_emails(db, clock, 20)
    with FakeSendGrid(latency=0.01) as fake:
        backend = SendGridBackend(fake.api_key, host=fake.url, timeout=2, connections=8)
        fake.fail_next(503)
        worker = Worker(db, backend, DeliverySettings(concurrency=8), clock=clock)
        worker.drain()
        clock.advance(hours=1)
        worker.drain()
        worker.close()
    assert {row(db, i).state for i in ids} == {OutboxState.sent}
    assert sorted(r.message_id for r in fake.received) == sorted(
        str(row(db, i).provider_message_id) for i in ids
    )
    letters = [r.body["personalizations"][0]["custom_args"]["letter_id"] for r in fake.received]
    assert len(letters) == len(set(letters)) == 20


def test_fake_posts_event_batches_to_a_webhook(
    fake: FakeSendGrid, sendgrid: SendGridBackend
) -> None:
    got: list[tuple[bytes, dict[str, str]]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append((self.rfile.read(int(self.headers["Content-Length"])), dict(self.headers)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, args=(0.05,), daemon=True).start()
    sendgrid.send(make_email(8), outbox_id="6" * 32)
    received = fake.received[0]
    events = fake.events_for(received, "delivered", response="250 OK")
    url = f"http://127.0.0.1:{hook.server_address[1]}/webhooks/sendgrid"
    status = fake.post_events(url, events, signer=lambda raw: {"X-Test-Signature": str(len(raw))})
    hook.shutdown()
    hook.server_close()
    assert status == 204
    raw, headers = got[0]
    assert raw.endswith(b"\r\n")
    assert headers["X-Test-Signature"] == str(len(raw))
    [event] = json.loads(raw)
    assert event["letter_id"] == "letter-00008"
    assert event["sg_message_id"].split(".")[0] == received.message_id
