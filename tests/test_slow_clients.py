"""Slow and vanishing clients, and whose forwarded headers are believed."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from sqlalchemy.engine import Engine
from starlette.types import Message, Receive, Scope, Send

from service.app import create_app
from service.cli import server_options
from service.config import HttpSettings, Settings
from service.slow_clients import HeaderDeadlineH11Protocol


def _scope(path: str, client: tuple[str, int] = ("203.0.113.5", 5000)) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"testserver")],
        "client": client,
        "server": ("testserver", 80),
    }


async def _call(app: Any, scope: dict[str, Any], incoming: list[Message | None]) -> list[Message]:
    """Runs one request; None in `incoming` means the client stops sending (for good)."""
    sent: list[Message] = []

    async def receive() -> Message:
        item = incoming.pop(0) if incoming else None
        if item is None:
            await asyncio.sleep(3600)
        assert item is not None
        return item

    async def send(message: Message) -> None:
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    return sent


def _app(settings: Settings, engine: Engine, **http: float) -> Any:
    tuned = settings.model_copy(update={"http": HttpSettings(**http)})
    return create_app(tuned, engine=engine)


def test_a_body_that_stops_arriving_is_a_408(settings: Settings, engine: Engine) -> None:
    app = _app(settings, engine, body_timeout_seconds=0.3)
    chunk = {"type": "http.request", "body": b'{"campaign": "calais', "more_body": True}
    started = time.monotonic()
    sent = asyncio.run(_call(app, _scope("/api/letters"), [chunk, None]))
    assert time.monotonic() - started < 5
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 408
    assert json.loads(sent[1]["body"])["error"] == "timeout"


def test_a_client_leaving_mid_body_is_a_disconnect_not_a_fault(
    settings: Settings, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(settings, engine)
    chunk = {"type": "http.request", "body": b'{"campaign": "calais', "more_body": True}
    with caplog.at_level(logging.INFO):
        for path in ("/api/letters", "/send"):
            sent = asyncio.run(_call(app, _scope(path), [chunk, {"type": "http.disconnect"}]))
            assert not any(m.get("status", 0) >= 500 for m in sent), path
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert any(r.getMessage().startswith("client disconnected") for r in caplog.records)
    statuses = [r.__dict__.get("status") for r in caplog.records if r.getMessage() == "request"]
    assert 500 not in statuses


async def _echo_client(scope: Scope, receive: Receive, send: Send) -> None:
    body = json.dumps({"client": scope["client"][0]}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def _client_seen(settings: Settings, peer: str, forwarded_for: str) -> str:
    config = uvicorn.Config(_echo_client, **server_options(settings))
    config.load()
    scope = {**_scope("/", client=(peer, 5000)), "method": "GET"}
    scope["headers"] = [*scope["headers"], (b"x-forwarded-for", forwarded_for.encode())]
    sent = asyncio.run(_call(config.loaded_app, scope, []))
    return str(json.loads(sent[1]["body"])["client"])


def test_forwarded_for_is_ignored_unless_its_proxy_is_named(settings: Settings) -> None:
    # The review rotated X-Forwarded-For from the loopback address past the per-IP limit.
    assert _client_seen(settings, "127.0.0.1", "198.51.100.7") == "127.0.0.1"
    behind = settings.model_copy(update={"http": HttpSettings(trusted_proxies="10.0.0.2")})
    assert _client_seen(behind, "10.0.0.2", "198.51.100.7") == "198.51.100.7"
    assert _client_seen(behind, "127.0.0.1", "198.51.100.7") == "127.0.0.1"


class _QuickHeaders(HeaderDeadlineH11Protocol):
    header_timeout_seconds = 0.3


@pytest.fixture
def server_port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(
        _echo_client, host="127.0.0.1", port=port, http=_QuickHeaders, log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def _read_all(connection: socket.socket) -> bytes:
    connection.settimeout(5)
    data = b""
    while chunk := connection.recv(4096):
        data += chunk
    return data


def test_a_request_head_sent_slowly_is_cut_off(server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port)) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.15)
        slow.sendall(b"X-A: 1\r\n")  # activity, but still no whole head
        started = time.monotonic()
        assert _read_all(slow) == b""  # closed without an answer
        assert time.monotonic() - started < 2


def test_a_prompt_request_is_answered_and_may_keep_its_connection(server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port)) as prompt:
        prompt.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert b"200 OK" in _read_all(prompt)
