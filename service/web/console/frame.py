"""The console's frame: the page object every console page renders through (layout,
navigation, language, CSRF token), the CSRF check on every form, and the error pages.

A console route takes `ConsolePageDep(Permission.x)` (signed in, allowed) or
`PublicConsolePage` (the sign-in and emailed-link pages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from service.accounts.current import SESSION_COOKIE, ConsoleSignInNeeded, ConsoleUser
from service.accounts.errors import PermissionDenied, SecondFactorNeeded
from service.accounts.roles import Permission, Role, has_permission
from service.accounts.signin import SignedIn
from service.deps import SettingsDep
from service.errors import RETRY_AFTER_SECONDS, DomainError
from service.web import csrf
from service.web.console.nav import NavEntry, is_current
from service.web.i18n import N_
from service.web.templating import Page, PageDep, get_page

SIGN_IN_PATH = "/console/sign-in"
SECOND_FACTOR_PATH = "/console/second-factor"
# Filled by service.web.console from each page module's NAV entries.
NAV: list[NavEntry] = []
ROLE_NAMES = {
    Role.admin: N_("Admin"),
    Role.organiser: N_("Organiser"),
    Role.moderator: N_("Moderator"),
    Role.staff: N_("Staff"),
}


@dataclass
class ConsolePage:
    page: Page
    user: SignedIn | None = None
    notices: list[str] = field(default_factory=list)

    def _(self, message: str, /, **variables: Any) -> str:
        return self.page._(message, **variables)

    @property
    def request(self) -> Request:
        return self.page.request

    def render(
        self, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
    ) -> HTMLResponse:
        path = self.request.url.path
        role = self.user.account.role if self.user and self.user.complete else None
        nav = [
            {"url": "/console" + e.path, "label": self._(e.label), "current": is_current(e, path)}
            for e in NAV
            if role is not None and has_permission(role, e.permission)
        ]
        values = {
            "user": self.user,
            "nav": nav,
            "notices": self.notices,
            "role_names": {role.value: self._(name) for role, name in ROLE_NAMES.items()},
            **(context or {}),
        }
        return self.page.render(template, values, status_code=status_code)

    def redirect(self, url: str) -> RedirectResponse:
        return self.page.redirect(url)

    def form_errors(self, exc: DomainError) -> dict[str, str]:
        """A use case's refusal as the `errors` a form template shows by its field."""
        return {exc.field or "_form": self.page.domain_message(exc.message)}


def console_page(permission: Permission, *, partial: bool = False) -> Any:
    """The dependency of a signed-in console page that needs `permission`."""
    guard = ConsoleUser(permission, partial=partial)

    # Depends() as a default, not in Annotated: annotations are strings here (PEP 563), and
    # FastAPI could not resolve a local name inside one.
    async def dependency(page: PageDep, user: SignedIn = Depends(guard)) -> ConsolePage:
        return ConsolePage(page, user)

    return Depends(dependency)


async def _public_page(page: PageDep) -> ConsolePage:
    return ConsolePage(page)


PublicConsolePage = Annotated[ConsolePage, Depends(_public_page)]


class CsrfRefused(DomainError):
    status_code = 403
    code = "csrf"


async def check_csrf(request: Request, settings: SettingsDep) -> None:
    """Every console form carries the CSRF token (service.web.csrf's signed double submit);
    a POST without it is refused before any route code runs."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    submitted = None
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(csrf.FIELD_NAME)
        submitted = value if isinstance(value, str) else None
    if not csrf.verify(settings.secret_key, request.cookies.get(csrf.COOKIE_NAME), submitted):
        raise CsrfRefused("This form has expired. Go back, reload the page and send it again.")


def _sign_in_url(request: Request) -> str:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return f"{SIGN_IN_PATH}?next={quote(target, safe='/')}"


async def _error_page(request: Request, title: str, message: str, status_code: int) -> Response:
    page = ConsolePage(await get_page(request, request.app.state.settings))
    response = page.render(
        "console/error.html",
        {"title": page._(title), "message": page.page.domain_message(message)},
        status_code=status_code,
    )
    if status_code == 401:
        response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


def install_error_pages(console: Any) -> None:
    """The console's own answers to refusals and faults: pages, never JSON."""

    @console.exception_handler(ConsoleSignInNeeded)
    async def on_signed_out(request: Request, _exc: ConsoleSignInNeeded) -> Response:
        response = RedirectResponse(_sign_in_url(request), status_code=303)
        if request.cookies.get(SESSION_COOKIE):
            response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    @console.exception_handler(SecondFactorNeeded)
    async def on_second_factor_due(_request: Request, _exc: SecondFactorNeeded) -> Response:
        return RedirectResponse(SECOND_FACTOR_PATH, status_code=303)

    @console.exception_handler(PermissionDenied)
    async def on_forbidden(request: Request, exc: PermissionDenied) -> Response:
        return await _error_page(request, N_("You cannot open this page"), exc.message, 403)

    @console.exception_handler(CsrfRefused)
    async def on_csrf(request: Request, exc: CsrfRefused) -> Response:
        return await _error_page(request, N_("This form has expired"), exc.message, 403)

    @console.exception_handler(DomainError)
    async def on_refusal(request: Request, exc: DomainError) -> Response:
        return await _error_page(request, N_("This cannot be done"), exc.message, exc.status_code)

    @console.exception_handler(RequestValidationError)
    async def on_bad_input(request: Request, _exc: RequestValidationError) -> Response:
        return await _error_page(
            request,
            N_("This cannot be done"),
            N_("Part of the form was missing or not valid. Go back and check it."),
            422,
        )

    @console.exception_handler(HTTPException)
    async def on_http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (404, 405):
            return await _error_page(
                request,
                N_("Page not found"),
                N_("There is no console page at this address."),
                exc.status_code,
            )
        return await _error_page(
            request, N_("This cannot be done"), str(exc.detail), exc.status_code
        )

    @console.exception_handler(OperationalError)
    async def on_database_busy(request: Request, _exc: OperationalError) -> Response:
        # Nothing was written (the transaction rolled back): sending it again is safe.
        response = await _error_page(
            request,
            N_("The console is very busy just now"),
            N_("Nothing was saved. Wait a few seconds, then go back and try again."),
            503,
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @console.exception_handler(Exception)
    async def on_fault(request: Request, _exc: Exception) -> Response:
        try:
            return await _error_page(
                request,
                N_("Something went wrong on our side"),
                N_("It has been recorded for us to look into. Please try again in a few minutes."),
                500,
            )
        except Exception:
            return HTMLResponse(
                "<!doctype html><html lang=en><title>Error</title><main><h1>Something went "
                "wrong on our side</h1></main></html>",
                status_code=500,
            )
