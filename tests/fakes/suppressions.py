"""A local stand-in for SendGrid's Suppressions API v3 (bounces, blocks, invalid_emails,
spam_reports): GET /v3/suppression/<list>/<email> answers the entries (an empty array when
there are none), DELETE removes them (204), a wrong key is 401."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

LISTS = ("bounces", "blocks", "invalid_emails", "spam_reports")


class FakeSuppressions:
    def __init__(self, api_key: str = "SG.test-key") -> None:
        self.api_key = api_key
        self.entries: dict[str, dict[str, str]] = {name: {} for name in LISTS}
        self.requests: list[tuple[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_DELETE(self) -> None:
                fake._handle(self, "DELETE")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def suppress(self, address: str, lists: Iterable[str], reason: str = "550 5.1.1") -> None:
        for name in lists:
            self.entries[name][address.lower()] = reason

    def __enter__(self) -> FakeSuppressions:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        self.requests.append((method, handler.path))
        if handler.headers.get("Authorization") != f"Bearer {self.api_key}":
            self._answer(handler, 401, {"errors": [{"message": "authorization required"}]})
            return
        parts = handler.path.split("/")
        if len(parts) != 5 or parts[1:3] != ["v3", "suppression"] or parts[3] not in LISTS:
            self._answer(handler, 404, {"errors": [{"message": "not found"}]})
            return
        entries, address = self.entries[parts[3]], unquote(parts[4]).lower()
        if method == "GET":
            reason = entries.get(address)
            found = [{"email": address, "created": 1764000000, "reason": reason}]
            self._answer(handler, 200, found if reason is not None else [])
        elif address in entries:
            del entries[address]
            self._answer(handler, 204, None)
        else:
            self._answer(handler, 404, {"errors": [{"message": "not found"}]})

    def _answer(self, handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
