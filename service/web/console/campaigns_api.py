"""The admin API twin of the campaign settings page: the campaigns, one campaign's settings
with its delivery plan, and PATCH to change them (with `preview=true`, only what it would do)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime, BaseModel, Field

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.campaigns import settings as campaign_settings
from service.campaigns.models import Campaign
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody, NotFound
from service.letters.plan import CampaignPlan
from service.web import campaign_settings as use_cases
from service.web.campaign_settings import SettingsChange

router = APIRouter(
    prefix="/api/admin/campaigns",
    tags=["admin: campaigns"],
    responses={
        **ERROR_RESPONSES,
        400: {"description": "The body is not valid JSON"},
        401: {"model": ErrorBody, "description": "No valid API token"},
        403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
    },
)

Organiser = Annotated[Actor, Depends(ApiUser(Permission.edit_campaigns))]


class PlanOut(BaseModel):
    queued: int
    late: int  # letters whose slot misses the deadline
    last_send: datetime | None
    raised_representatives: int  # representatives whose pace had to be raised


class CampaignOut(BaseModel):
    slug: str
    sender_name: str
    sender_email: str
    timezone: str
    deadline: datetime
    closes_at: datetime
    goal: int
    letters_per_hour: int
    office_hours_only: bool
    office_hours_start: int
    office_hours_end: int
    # Who runs the campaign (named on every supporter's page) and where supporters write to
    # them (the privacy page); null until set.
    organisation_name: str | None
    organisation_name_fr: str | None
    contact_email: str | None
    # Days after delivery when supporters are asked whether their representative replied.
    reply_after_days: int
    # Every letter goes to the organiser who turned test mode on, marked [TEST].
    test_mode: bool
    # draft (not shown to supporters), open (takes letters until closes_at) or closed.
    status: str


class CampaignList(BaseModel):
    campaigns: list[CampaignOut]


def plan_out(plan: CampaignPlan | None) -> PlanOut | None:
    if plan is None:
        return None
    return PlanOut(
        queued=plan.queued,
        late=sum(r.late for r in plan.representatives),
        last_send=plan.last_send,
        raised_representatives=len(plan.raised),
    )


def campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        slug=campaign.slug,
        test_mode=campaign.test_recipient is not None,
        status=campaign.status,
        **asdict(campaign_settings.settings_of(campaign)),
    )


@router.get("")
def list_campaigns(session: SessionDep, _actor: Organiser) -> CampaignList:
    return CampaignList(
        campaigns=[campaign_out(c) for c in campaign_settings.list_campaigns(session)]
    )


@router.get("/{slug}")
def get_campaign(slug: str, session: SessionDep, _actor: Organiser) -> CampaignOut:
    for campaign in campaign_settings.list_campaigns(session):
        if campaign.slug == slug:
            return campaign_out(campaign)
    raise NotFound("There is no campaign with that name.", field="campaign")


class CampaignPatch(BaseModel):
    """Only the settings to change."""

    sender_name: str | None = Field(default=None, max_length=100)
    sender_email: str | None = Field(default=None, max_length=254)
    timezone: str | None = Field(default=None, max_length=40)
    deadline: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    goal: int | None = None
    letters_per_hour: int | None = None
    office_hours_only: bool | None = None
    office_hours_start: int | None = None
    office_hours_end: int | None = None
    # An empty string clears them (the pages then use neutral wording).
    organisation_name: str | None = Field(default=None, max_length=120)
    organisation_name_fr: str | None = Field(default=None, max_length=120)
    contact_email: str | None = Field(default=None, max_length=254)
    reply_after_days: int | None = None
    # On: every letter goes to your own address with "[TEST]" in its subject.
    test_mode: bool | None = None


class ChangeOut(BaseModel):
    campaign: CampaignOut
    changed: list[str]
    replanned: bool
    saved: bool
    plan_now: PlanOut | None = None
    plan_after: PlanOut | None = None


@router.patch("/{slug}")
def change_campaign(
    slug: str,
    body: CampaignPatch,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Organiser,
    preview: Annotated[bool, Query()] = False,
) -> ChangeOut:
    """Deadline or pace changes re-slot the queued letters when saved; `preview=true` shows
    the plan before and after without saving anything."""
    current = get_campaign(slug, session, actor)
    values: dict[str, Any] = {
        k: v for k, v in body.model_dump(exclude={"test_mode"}).items() if v is not None
    }
    base = campaign_settings.CampaignSettings(
        **current.model_dump(exclude={"slug", "test_mode", "status"})
    )
    new = replace(base, **values)
    now = now_of(request)
    if body.test_mode is not None and not preview:
        use_cases.set_test_mode(session, actor, slug, body.test_mode, now)
    change: SettingsChange = (use_cases.preview if preview else use_cases.save)(
        session, settings, actor, slug, new, now
    )
    shown = campaign_out(change.campaign) if not preview else current.model_copy(update=values)
    return ChangeOut(
        campaign=shown,
        changed=change.changed,
        replanned=change.replanned,
        saved=not preview,
        plan_now=plan_out(change.plan_now),
        plan_after=plan_out(change.plan_after),
    )
