"""GET /metrics: Prometheus text format, every name prefixed repmail_. One registry per app
(so tests and several apps in one process never share counters): request counts kept by a
middleware, and the database's figures (outbox, sends, webhook events, queue lag, periodic
jobs) read when Prometheus scrapes, by a collector."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from service.metrics.requests import RequestMetricsMiddleware, request_counter
from service.metrics.routes import router


def install(app: FastAPI) -> None:
    registry = CollectorRegistry(auto_describe=True)
    app.state.metrics_registry = registry
    app.add_middleware(RequestMetricsMiddleware, counter=request_counter(registry))
    app.include_router(router)
