"""GET /metrics. With REPMAIL_METRICS_TOKEN set, only `Authorization: Bearer <token>`;
unset, only clients on the loopback address (Prometheus on the same machine, or a proxy
there that keeps /metrics private)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from ipaddress import ip_address

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import Metric

from service.clock import SYSTEM_CLOCK, Clock
from service.deps import SessionDep
from service.metrics.collector import DatabaseCollector

router = APIRouter(tags=["ops"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text format"},
        401: {"description": "REPMAIL_METRICS_TOKEN is set and this is not it"},
        403: {"description": "No token is set and the client is not on the loopback address"},
    },
)
def metrics(request: Request, session: SessionDep) -> Response:
    """Prometheus text format; names prefixed repmail_."""
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    clock: Clock = getattr(request.app.state, "clock", SYSTEM_CLOCK)
    scrape = _Scrape(request.app.state.metrics_registry, DatabaseCollector(session, clock.now()))
    return Response(generate_latest(scrape), media_type=CONTENT_TYPE_LATEST)


class _Scrape:
    """The app's own registry (request counts) and this scrape's database figures."""

    def __init__(self, registry: CollectorRegistry, database: DatabaseCollector) -> None:
        self.registry = registry
        self.database = database

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()
        yield from self.database.collect()


def _refusal(request: Request) -> Response | None:
    token: str | None = request.app.state.settings.metrics_token
    if token:
        scheme, _space, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
            return None
        return JSONResponse(
            {"error": "not_signed_in", "message": "Send the metrics token: Bearer <token>."},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if _is_loopback(request.client.host if request.client else None):
        return None
    return JSONResponse(
        {
            "error": "forbidden",
            "message": "Metrics answer only the loopback address unless "
            "REPMAIL_METRICS_TOKEN is set.",
        },
        status_code=403,
    )


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ip_address(host).is_loopback
    except ValueError:
        return False
