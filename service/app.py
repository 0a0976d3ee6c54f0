"""create_app(): routers, error handlers, request logging."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException
from starlette.routing import Match

from service import __version__
from service.accounts.routes import router as accounts_admin_router
from service.api_docs import install as install_api_docs
from service.config import Settings, get_settings
from service.db import UNAVAILABLE_ERRORS, create_db_engine, unavailable
from service.delivery.embedded import embedded_worker
from service.deps import SessionDep
from service.errors import RETRY_AFTER_SECONDS, DatabaseUnavailable, DomainError
from service.heap import freeze_start_up_objects
from service.letters.hooks import LetterTracking, letter_jobs, tell_letters
from service.letters.routes import router as letters_router
from service.lookup.routes import router as lookup_router
from service.lookup.service import LookupDependencies
from service.metrics import install as install_metrics
from service.request_log import RequestLogMiddleware
from service.security_headers import SecurityHeadersMiddleware
from service.slow_clients import RequestArrivalMiddleware
from service.stats import counting
from service.tracking.jobs import with_tracking
from service.tracking.listeners import listen_to_events
from service.tracking.webhooks import BatchApplier
from service.tracking.webhooks import router as tracking_router
from service.validation_messages import explain_first
from service.web.console import install as install_console
from service.web.console.mail import OutboxAccountMailer
from service.web.public import install as install_public_pages
from service.web.public.error_pages import busy_page, failure_page, not_found_page, wants_html

log = logging.getLogger("repmail.http")


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    lookup_deps: LookupDependencies | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or create_db_engine(settings)
    app = FastAPI(
        title="repmail",
        version=__version__,
        description="Find your MP or député and write to them about a campaign.",
        lifespan=_lifespan,
        docs_url=None,  # served from local files by service.api_docs
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.lookup = lookup_deps or LookupDependencies.from_settings(settings, engine)
    app.include_router(lookup_router)
    install_public_pages(app)  # before letters: its pages share two paths with the JSON API
    app.include_router(letters_router)
    # Tracking tells letters what became of each letter through this listener.
    app.state.letter_outcomes = LetterTracking(settings)
    app.state.webhook_applier = BatchApplier.on(
        engine, settings.tracking, app.state.letter_outcomes
    )
    # ... and the dashboard's counters what the provider said about each email.
    listen_to_events(counting.DELIVERY)
    app.include_router(tracking_router)
    install_api_docs(app)
    app.state.account_mailer = OutboxAccountMailer(settings.accounts)
    app.include_router(accounts_admin_router)
    install_console(app)
    _install_error_handlers(app)
    # Outermost last: the request log sees what the other two answered.
    app.add_middleware(
        RequestArrivalMiddleware, body_timeout_seconds=settings.http.body_timeout_seconds
    )
    app.add_middleware(SecurityHeadersMiddleware, https=settings.is_https)
    app.add_middleware(RequestLogMiddleware)
    install_metrics(app)  # its middleware outermost: it counts every answer, 500s included

    @app.get("/healthz", tags=["ops"])
    def healthz(session: SessionDep) -> dict[str, str]:
        """Liveness and database reachability."""
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        return {"status": "ok", "version": __version__}

    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Build the UK postcode index in the background so the first supporter does not wait for
    # it, and run the embedded delivery worker (SQLite) for as long as the app serves.
    log.info("secret key", extra={"source": app.state.settings.secret_key_source})
    app.state.lookup.start_warm_up()
    settings = app.state.settings
    periodic = with_tracking(letter_jobs(settings), settings, app.state.letter_outcomes)
    with embedded_worker(settings, app.state.engine, on_sent=tell_letters, periodic=periodic):
        # Everything built so far lives as long as the process (the postcode index being
        # built meanwhile is packed arrays the collector does not track): out of its sight.
        freeze_start_up_objects()
        yield


def _error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    return {"error": code, "message": message, "field": field}


def _install_error_handlers(app: FastAPI) -> None:
    """Each error is mapped here once; browsers asking for a page get one (error_pages),
    programs get the JSON body."""

    @app.exception_handler(DomainError)
    def on_domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            _error_body(exc.code, exc.message, exc.field), status_code=exc.status_code
        )

    @app.exception_handler(DatabaseUnavailable)
    async def on_database_unavailable(request: Request, exc: DatabaseUnavailable) -> Response:
        # A saturated or restarting database: nothing was written (the transaction rolled
        # back), so the request can simply be sent again. Not a 500: the input was fine.
        log.warning("database unavailable", extra={"error": exc.reason})
        if wants_html(request):
            return await busy_page(request)
        return JSONResponse(
            _error_body(exc.code, exc.message),
            status_code=exc.status_code,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    async def on_database_error(request: Request, exc: Exception) -> Response:
        # Outside any use case (a session that cannot even begin): the same answer.
        return await on_database_unavailable(request, unavailable(exc))

    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, on_database_error)

    @app.exception_handler(HTTPException)
    async def on_http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (404, 405) and wants_html(request):
            return await not_found_page(request, exc.status_code)
        if exc.status_code == 405 and (allowed := _allowed_methods(app, request)):
            exc.headers = {**(exc.headers or {}), "Allow": allowed}
        return await http_exception_handler(request, exc)

    @app.exception_handler(Exception)
    async def on_fault(request: Request, _exc: Exception) -> Response:
        # Called by Starlette's outermost middleware, which then re-raises the exception so
        # the server logs it with its traceback.
        if wants_html(request):
            return await failure_page(request)
        return JSONResponse(
            _error_body("internal", "Something went wrong on our side; please try again."),
            status_code=500,
        )

    @app.exception_handler(RequestValidationError)
    def on_validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        field, message = explain_first(exc.errors())
        return JSONResponse(
            {**_error_body("invalid_input", message, field), "detail": _plain_errors(exc)},
            status_code=422,
        )


def _allowed_methods(app: FastAPI, request: Request) -> str:
    """Every documented method of the path: Starlette's 405 names only those of the first
    route with that path (GET /api/admin/me/tokens), not the others (POST)."""
    methods: set[str] = set()
    for route in iter_route_contexts(app.routes):
        route_methods = getattr(route, "methods", None)
        if not route_methods or not getattr(route, "include_in_schema", False):
            continue
        if route.matches(request.scope)[0] is not Match.NONE:
            methods |= route_methods
    return ", ".join(sorted(methods))


def _plain_errors(exc: RequestValidationError) -> list[dict[str, object]]:
    # The raw input is left out: it may be personal data, or 10 kB of junk.
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg"), "type": err.get("type")}
        for err in exc.errors()
    ]
