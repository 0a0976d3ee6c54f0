"""The console's home page: who you are, what needs your attention."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from service.accounts import credentials, service
from service.accounts.roles import Permission, has_permission
from service.deps import SessionDep
from service.letters.review_queue import waiting
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter()
NAV = [NavEntry("/", N_("Home"), Permission.view_dashboard)]

Dashboard = Annotated[ConsolePage, console_page(Permission.view_dashboard)]


@router.get("/", response_class=HTMLResponse)
def home(cp: Dashboard, session: SessionDep) -> HTMLResponse:
    assert cp.user is not None
    account = cp.user.account
    people = None
    if has_permission(account.role, Permission.manage_people):
        everyone = service.list_accounts(session)
        people = {
            "total": len(everyone),
            "invited": sum(1 for a in everyone if a.password_hash is None),
            "locked": sum(1 for a in everyone if a.locked_at is not None),
        }
    held = waiting(session) if has_permission(account.role, Permission.moderate_letters) else None
    return cp.render(
        "console/home.html",
        {
            "account": account,
            "people": people,
            "held": held,
            "recovery_left": credentials.unused_recovery_codes(session, account.id)
            if account.totp_secret
            else None,
        },
    )
