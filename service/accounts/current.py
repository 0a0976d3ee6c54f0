"""Who is asking: the FastAPI dependencies that turn a console session cookie or an API
token into a signed-in person, and refuse those without the permission a route needs.

A route states what it needs with `Depends(ConsoleUser(Permission.x))` (pages) or
`Depends(ApiUser(Permission.x))` (the JSON API). tests/web/console walks every route and
checks that each one carries one of them (or is on the short list of public pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from service.accounts import audit, credentials, signin
from service.accounts.audit import Actor
from service.accounts.errors import NotSignedIn, PermissionDenied, SecondFactorNeeded
from service.accounts.links import AccountMailer
from service.accounts.roles import Permission, has_permission
from service.accounts.signin import Client, SignedIn
from service.clock import SYSTEM_CLOCK, Clock
from service.config import Settings
from service.deps import SessionDep, SettingsDep

SESSION_COOKIE = "repmail_console"
COOKIE_PATH = "/console"


def clock_of(request: Request) -> Clock:
    clock: Clock = getattr(request.app.state, "clock", SYSTEM_CLOCK)
    return clock


def now_of(request: Request) -> datetime:
    return clock_of(request).now()


def client_of(request: Request) -> Client:
    return Client(
        address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


def address_hash_of(request: Request, settings: Settings) -> str | None:
    return audit.address_hash(settings.secret_key, client_of(request).address, now_of(request))


def mailer_of(request: Request) -> AccountMailer:
    mailer: AccountMailer = request.app.state.account_mailer
    return mailer


def session_cookie_is_secure(settings: Settings) -> bool:
    """Secure everywhere but a developer's machine (plain http on localhost)."""
    return settings.env.value != "development" or settings.base_url.startswith("https://")


class ConsoleSignInNeeded(NotSignedIn):
    """No usable session: the console answers with the sign-in page."""


@dataclass(frozen=True)
class ConsoleUser:
    """A console page's guard. With `partial`, a session still owing its second factor is
    let through (the second-factor and enrolment pages themselves)."""

    permission: Permission
    partial: bool = False

    async def __call__(
        self, request: Request, session: SessionDep, settings: SettingsDep
    ) -> SignedIn:
        signed_in = signin.resolve(
            session, request.cookies.get(SESSION_COOKIE), settings.accounts, now_of(request)
        )
        if signed_in is None:
            raise ConsoleSignInNeeded("Sign in to continue.")
        if not signed_in.complete and not self.partial:
            raise SecondFactorNeeded("Finish signing in with your second factor.")
        if not has_permission(signed_in.account.role, self.permission):
            raise PermissionDenied("Your role does not allow this page.")
        return signed_in


@dataclass(frozen=True)
class ApiUser:
    """An /api/admin route's guard: `Authorization: Bearer <token>`."""

    permission: Permission

    async def __call__(self, request: Request, session: SessionDep, settings: SettingsDep) -> Actor:
        scheme, _space, raw = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise NotSignedIn("Send a personal API token: Authorization: Bearer <token>.")
        holder = credentials.authenticate_token(session, raw.strip(), now_of(request))
        if not has_permission(holder.account.role, self.permission):
            raise PermissionDenied("The role of this token's owner does not allow this.")
        return holder.actor(address_hash_of(request, settings))


def guard_of(dependency: object) -> ConsoleUser | ApiUser | None:
    return dependency if isinstance(dependency, ConsoleUser | ApiUser) else None
