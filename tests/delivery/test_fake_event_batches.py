"""The fake SendGrid posts event batches the tracking webhook can verify like real ones."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sendgrid.helpers.eventwebhook import EventWebhook

from tests.fakes.event_signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    EventSigner,
    as_delivered,
)
from tests.fakes.sendgrid_server import FakeSendGrid


class _Inbox(BaseHTTPRequestHandler):
    posts: list[tuple[dict[str, str], bytes]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.posts.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    handler: type[_Inbox] = type("Inbox", (_Inbox,), {"posts": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/sendgrid", handler.posts
    server.shutdown()
    server.server_close()


def _events(n: int) -> list[dict[str, Any]]:
    return [
        {"event": "delivered", "sg_event_id": f"ev-{i}", "letter_id": f"L{i}", "timestamp": i}
        for i in range(n)
    ]


def test_signed_batches_verify_with_the_official_client(webhook: Any) -> None:
    url, posts = webhook
    signer = EventSigner()
    with FakeSendGrid(latency=0) as fake:
        assert fake.post_events(url, _events(3), signer=signer) == 204
    [(headers, raw)] = posts
    assert raw.endswith(b"\r\n")  # SendGrid's trailer is part of what is signed
    verifier = EventWebhook(signer.public_key_b64)
    assert verifier.verify_signature(
        raw.decode(), headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER]
    )
    tampered = raw.replace(b"delivered", b"bounce", 1).decode()
    assert not verifier.verify_signature(
        tampered, headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER]
    )


def test_another_key_does_not_verify(webhook: Any) -> None:
    url, posts = webhook
    with FakeSendGrid(latency=0) as fake:
        fake.post_events(url, _events(1), signer=EventSigner())
    [(headers, raw)] = posts
    stranger = EventWebhook(EventSigner().public_key_b64)
    assert not stranger.verify_signature(
        raw.decode(), headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER]
    )


def test_batches_can_repeat_and_reorder_events() -> None:
    events = _events(50)
    delivered = as_delivered(events, duplicate_share=0.2, shuffle=True, seed=7)
    ids = [event["sg_event_id"] for event in delivered]
    assert set(ids) == {event["sg_event_id"] for event in events}
    assert len(ids) > len(set(ids))  # some arrive twice
    assert ids != sorted(ids, key=lambda i: int(i.split("-")[1]))  # and out of order
    assert json.dumps(as_delivered(events, seed=1)) == json.dumps(events)
