"""SendGrid's suppression lists (Suppressions API v3): which lists hold an address, and
releasing it from them once an organiser has fixed what made it fail. A plain httpx client;
tests run it against a local fake (tests/fakes/suppressions.py)."""

from __future__ import annotations

import logging
from typing import Protocol
from urllib.parse import quote

import httpx

from service.errors import ServiceUnavailable

log = logging.getLogger("repmail.tracking")

# The lists that make SendGrid drop mail to an address, by their API path.
LISTS = ("bounces", "blocks", "invalid_emails", "spam_reports")


class SuppressionLists(Protocol):
    def lists_holding(self, address: str) -> list[str]: ...

    def release(self, address: str, lists: list[str]) -> list[str]: ...


class SendGridSuppressions:
    def __init__(self, api_key: str, host: str, *, timeout: float = 10.0) -> None:
        self._client = httpx.Client(
            base_url=host.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=timeout,
        )

    def close(self) -> None:
        self._client.close()

    def _path(self, name: str, address: str) -> str:
        return f"/v3/suppression/{name}/{quote(address, safe='@')}"

    def lists_holding(self, address: str) -> list[str]:
        """The lists `address` is on (an empty list: SendGrid will send to it)."""
        found = []
        for name in LISTS:
            answer = self._call("GET", self._path(name, address))
            entries = answer.json() if answer.status_code == 200 else []
            if isinstance(entries, list) and entries:
                found.append(name)
        return found

    def release(self, address: str, lists: list[str]) -> list[str]:
        """Remove `address` from each of `lists`; returns those it was removed from."""
        released = []
        for name in lists:
            if name not in LISTS:
                continue
            answer = self._call("DELETE", self._path(name, address))
            if answer.status_code in (200, 204):
                released.append(name)
            elif answer.status_code != 404:
                raise ServiceUnavailable(
                    f"SendGrid refused to release the address ({answer.status_code}).",
                    field="address",
                )
        log.warning("suppressions released", extra={"lists": ",".join(released)})
        return released

    def _call(self, method: str, path: str) -> httpx.Response:
        try:
            answer = self._client.request(method, path)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                "SendGrid's suppression lists cannot be reached at the moment.", field="address"
            ) from exc
        if answer.status_code in (401, 403) or answer.status_code >= 500:
            raise ServiceUnavailable(
                f"SendGrid's suppression lists answered {answer.status_code}.", field="address"
            )
        return answer
