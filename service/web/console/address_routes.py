"""Addresses that fail: the organisers' worklist with the provider's reasons, correcting an
address (held letters go to the new one), resuming after a spam report, and the receiving
domains where mail stays deferred."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from service.accounts.current import now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError
from service.tracking.addresses import deferred_domains, failing_addresses
from service.web import representative_care
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter(prefix="/addresses")
NAV = [NavEntry("/addresses", N_("Failing addresses"), Permission.view_dashboard)]

Reader = Annotated[ConsolePage, console_page(Permission.view_dashboard)]
Carer = Annotated[ConsolePage, console_page(Permission.care_representatives)]
Text = Annotated[str, Form(max_length=320)]

_DONE = {
    "resumed": N_("Sending to this office has resumed."),
}


@router.get("", response_class=HTMLResponse)
def worklist(cp: Reader, session: SessionDep, settings: SettingsDep, done: str = "") -> Response:
    if done in _DONE:
        cp.notices.append(cp._(_DONE[done]))
    return _page(cp, session, settings)


def _page(
    cp: ConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return cp.render(
        "console/addresses.html",
        {
            "addresses": failing_addresses(session),
            "domains": deferred_domains(session, settings.tracking, now=now_of(cp.request)),
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.post("/correct", response_class=HTMLResponse)
def correct(
    cp: Carer,
    session: SessionDep,
    settings: SettingsDep,
    address: Text = "",
    new_address: Text = "",
) -> Response:
    assert cp.user is not None
    try:
        outcome = representative_care.correct_failing_address(
            session, settings, cp.user.actor(), address, new_address, now_of(cp.request)
        )
    except DomainError as exc:
        return _page(cp, session, settings, errors=cp.form_errors(exc), status_code=exc.status_code)
    # On to the representative's page: the correction's effect, and the old address's
    # suppression lists with the button that releases it.
    query = {"done": "email"}
    if outcome.suppressed_on and outcome.old_email:
        query |= {"lists": ",".join(outcome.suppressed_on), "old": outcome.old_email}
    return cp.redirect(f"/console/representatives/{outcome.representative.id}?{urlencode(query)}")


@router.post("/resume", response_class=HTMLResponse)
def resume(cp: Carer, session: SessionDep, settings: SettingsDep, address: Text = "") -> Response:
    assert cp.user is not None
    try:
        representative_care.resume_address(
            session, settings, cp.user.actor(), address, now_of(cp.request)
        )
    except DomainError as exc:
        return _page(cp, session, settings, errors=cp.form_errors(exc), status_code=exc.status_code)
    return cp.redirect("/console/addresses?done=resumed")
