"""Campaign settings from the console and the admin API: a preview of what new settings do
to the queue (the delivery plan, computed in a transaction that is then rolled back), and the
save, which re-slots the queued letters when the deadline or the pace changed and records the
change in the audit log, in one transaction. Composed here: campaigns (the row), letters
(the plan) and accounts (the log) may not import each other this way round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.roles import Permission
from service.accounts.service import require
from service.campaigns import settings as campaign_settings
from service.campaigns.models import Campaign
from service.campaigns.settings import PACING_FIELDS, CampaignSettings
from service.config import Settings
from service.db import use_case
from service.letters.plan import CampaignPlan, campaign_plans, replan_campaign

# Settings whose values may go in the audit log (the sender's name, the organisation's and
# the addresses may not: the log carries no names or addresses; `changed` lists them).
_LOGGED = PACING_FIELDS | {"closes_at", "timezone", "goal", "reply_after_days"}


@dataclass(frozen=True, slots=True)
class SettingsChange:
    campaign: Campaign
    changed: list[str]
    plan_now: CampaignPlan | None  # the queue as it stands
    plan_after: CampaignPlan | None  # the queue once the change is saved
    replanned: bool


def _plan(session: Session, settings: Settings, slug: str, now: datetime) -> CampaignPlan | None:
    found = campaign_plans(session, settings.delivery, now, slug=slug)
    return found[0] if found else None


def preview(
    session: Session,
    settings: Settings,
    actor: Actor,
    slug: str,
    new: CampaignSettings,
    now: datetime,
) -> SettingsChange:
    """What saving `new` would do; nothing is kept."""
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        campaign = campaign_settings.lock_campaign(session, slug)
        plan_now = _plan(session, settings, slug, now)
        changes = campaign_settings.apply(session, campaign, new, now)
        replanned = bool(PACING_FIELDS & changes.keys())
        if replanned:
            replan_campaign(session, campaign, settings.delivery, now)
        plan_after = _plan(session, settings, slug, now)
        session.rollback()
    return SettingsChange(campaign, sorted(changes), plan_now, plan_after, replanned)


def save(
    session: Session,
    settings: Settings,
    actor: Actor,
    slug: str,
    new: CampaignSettings,
    now: datetime,
) -> SettingsChange:
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        campaign = campaign_settings.lock_campaign(session, slug)
        changes = campaign_settings.apply(session, campaign, new, now)
        replanned = bool(PACING_FIELDS & changes.keys())
        if replanned:
            replan_campaign(session, campaign, settings.delivery, now)
        if changes:
            audit.record(
                session,
                actor,
                "campaign.settings_changed",
                now,
                target=f"campaign:{slug}",
                before={k: str(v[0]) for k, v in changes.items() if k in _LOGGED},
                after={
                    **{k: str(v[1]) for k, v in changes.items() if k in _LOGGED},
                    "changed": sorted(changes),
                    "replanned": replanned,
                },
            )
        session.commit()
    return SettingsChange(campaign, sorted(changes), None, None, replanned)


def set_test_mode(session: Session, actor: Actor, slug: str, on: bool, now: datetime) -> Campaign:
    """In test mode every letter goes to the organiser who turned it on, marked [TEST]."""
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        campaign = campaign_settings.lock_campaign(session, slug)
        changed = campaign_settings.set_test_mode(
            session, campaign, actor.email if on else None, now
        )
        if changed:
            audit.record(
                session,
                actor,
                "campaign.test_mode",
                now,
                target=f"campaign:{slug}",
                after={"on": on},
            )
        session.commit()
    return campaign
