"""Supporters' personal data (admins): export everything held about an email address, or
erase it after a confirmation step."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from service.accounts.current import now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import InvalidInput
from service.web import personal_data
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter(prefix="/personal-data")
NAV = [NavEntry("/personal-data", N_("Personal data"), Permission.export_personal_data)]

Exporter = Annotated[ConsolePage, console_page(Permission.export_personal_data)]
Eraser = Annotated[ConsolePage, console_page(Permission.erase_personal_data)]
Email = Annotated[str, Form(max_length=300)]


@router.get("", response_class=HTMLResponse)
def personal_data_page(cp: Exporter) -> HTMLResponse:
    return cp.render("console/personal_data.html", {"email": ""})


@router.post("/export")
def export(cp: Exporter, session: SessionDep, settings: SettingsDep, email: Email = "") -> Response:
    assert cp.user is not None
    try:
        data = personal_data.export(session, settings, cp.user.actor(), email, now_of(cp.request))
    except InvalidInput as exc:
        return cp.render(
            "console/personal_data.html",
            {"email": email, "errors": cp.form_errors(exc)},
            status_code=422,
        )
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="personal-data.json"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/erase", response_class=HTMLResponse)
def confirm_erasure(cp: Eraser, session: SessionDep, email: Email = "") -> HTMLResponse:
    try:
        held = personal_data.count_held(session, email)
    except InvalidInput as exc:
        return cp.render(
            "console/personal_data.html",
            {"email": email, "errors": cp.form_errors(exc)},
            status_code=422,
        )
    return cp.render("console/erase_confirm.html", {"email": email.strip(), "held": held})


@router.post("/erase/confirmed", response_class=HTMLResponse)
def erase(
    cp: Eraser,
    session: SessionDep,
    settings: SettingsDep,
    email: Email = "",
    confirm: Email = "",
) -> HTMLResponse:
    assert cp.user is not None
    if confirm != "yes":
        return cp.render(
            "console/erase_confirm.html",
            {
                "email": email.strip(),
                "held": personal_data.count_held(session, email),
                "errors": {"confirm": cp._("Tick the box to confirm the erasure.")},
            },
            status_code=422,
        )
    report = personal_data.erase(session, settings, cp.user.actor(), email, now_of(cp.request))
    return cp.render("console/erase_done.html", {"report": report})
