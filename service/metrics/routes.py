"""GET /metrics. With REPMAIL_METRICS_TOKEN set, only `Authorization: Bearer <token>`;
unset, only clients on the loopback address (Prometheus on the same machine, or a proxy
there that keeps /metrics private)."""

from __future__ import annotations

import hmac
from ipaddress import ip_address

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["ops"])


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus text format; names prefixed repmail_."""
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    body = generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


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
