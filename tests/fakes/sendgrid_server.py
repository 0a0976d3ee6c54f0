"""A fake SendGrid v3 Mail Send server for tests and benchmarks.

A real HTTP server on 127.0.0.1 (stdlib ThreadingHTTPServer, one thread per connection,
HTTP/1.1 keep-alive) so both httpx and the official `sendgrid` client can be pointed at it:

    with FakeSendGrid(latency=0.01) as fake:
        settings.sendgrid_host = fake.url
        fake.fail_next(429, 500, "timeout", "disconnect")
        ...
        fake.received  # every request it accepted (after auth and shape checks)

It checks the Bearer key and the Mail Send shape (400 with SendGrid-style errors), refuses
unverified senders when told which are verified (403), answers 202 with a 22-character
X-Message-Id (200 and no id in sandbox mode), adds latency (fixed, or drawn from a range),
injects faults on demand (fail_next) or at random (fault_rate, seeded), and can post event
batches to a webhook URL (post_events; signed with tests/fakes/event_signing.EventSigner)."""

from __future__ import annotations

import base64
import json
import random
import sys
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

Fault = int | str  # an HTTP status to answer with, or "timeout" / "disconnect"
Latency = float | tuple[float, float]  # seconds, or a (low, high) range drawn per request
Signer = Callable[[bytes], dict[str, str]]  # raw body -> extra headers (signature, timestamp)

PERSONALIZATION_KEYS = {
    "to",
    "cc",
    "bcc",
    "subject",
    "headers",
    "substitutions",
    "dynamic_template_data",
    "custom_args",
    "send_at",
    "from",
}
TOP_LEVEL_KEYS = {
    "personalizations",
    "from",
    "reply_to",
    "reply_to_list",
    "subject",
    "content",
    "attachments",
    "template_id",
    "headers",
    "categories",
    "custom_args",
    "send_at",
    "batch_id",
    "asm",
    "ip_pool_name",
    "mail_settings",
    "tracking_settings",
}


@dataclass(frozen=True, slots=True)
class Received:
    body: dict[str, Any]
    headers: dict[str, str]
    message_id: str
    at: float
    # Accepted, but the client was not told ("timeout", "disconnect"); None: answered 202.
    fault: Fault | None = None


@dataclass
class FakeState:
    api_key: str
    latency: Latency
    hang: float  # how long a "timeout" fault holds the answer back
    verified_senders: set[str] | None
    faults: deque[Fault] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Random faults: this share of valid requests gets one of fault_mix (drawn with rng).
    fault_rate: float = 0.0
    fault_mix: tuple[Fault, ...] = ()
    rng: random.Random = field(default_factory=random.Random)
    injected: Counter[Fault] = field(default_factory=Counter)  # every fault served, by kind

    def next_fault(self) -> tuple[Fault | None, float]:
        """The fault for the next valid request (queued ones first), and its latency."""
        with self.lock:
            if self.faults:
                fault: Fault | None = self.faults.popleft()
            elif self.fault_rate and self.rng.random() < self.fault_rate:
                fault = self.rng.choice(self.fault_mix)
            else:
                fault = None
            if fault is not None:
                self.injected[fault] += 1
            latency = self.latency
            if isinstance(latency, tuple):
                latency = self.rng.uniform(*latency)
            return fault, latency


def new_message_id() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")  # 22 chars


def validate_mail_send(body: Any) -> list[dict[str, Any]]:
    """SendGrid-style errors for what the real API would refuse with a 400."""
    errors: list[dict[str, Any]] = []

    def fail(message: str, field_name: str | None) -> None:
        errors.append({"message": message, "field": field_name, "help": None})

    if not isinstance(body, dict):
        return [{"message": "Bad Request", "field": None, "help": None}]
    for key in set(body) - TOP_LEVEL_KEYS:
        fail(f"unknown property {key}", key)
    sender = body.get("from")
    if not isinstance(sender, dict) or "@" not in str(sender.get("email", "")):
        fail("The from object must be provided for every email send.", "from")
    people = body.get("personalizations")
    if not isinstance(people, list) or not 1 <= len(people) <= 1000:
        fail(
            "The personalizations field is required and must have 1 to 1000 items.",
            "personalizations",
        )
        people = []
    seen: set[str] = set()
    recipients = 0
    for index, person in enumerate(people):
        where = f"personalizations.{index}"
        if not isinstance(person, dict) or not person.get("to"):
            fail("The to array is required for all personalization objects.", f"{where}.to")
            continue
        for key in set(person) - PERSONALIZATION_KEYS:
            fail(f"unknown personalization property {key}", f"{where}.{key}")
        for kind in ("to", "cc", "bcc"):
            for address in person.get(kind) or []:
                recipients += 1
                email = str(address.get("email", "")).lower()
                if "@" not in email:
                    fail("Does not contain a valid address.", f"{where}.{kind}.email")
                if email in seen:
                    fail(
                        "Each unique email address in the personalizations array should only "
                        "be included once.",
                        f"{where}.{kind}",
                    )
                seen.add(email)
        custom = person.get("custom_args") or {}
        if len(json.dumps(custom).encode()) >= 10_000:
            fail("custom_args must be under 10,000 bytes", f"{where}.custom_args")
        if not (person.get("subject") or body.get("subject")):
            fail("The subject is required.", "subject")
    if recipients > 1000:
        fail("too many recipients", "personalizations")
    content = body.get("content")
    if not isinstance(content, list) or not content:
        fail(
            "Unless a valid template_id is provided, the content parameter is required.", "content"
        )
    else:
        types = [part.get("type") for part in content]
        if "text/plain" in types and types[0] != "text/plain":
            fail("The text/plain content type must be first.", "content")
        if any(not part.get("value") for part in content):
            fail("The content value must be a string at least one character in length.", "content")
    if body.get("reply_to") and body.get("reply_to_list"):
        fail("reply_to and reply_to_list are mutually exclusive", "reply_to")
    categories = body.get("categories") or []
    if len(categories) > 10 or any(len(str(c)) > 255 for c in categories):
        fail("at most 10 categories of at most 255 characters", "categories")
    for name, setting in (body.get("tracking_settings") or {}).items():
        if not isinstance(setting.get("enable"), bool):
            fail("enable must be a boolean", f"tracking_settings.{name}.enable")
    sandbox = (body.get("mail_settings") or {}).get("sandbox_mode", {})
    if sandbox and not isinstance(sandbox.get("enable"), bool):
        fail("enable must be a boolean", "mail_settings.sandbox_mode.enable")
    return errors


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        with state.lock:
            state.requests += 1
        if self.path != "/v3/mail/send":
            self._answer(404, {"errors": [{"message": "not found", "field": None}]})
            return
        if self.headers.get("Authorization") != f"Bearer {state.api_key}":
            self._answer(401, {"errors": [{"message": "authorization required", "field": None}]})
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._answer(400, {"errors": [{"message": "Bad Request", "field": None}]})
            return
        errors = validate_mail_send(body)
        if errors:
            self._answer(400, {"errors": errors})
            return
        sender = str(body["from"]["email"]).lower()
        if state.verified_senders is not None and sender not in state.verified_senders:
            message = "The from address does not match a verified Sender Identity."
            self._answer(403, {"errors": [{"message": message, "field": "from"}]})
            return
        fault, latency = state.next_fault()
        if latency:
            time.sleep(latency)
        if isinstance(fault, int):
            self._answer(fault, _fault_body(fault))
            return
        sandbox = bool((body.get("mail_settings") or {}).get("sandbox_mode", {}).get("enable"))
        message_id = new_message_id()
        if not sandbox:
            record = Received(
                body,
                dict(self.headers.items()),
                message_id,
                time.time(),
                fault if isinstance(fault, str) else None,
            )
            with state.lock:
                state.received.append(record)
        if fault == "disconnect":  # accepted, but the answer never comes
            self.close_connection = True
            return
        if fault == "timeout":  # accepted, answered too late for the client
            time.sleep(state.hang)
        if sandbox:
            self._answer(200, None)
        else:
            self._answer(202, None, {"X-Message-Id": message_id})

    def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode() if payload is not None else b""
        try:
            self.send_response(status)
            reset = int(time.time()) + (2 if status == 429 else 60)
            self.send_header("X-RateLimit-Limit", "600")
            self.send_header("X-RateLimit-Remaining", "0" if status == 429 else "599")
            self.send_header("X-RateLimit-Reset", str(reset))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (its timeout): nothing to answer
            self.close_connection = True


def _fault_body(status: int) -> dict[str, Any]:
    message = "too many requests" if status == 429 else "internal error"
    return {"errors": [{"message": message, "field": None}]}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    state: FakeState

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-request (a killed worker, a timeout) is not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeSendGrid:
    def __init__(
        self,
        *,
        api_key: str = "SG.test-key",
        latency: Latency = 0.1,
        hang: float = 1.0,
        verified_senders: Iterable[str] | None = None,
        port: int = 0,
        fault_rate: float = 0.0,
        fault_mix: Sequence[Fault] = (500, 429, "timeout"),
        seed: int | None = None,
    ) -> None:
        self.api_key = api_key
        verified = {s.lower() for s in verified_senders} if verified_senders else None
        self.state = FakeState(
            api_key,
            latency,
            hang,
            verified,
            fault_rate=fault_rate,
            fault_mix=tuple(fault_mix),
            rng=random.Random(seed),
        )
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.state = self.state
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def received(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.received)

    @property
    def requests(self) -> int:
        return self.state.requests

    @property
    def injected(self) -> Counter[Fault]:
        """How many of each fault were served (queued and random ones)."""
        with self.state.lock:
            return Counter(self.state.injected)

    def fail_next(self, *faults: Fault) -> None:
        with self.state.lock:
            self.state.faults.extend(faults)

    def start(self) -> FakeSendGrid:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSendGrid:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- event webhook ---------------------------------------------------------------------

    def events_for(self, received: Received, event: str, **extra: Any) -> list[dict[str, Any]]:
        """Per-recipient events as SendGrid builds them: custom args merged at top level."""
        events = []
        for n, person in enumerate(received.body["personalizations"]):
            for address in person["to"]:
                events.append(
                    {
                        "email": address["email"],
                        "timestamp": int(time.time()),
                        "event": event,
                        "smtp-id": f"<{received.message_id}@fake>",
                        "sg_event_id": new_message_id(),
                        "sg_message_id": f"{received.message_id}.filterdrecv-fake-{n}.0",
                        **(person.get("custom_args") or {}),
                        **extra,
                    }
                )
        return events

    def post_events(
        self, webhook_url: str, events: list[dict[str, Any]], *, signer: Signer | None = None
    ) -> int:
        """POST one batch as SendGrid does: compact JSON plus CRLF. `signer` is where the
        ECDSA signature headers come from once the tracking webhook verifies them."""
        raw = (json.dumps(events, separators=(",", ":")) + "\r\n").encode()
        headers = {"Content-Type": "application/json"}
        if signer is not None:
            headers.update(signer(raw))
        return httpx.post(webhook_url, content=raw, headers=headers, timeout=10).status_code
