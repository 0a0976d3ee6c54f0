"""Campaign settings (organisers): deadline and timezone, closing date, pace and office hours,
goal and sender. "Show the effect" previews the delivery plan; "Save" re-slots the queue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from service.accounts.current import now_of
from service.accounts.roles import Permission
from service.campaigns import settings as campaign_settings
from service.campaigns.lifecycle import CampaignStatus
from service.campaigns.models import Campaign
from service.campaigns.settings import CampaignSettings
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError, InvalidInput, NotFound
from service.web import campaign_editing as use_cases_editing
from service.web import campaign_settings as use_cases
from service.web.console.campaigns_api import plan_out
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter(prefix="/campaigns")
NAV = [NavEntry("/campaigns", N_("Campaigns"), Permission.edit_campaigns)]

OrganiserPage = Annotated[ConsolePage, console_page(Permission.edit_campaigns)]
Text = Annotated[str, Form(max_length=300)]
MaybeText = Annotated[str | None, Form(max_length=300)]

_DONE = {
    "saved": N_("The settings are saved; queued letters follow them."),
    "test-on": N_("Test mode is on: letters now go to your own address, marked [TEST]."),
    "test-off": N_("Test mode is off: letters go to the representatives again."),
    "created": N_("The campaign is created as a draft: write its texts and demands, then open it."),
    "open": N_("The campaign is open: supporters can write."),
    "closed": N_("The campaign is closed: it takes no new letters; queued letters still go."),
}
_SHORT_STATES = {"draft": N_("draft"), "open": N_("open"), "closed": N_("closed")}
_STATES = {
    "draft": N_("Draft: not shown to supporters"),
    "open": N_("Open: takes letters until its closing date"),
    "closed": N_("Closed: takes no new letters"),
}
_REFUSALS = (
    N_("Test mode sends letters to your own address; yours is not usable."),
    N_("There is no campaign with that name."),
    N_("Enter a date and time like 2026-12-10T18:00."),
    N_("Choose a timezone such as Europe/Paris."),
    N_("Give a sender name of 1 to 100 characters."),
    N_("Enter the sender's email address."),
    N_("The deadline must be in the future."),
    N_("The campaign must close by its deadline."),
    N_("The goal is a number of letters, 0 or more."),
    N_("Letters per hour: between 1 and 3600."),
    N_("Office hours: the start must come before the end, within 0 to 24."),
    N_("Enter a whole number."),
    N_("Give the organisation's name in at most 120 characters."),
    N_("Enter the address supporters can write to, or leave it empty."),
    N_("Choose whether to open or close the campaign."),
    N_("This campaign is already open."),
    N_("Only an open campaign can be closed."),
    N_("A campaign cannot go back to being a draft."),
    N_("The closing date has passed: set a later one before opening."),
    N_("Write the title, summary and letter opening in English and French first."),
    N_("Add at least one demand before opening the campaign."),
    N_("Ask about replies between 1 and 90 days after delivery."),
    N_("The follow-up would come after the deadline: choose fewer days."),
)


@router.get("", response_class=HTMLResponse)
def campaigns(cp: OrganiserPage, session: SessionDep) -> HTMLResponse:
    return cp.render(
        "console/campaigns.html",
        {
            "campaigns": campaign_settings.list_campaigns(session),
            "states": {name: cp._(label) for name, label in _SHORT_STATES.items()},
        },
    )


def _find(session: SessionDep, slug: str) -> Campaign:
    for campaign in campaign_settings.list_campaigns(session):
        if campaign.slug == slug:
            return campaign
    raise NotFound("There is no campaign with that name.", field="campaign")


def _form_of(campaign: Campaign) -> dict[str, str]:
    zone = ZoneInfo(campaign.timezone)
    values = {
        k: "" if v is None else str(v)
        for k, v in asdict(campaign_settings.settings_of(campaign)).items()
    }
    values["deadline"] = campaign.deadline.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    values["closes_at"] = campaign.closes_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    values["office_hours_only"] = "yes" if campaign.office_hours_only else ""
    values["reply_after_days"] = str(campaign.reply_after_days)
    return values


def _page(
    cp: ConsolePage,
    campaign: Campaign,
    form: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    change: use_cases.SettingsChange | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return cp.render(
        "console/campaign.html",
        {
            "campaign": campaign,
            "form": form,
            "errors": errors or {},
            "change": change,
            "plan_now": plan_out(change.plan_now) if change else None,
            "plan_after": plan_out(change.plan_after) if change else None,
            "state": cp._(_STATES.get(campaign.status, campaign.status)),
        },
        status_code=status_code,
    )


@router.get("/{slug}", response_class=HTMLResponse)
def campaign_page(
    cp: OrganiserPage, slug: str, session: SessionDep, done: str = ""
) -> HTMLResponse:
    campaign = _find(session, slug)
    if done in _DONE:
        cp.notices.append(cp._(_DONE[done]))
    return _page(cp, campaign, _form_of(campaign))


def _whole(value: str, field: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInput("Enter a whole number.", field=field) from None


def _kept(sent: str | None, current: str | None) -> str:
    return (current or "") if sent is None else sent


def _parse(form: dict[str, str]) -> CampaignSettings:
    timezone = form["timezone"].strip()
    return CampaignSettings(
        sender_name=form["sender_name"],
        sender_email=form["sender_email"],
        timezone=timezone,
        deadline=campaign_settings.local_time(form["deadline"], timezone, "deadline"),
        closes_at=campaign_settings.local_time(form["closes_at"], timezone, "closes_at"),
        goal=_whole(form["goal"], "goal"),
        letters_per_hour=_whole(form["letters_per_hour"], "letters_per_hour"),
        office_hours_only=form["office_hours_only"] == "yes",
        office_hours_start=_whole(form["office_hours_start"], "office_hours_start"),
        office_hours_end=_whole(form["office_hours_end"], "office_hours_end"),
        organisation_name=form["organisation_name"],
        organisation_name_fr=form["organisation_name_fr"],
        contact_email=form["contact_email"],
        reply_after_days=_whole(form["reply_after_days"], "reply_after_days"),
    )


@router.post("/{slug}", response_class=HTMLResponse)
def change_settings(
    cp: OrganiserPage,
    slug: str,
    session: SessionDep,
    settings: SettingsDep,
    sender_name: Text = "",
    sender_email: Text = "",
    timezone: Text = "",
    deadline: Text = "",
    closes_at: Text = "",
    goal: Text = "",
    letters_per_hour: Text = "",
    office_hours_only: Text = "",
    office_hours_start: Text = "",
    office_hours_end: Text = "",
    organisation_name: MaybeText = None,
    organisation_name_fr: MaybeText = None,
    contact_email: MaybeText = None,
    reply_after_days: Text = "",
    action: Text = "preview",
) -> Response:
    assert cp.user is not None
    campaign = _find(session, slug)
    form = {
        "sender_name": sender_name,
        "sender_email": sender_email,
        "timezone": timezone,
        "deadline": deadline,
        "closes_at": closes_at,
        "goal": goal,
        "letters_per_hour": letters_per_hour,
        "office_hours_only": office_hours_only,
        "office_hours_start": office_hours_start,
        "office_hours_end": office_hours_end,
        # A form without these fields (from before they existed) keeps the campaign's.
        "organisation_name": _kept(organisation_name, campaign.organisation_name),
        "organisation_name_fr": _kept(organisation_name_fr, campaign.organisation_name_fr),
        "contact_email": _kept(contact_email, campaign.contact_email),
        # A form from before the setting existed keeps the campaign's.
        "reply_after_days": reply_after_days or str(campaign.reply_after_days),
    }
    try:
        new = _parse(form)
        if action == "save":
            use_cases.save(session, settings, cp.user.actor(), slug, new, now_of(cp.request))
            return cp.redirect(f"/console/campaigns/{slug}?done=saved")
        change = use_cases.preview(
            session, settings, cp.user.actor(), slug, new, now_of(cp.request)
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _page(cp, campaign, form, errors=cp.form_errors(exc), status_code=exc.status_code)
    return _page(cp, campaign, form, change=change)


@router.post("/{slug}/test-mode", response_class=HTMLResponse)
def test_mode(cp: OrganiserPage, slug: str, session: SessionDep, mode: Text = "") -> Response:
    """On: every letter goes to your own address, marked [TEST]; off: to representatives."""
    assert cp.user is not None
    campaign = _find(session, slug)
    try:
        use_cases.set_test_mode(session, cp.user.actor(), slug, mode == "on", now_of(cp.request))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _page(
            cp,
            campaign,
            _form_of(campaign),
            errors=cp.form_errors(exc),
            status_code=exc.status_code,
        )
    return cp.redirect(f"/console/campaigns/{slug}?done=test-{'on' if mode == 'on' else 'off'}")


@router.post("/{slug}/status", response_class=HTMLResponse)
def change_status(cp: OrganiserPage, slug: str, session: SessionDep, to: Text = "") -> Response:
    """Open a draft, close an open campaign, reopen a closed one."""
    assert cp.user is not None
    campaign = _find(session, slug)
    try:
        if to not in CampaignStatus.__members__:
            raise InvalidInput("Choose whether to open or close the campaign.", field="status")
        use_cases_editing.change_status(
            session, cp.user.actor(), slug, CampaignStatus(to), now_of(cp.request)
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _page(
            cp,
            _find(session, slug),
            _form_of(campaign),
            errors=cp.form_errors(exc),
            status_code=exc.status_code,
        )
    return cp.redirect(f"/console/campaigns/{slug}?done={to}")
