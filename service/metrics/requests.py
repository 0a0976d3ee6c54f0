"""Requests by method, route template and status, counted by a plain ASGI middleware (the
template, never the URL: query strings and paths hold postcodes and tokens, and one series
per URL would grow without end)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "unmatched"


def request_counter(registry: CollectorRegistry) -> Counter:
    return Counter(
        "repmail_http_requests",
        "HTTP requests answered, by method, route template and status.",
        ["method", "route", "status"],
        registry=registry,
    )


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp, counter: Counter) -> None:
        self.app = app
        self.counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self.counter.labels(scope["method"], route_template(scope), str(status)).inc()


def route_template(scope: Scope) -> str:
    """The matched route's path, with the mount it sits under (the console's /console)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    return str(scope.get("root_path", "")) + path
