"""Clients that send slowly, or go away half-way.

Two bounds, because the server sees a request in two stages:
- its headers, read by uvicorn before the application is called: `HeaderDeadlineH11Protocol`
  closes a connection that has not delivered a whole request head within
  `http.header_timeout_seconds` of being opened (or of its previous answer). uvicorn itself only
  times out idle connections, and any byte, however slowly sent, counts as activity.
- its body, read by the application: `RequestArrivalMiddleware` gives it
  `http.body_timeout_seconds` and answers 408 when it is not all there by then.

A client that closes the connection while sending its body is not a fault of ours: it is
logged as a disconnect (one line, no traceback), and nothing is answered (no one listens).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.config import get_settings

log = logging.getLogger("repmail.http")


class BodyTimeout(Exception):
    """The request body did not arrive within the allowed time."""


class RequestArrivalMiddleware:
    def __init__(self, app: ASGIApp, *, body_timeout_seconds: float) -> None:
        self.app = app
        self.body_timeout = body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout
        body_done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:
                # After the body, receive() waits for the client to leave: no deadline.
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except ClientDisconnect:
            log.info("client disconnected before its request was read")
        except BodyTimeout:
            log.info("request body too slow", extra={"timeout_s": self.body_timeout})
            if not started:
                await _send_json(
                    send,
                    408,
                    {
                        "error": "timeout",
                        "message": "The request took too long to arrive; please send it again.",
                        "field": None,
                    },
                )


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class HeaderDeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request head is too slow.

    Armed when the connection opens and again after each answer; disarmed as soon as a
    request's headers have been parsed (uvicorn then starts a new request cycle)."""

    # None: REPMAIL_HTTP__HEADER_TIMEOUT_SECONDS. (uvicorn is given this class by import
    # path, so that worker processes it spawns can load it: the value cannot travel with it.)
    header_timeout_seconds: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        waiting_for = self.cycle  # the cycle in progress, or None on a fresh connection
        handle = getattr(self, "_header_deadline", None)
        if handle is not None:
            handle.cancel()
        timeout = self.header_timeout_seconds or get_settings().http.header_timeout_seconds
        self._header_deadline = self.loop.call_later(
            timeout, self._header_deadline_passed, waiting_for
        )

    def _header_deadline_passed(self, waiting_for: object) -> None:
        if self.cycle is waiting_for and not self.transport.is_closing():
            # No new request head arrived in time (a new one would have made a new cycle).
            log.info("request headers too slow; connection closed")
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        handle = getattr(self, "_header_deadline", None)
        if handle is not None:
            handle.cancel()
        super().connection_lost(exc)


PROTOCOL_PATH = "service.slow_clients:HeaderDeadlineH11Protocol"
