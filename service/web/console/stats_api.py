"""The admin API twin of the control room: every figure of the page (GET /api/admin/stats),
and the global and per-campaign pause and resume (organisers and admins, audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.web import dashboard
from service.web.dashboard import ControlRoom, Switch

_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    400: {"description": "The body is not valid JSON"},
    401: {"model": ErrorBody, "description": "No valid API token"},
    403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
    404: {"model": ErrorBody, "description": "No such campaign"},
}
router = APIRouter(tags=["admin: stats"], responses=_RESPONSES)

Viewer = Annotated[Actor, Depends(ApiUser(Permission.view_dashboard))]
Organiser = Annotated[Actor, Depends(ApiUser(Permission.edit_campaigns))]


@router.get("/api/admin/stats")
def stats(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _actor: Viewer,
    campaign: Annotated[str, Query(min_length=1, max_length=200)],
) -> ControlRoom:
    """A campaign's figures: `funnel` counts every letter that reached each step whatever
    came after; `status` counts letters by their status now; then per hour and day, by
    chamber, nation and party, the deadline projection, delivery health per receiving
    domain, what needs a person and the pause switches."""
    return dashboard.control_room(session, settings, campaign, now_of(request))


class PauseIn(BaseModel):
    reason: str = Field(default="", max_length=2000)
    campaign: str | None = Field(
        default=None, max_length=200, description="A campaign's slug; none for all sending."
    )


class ResumeIn(BaseModel):
    campaign: str | None = Field(default=None, max_length=200)


@router.post(
    "/api/admin/delivery/pause",
    responses={409: {"model": ErrorBody, "description": "Paused already"}},
)
def pause(body: PauseIn, request: Request, session: SessionDep, actor: Organiser) -> Switch:
    """Stop sending (everywhere, or one campaign's letters) until resumed; queued letters
    keep their place."""
    return dashboard.set_paused(session, actor, body.campaign, True, body.reason, now_of(request))


@router.post(
    "/api/admin/delivery/resume",
    responses={409: {"model": ErrorBody, "description": "Not paused"}},
)
def resume(body: ResumeIn, request: Request, session: SessionDep, actor: Organiser) -> Switch:
    return dashboard.set_paused(session, actor, body.campaign, False, None, now_of(request))
