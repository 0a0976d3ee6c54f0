"""Headers every answer carries, set in one place (plain ASGI, like the request log).

- `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (letter links carry
  tokens in their path: a page must never hand its URL to another site), and
  `X-Frame-Options: DENY` with CSP `frame-ancestors 'none'` (no page may be framed to trick a
  click on "Send my letter").
- `Cache-Control: no-store` unless a route chose its own: pages and JSON hold names,
  addresses, letters and CSRF tokens, which no shared or browser cache should keep. Static
  files keep their own caching.
- `Strict-Transport-Security` when the public base URL is https.
- A Content-Security-Policy that allows only this origin's scripts and styles (the API docs
  are served from local files, see service.api_docs).
- A redirect is never sent to another host: a `Location` built from the request's own Host
  header (Starlette's trailing-slash redirect does that) becomes relative, so a forged Host
  cannot turn this site into a redirector to evil.example.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = "max-age=31536000; includeSubDomains"
# Pages use no inline script or style at all.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)
# Swagger UI (local files) sets style attributes and draws icons from data: URIs.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
# Files that never hold personal data keep the caching their server chose.
CACHEABLE_PREFIXES = ("/static/", "/docs/assets/")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path == "/docs" or path.startswith("/docs/") else CSP
        cacheable = path.startswith(CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy", csp)
                if "cache-control" not in headers and not cacheable:
                    headers["Cache-Control"] = "no-store"
                if self.https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if message["status"] in _REDIRECTS and "location" in headers:
                    headers["Location"] = _same_site(headers["location"], host)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _same_site(location: str, host: str) -> str:
    """`location` without its scheme and host when they only echo the request's Host."""
    for scheme in ("http://", "https://"):
        prefix = f"{scheme}{host}"
        if host and location.lower().startswith(prefix.lower()):
            rest = location[len(prefix) :]
            if rest == "" or rest.startswith(("/", "?")):
                return "/" + rest.lstrip("/") if not rest.startswith("?") else "/" + rest
    return location
