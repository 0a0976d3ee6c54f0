"""Live resolver backed by postcodes.io (optional; production only, never in the default
offline set-up). It answers postcodes the local table lacks, such as ones published after
the last NSPL import.

GET {base}/postcodes/{postcode}: 200 carries the constituency GSS code in
result.codes.parliamentary_constituency_2024; 404 means the postcode is unknown. Anything
else (timeouts, connection errors, 5xx, 429, unreadable bodies) is ServiceUnavailable, so the
caller falls through to pick-by-name.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx

from service.config import LookupSettings
from service.errors import ServiceUnavailable
from service.lookup.ttl_cache import TtlCache

log = logging.getLogger("repmail.lookup.postcodes_io")

# Unknown postcodes are remembered for less time than known ones: new postcodes appear
# every quarter, and a supporter who just moved in should not wait a day.
NEGATIVE_TTL_CAP_SECONDS = 3600.0


class PostcodesIoResolver:
    def __init__(
        self,
        client: httpx.Client,
        base_url: str,
        *,
        timeout_seconds: float,
        cache: TtlCache[str, str | None],
        ttl_seconds: float,
    ) -> None:
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout_seconds
        self._cache = cache
        self._ttl = ttl_seconds

    @classmethod
    def from_settings(
        cls, settings: LookupSettings, client: httpx.Client | None = None
    ) -> PostcodesIoResolver:
        if not settings.postcodes_io_url:
            raise ValueError("postcodes_io_url is not set")
        return cls(
            client or httpx.Client(headers={"User-Agent": "repmail"}),
            settings.postcodes_io_url,
            timeout_seconds=settings.postcodes_io_timeout_seconds,
            cache=TtlCache(settings.cache_size),
            ttl_seconds=settings.cache_ttl_seconds,
        )

    def constituency_for(self, key: str) -> str | None:
        cached, code = self._cache.get(key)
        if cached:
            return code
        code = self._fetch(key)
        ttl = self._ttl if code else min(self._ttl, NEGATIVE_TTL_CAP_SECONDS)
        self._cache.put(key, code, ttl)
        return code

    def _fetch(self, key: str) -> str | None:
        url = f"{self._base_url}/postcodes/{quote(key, safe='')}"
        try:
            response = self._client.get(url, timeout=self._timeout)
        except httpx.HTTPError as exc:
            log.warning("postcodes.io unreachable", extra={"error": type(exc).__name__})
            raise _unavailable() from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            log.warning("postcodes.io refused", extra={"status": response.status_code})
            raise _unavailable()
        try:
            return _constituency_code(response.json())
        except ValueError as exc:  # includes JSON decode errors
            log.warning("postcodes.io answer unreadable", extra={"error": str(exc)})
            raise _unavailable() from exc


def _constituency_code(body: Any) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("result"), dict):
        raise ValueError("no result object")
    codes = body["result"].get("codes")
    if not isinstance(codes, dict):
        raise ValueError("no codes object")
    if "parliamentary_constituency_2024" not in codes:
        # The documented field is gone: the API changed; do not cache that as "unknown".
        raise ValueError("no parliamentary_constituency_2024 code")
    code = codes["parliamentary_constituency_2024"]
    if code is None:
        return None  # a postcode outside every constituency (e.g. Channel Islands)
    if not isinstance(code, str):
        raise ValueError("constituency code is not text")
    code = code.strip()
    # Pseudo codes such as "E99999999" mean "no constituency", not a seat.
    return None if not code or code.endswith("99999999") else code


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable("The live postcode service is not answering just now.")
