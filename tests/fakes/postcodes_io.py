"""A fake postcodes.io: httpx.MockTransport serving the recorded answers beside this file."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

RECORDINGS = Path(__file__).parent / "postcodes_io"
BASE_URL = "https://postcodes.test"


def recorded_answer(name: str) -> httpx.Response:
    body = json.loads((RECORDINGS / f"{name}.json").read_text(encoding="utf-8"))
    return httpx.Response(body["status"], json=body)


class FakePostcodesIo:
    """Answers GET /postcodes/{key} from the recordings (404 for any other postcode) and
    remembers the paths it was asked for. `failure` makes every request fail instead."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.failure: Exception | httpx.Response | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.failure, Exception):
            raise self.failure
        if isinstance(self.failure, httpx.Response):
            return self.failure
        prefix = "/postcodes/"
        key = request.url.path.removeprefix(prefix).replace(" ", "").upper()
        if request.method != "GET" or not request.url.path.startswith(prefix):
            return httpx.Response(405)
        if (RECORDINGS / f"{key}.json").is_file():
            return recorded_answer(key)
        return recorded_answer("not_found")

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))
