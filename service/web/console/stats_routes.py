"""The control room (staff and up): a campaign's funnel, letters per hour and per day, by
chamber, nation and party, own words and copies, the deadline projection per representative,
delivery health per receiving domain, what needs a person; and the global and per-campaign
pause and resume (organisers and admins). The same figures as GET /api/admin/stats."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from service.accounts.current import now_of
from service.accounts.roles import Permission, has_permission
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError, NotFound
from service.stats.schemas import Period
from service.web import dashboard
from service.web.console.charts import bar_chart
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter(prefix="/control-room")
NAV = [NavEntry("/control-room", N_("Control room"), Permission.view_dashboard)]

Dashboard = Annotated[ConsolePage, console_page(Permission.view_dashboard)]
Organiser = Annotated[ConsolePage, console_page(Permission.edit_campaigns)]
Text = Annotated[str, Form(max_length=2000)]
Scope = Annotated[str, Form(max_length=200)]

STEPS = {
    "submitted": N_("Submitted"),
    "confirmed": N_("Confirmed"),
    "held": N_("Held for review"),
    "queued": N_("Queued"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
}
_DONE = {
    "paused": N_("Sending is paused."),
    "resumed": N_("Sending goes on."),
}
_REFUSALS = (
    N_("Say why sending is paused."),
    N_("Keep the reason under 300 characters."),
    N_("Sending is paused already."),
    N_("Sending is not paused."),
    N_("There is no such campaign."),
)
EVERYWHERE = "all"


def _hour_chart(hours: list[Period]) -> object:
    return bar_chart([(f"{p.start:%H:00}", p.submitted) for p in hours])


def _day_chart(days: list[Period]) -> object:
    return bar_chart([(f"{p.start:%d/%m}", p.submitted) for p in days])


def _page(
    cp: ConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    slug: str,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    assert cp.user is not None
    campaigns = dashboard.campaigns(session)
    if not campaigns:
        return cp.render("console/control_room.html", {"room": None, "campaigns": []})
    slug = slug or campaigns[0].slug
    room = dashboard.control_room(session, settings, slug, now_of(cp.request))
    return cp.render(
        "console/control_room.html",
        {
            "room": room,
            "campaigns": campaigns,
            # A function rather than a template macro: some 700 numbers per view, and a
            # macro call costs several times the formatting.
            "n": cp.page.format_number,
            "steps": {k: cp._(v) for k, v in STEPS.items()},
            "hour_chart": _hour_chart(room.hours),
            "day_chart": _day_chart(room.days),
            "can_pause": has_permission(cp.user.account.role, Permission.edit_campaigns),
            "can_care": has_permission(cp.user.account.role, Permission.care_representatives),
            "errors": errors or {},
            "form": form or {"reason": "", "scope": ""},
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def control_room(
    cp: Dashboard,
    session: SessionDep,
    settings: SettingsDep,
    campaign: Annotated[str, Query(max_length=200)] = "",
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    if done in _DONE:
        cp.notices.append(cp._(_DONE[done]))
    return _page(cp, session, settings, campaign)


@router.post("/pause", response_class=HTMLResponse)
def pause(
    cp: Organiser,
    session: SessionDep,
    settings: SettingsDep,
    campaign: Scope = "",
    scope: Scope = "",
    reason: Text = "",
) -> Response:
    return _set_paused(cp, session, settings, campaign, scope, True, reason)


@router.post("/resume", response_class=HTMLResponse)
def resume(
    cp: Organiser,
    session: SessionDep,
    settings: SettingsDep,
    campaign: Scope = "",
    scope: Scope = "",
) -> Response:
    return _set_paused(cp, session, settings, campaign, scope, False, "")


def _set_paused(
    cp: ConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    campaign: str,
    scope: str,
    paused: bool,
    reason: str,
) -> Response:
    """`campaign` is the campaign shown; `scope` is what to pause: "all", or that campaign."""
    assert cp.user is not None
    target = None if scope == EVERYWHERE else (scope or campaign)
    try:
        dashboard.set_paused(session, cp.user.actor(), target, paused, reason, now_of(cp.request))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _page(
            cp,
            session,
            settings,
            campaign,
            errors=cp.form_errors(exc),
            form={"reason": reason, "scope": scope},
            status_code=exc.status_code,
        )
    done = "paused" if paused else "resumed"
    return cp.redirect(f"/console/control-room?campaign={quote(campaign)}&done={done}")
