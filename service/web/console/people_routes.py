"""People (admins): invite, change a role, disable or enable, lift a lockout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.accounts import links, service
from service.accounts.current import mailer_of, now_of
from service.accounts.roles import Permission, Role
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError, InvalidInput
from service.web.console.frame import ROLE_NAMES, ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter(prefix="/people")
NAV = [NavEntry("/people", N_("People"), Permission.manage_people)]

Admin = Annotated[ConsolePage, console_page(Permission.manage_people)]
ShortText = Annotated[str, Form(max_length=300)]

_DONE = {
    "invited": N_("The invitation is on its way."),
    "role": N_("The role is changed; that person must sign in again."),
    "disabled": N_("The account is disabled: its sessions ended and its tokens stopped working."),
    "enabled": N_("The account is enabled again."),
    "unlocked": N_("The lockout is lifted."),
}


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise InvalidInput("Choose one of the roles.", field="role") from exc


@router.get("", response_class=HTMLResponse)
def people(cp: Admin, session: SessionDep, done: str = "") -> Response:
    if done in _DONE:
        cp.notices.append(cp._(_DONE[done]))
    return _people_page(cp, session)


def _people_page(
    cp: ConsolePage,
    session: SessionDep,
    *,
    errors: dict[str, str] | None = None,
    invite: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return cp.render(
        "console/people.html",
        {
            "people": service.list_accounts(session),
            "roles": [(role.value, cp._(name)) for role, name in ROLE_NAMES.items()],
            "invite": invite or {"email": "", "role": Role.staff.value},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.post("/invite", response_class=HTMLResponse)
def invite(
    cp: Admin,
    session: SessionDep,
    settings: SettingsDep,
    email: ShortText = "",
    role: ShortText = "",
) -> Response:
    assert cp.user is not None
    try:
        links.invite(
            session,
            cp.user.actor(),
            email,
            _role(role),
            mailer_of(cp.request),
            settings.accounts,
            settings.secret_key,
            settings.base_url,
            cp.page.locale,
            now_of(cp.request),
        )
    except DomainError as exc:
        return _people_page(
            cp,
            session,
            errors=cp.form_errors(exc),
            invite={"email": email, "role": role},
            status_code=exc.status_code,
        )
    return cp.redirect("/console/people?done=invited")


@router.post("/{account_id}/role")
def change_role(
    cp: Admin, account_id: str, session: SessionDep, role: ShortText = ""
) -> RedirectResponse:
    assert cp.user is not None
    service.change_role(session, cp.user.actor(), account_id, _role(role), now_of(cp.request))
    return cp.redirect("/console/people?done=role")


@router.post("/{account_id}/disable")
def disable(cp: Admin, account_id: str, session: SessionDep) -> RedirectResponse:
    assert cp.user is not None
    service.set_disabled(session, cp.user.actor(), account_id, True, now_of(cp.request))
    return cp.redirect("/console/people?done=disabled")


@router.post("/{account_id}/enable")
def enable(cp: Admin, account_id: str, session: SessionDep) -> RedirectResponse:
    assert cp.user is not None
    service.set_disabled(session, cp.user.actor(), account_id, False, now_of(cp.request))
    return cp.redirect("/console/people?done=enabled")


@router.post("/{account_id}/unlock")
def unlock(cp: Admin, account_id: str, session: SessionDep) -> RedirectResponse:
    assert cp.user is not None
    service.lift_lockout(session, cp.user.actor(), account_id, now_of(cp.request))
    return cp.redirect("/console/people?done=unlocked")
