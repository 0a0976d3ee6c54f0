"""The control room, for the console page and GET /api/admin/stats alike: a campaign's
figures (service.stats, read from the rollups), its deadline projection (letters.plan), the
delivery health per receiving domain, what needs a person, and the pause switches; and the
global and per-campaign pause and resume, audited. Composed here because stats, letters,
tracking, representatives and accounts may not import each other this way round."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.roles import Permission
from service.accounts.service import require
from service.campaigns.models import Campaign
from service.campaigns.service import get_campaign
from service.config import Settings
from service.db import use_case
from service.delivery import switches
from service.delivery.schemas import PauseState
from service.errors import Conflict, InvalidInput, NotFound
from service.letters.plan import CampaignPlan, RepresentativePlan, campaign_plans
from service.representatives.models import Representative, RepresentativeStatus
from service.stats.figures import campaign_figures
from service.stats.health import delivery_health
from service.stats.schemas import CampaignFigures, DeliveryHealth
from service.tracking.addresses import failing_addresses
from service.web.moderation import letter_actor

AT_RISK_LISTED = 50
MAX_REASON = 300


class RepresentativeRisk(BaseModel):
    id: str
    name: str
    queued: int
    capacity: int  # letters that can still go before the deadline, about
    short: int  # queued beyond that capacity
    late: int  # slots planned after the deadline
    per_hour: float
    last_slot: datetime | None
    ceiling_cannot: bool  # late even at the daily ceiling's pace


class Deadline(BaseModel):
    deadline: datetime
    plan_before: datetime  # the deadline less the margin
    timezone: str
    letters_per_hour: int
    office_hours: str | None
    ceiling: int
    queued: int
    representatives: int  # with letters queued
    last_send: datetime | None  # projected
    at_risk: int  # representatives with late slots or more queued than capacity
    listed: list[RepresentativeRisk]  # at risk first, at most AT_RISK_LISTED


class Switch(BaseModel):
    paused: bool
    reason: str | None = None
    changed_by: str | None = None
    changed_at: datetime | None = None


class FailingAddressCount(BaseModel):
    failing: int
    paused: int


class PausedRepresentative(BaseModel):
    id: str
    name: str


class NeedsPerson(BaseModel):
    held_letters: int
    oldest_held_since: datetime | None
    failing_addresses: FailingAddressCount
    paused_representatives: list[PausedRepresentative]
    spam_reports: int
    unmatched_events: int


class ControlRoom(CampaignFigures):
    """GET /api/admin/stats?campaign=SLUG: the campaign's figures, then the rest."""

    deadline: Deadline
    delivery: DeliveryHealth
    needs: NeedsPerson
    paused_everywhere: Switch
    paused_campaign: Switch


def _switch(state: PauseState) -> Switch:
    return Switch(
        paused=state.paused,
        reason=state.reason,
        changed_by=state.changed_by,
        changed_at=state.changed_at,
    )


def _risk(rep: RepresentativePlan) -> RepresentativeRisk:
    return RepresentativeRisk(
        id=rep.key,
        name=rep.name,
        queued=rep.queued,
        capacity=rep.capacity,
        short=rep.short,
        late=rep.late,
        per_hour=rep.per_hour,
        last_slot=rep.last_slot,
        ceiling_cannot=rep.ceiling_cannot,
    )


def _deadline(plan: CampaignPlan) -> Deadline:
    def danger(rep: RepresentativePlan) -> tuple[bool, int, int, float]:
        last = rep.last_slot.timestamp() if rep.last_slot else 0.0
        return (not rep.ceiling_cannot, -rep.late, -rep.short, -last)

    ordered = sorted(plan.representatives, key=danger)
    at_risk = sum(1 for rep in ordered if rep.late or rep.short)
    return Deadline(
        deadline=plan.deadline,
        plan_before=plan.plan_before,
        timezone=plan.timezone,
        letters_per_hour=plan.letters_per_hour,
        office_hours=plan.office_hours,
        ceiling=plan.ceiling,
        queued=plan.queued,
        representatives=len(plan.representatives),
        last_send=plan.last_send,
        at_risk=at_risk,
        listed=[_risk(rep) for rep in ordered[:AT_RISK_LISTED]],
    )


def _needs(session: Session, figures: CampaignFigures, health: DeliveryHealth) -> NeedsPerson:
    addresses = failing_addresses(session)
    paused = session.exec(
        select(Representative.id, Representative.name)
        .where(Representative.status == RepresentativeStatus.paused)
        .order_by(col(Representative.name))
    ).all()
    return NeedsPerson(
        held_letters=figures.held.letters,
        oldest_held_since=figures.held.oldest_since,
        failing_addresses=FailingAddressCount(
            failing=sum(1 for a in addresses if a.state == "failing"),
            paused=sum(1 for a in addresses if a.state == "paused"),
        ),
        paused_representatives=[PausedRepresentative(id=i, name=n) for i, n in paused],
        spam_reports=health.spam_reports,
        unmatched_events=health.unmatched_events,
    )


def campaigns(session: Session) -> list[Campaign]:
    return list(session.exec(select(Campaign).order_by(col(Campaign.deadline))).all())


def control_room(session: Session, settings: Settings, slug: str, now: datetime) -> ControlRoom:
    """Every figure of the control room for campaign `slug` (NotFound if there is none)."""
    campaign = get_campaign(session, slug)
    assert campaign.id is not None
    figures = campaign_figures(session, campaign.id, campaign.slug, now)
    plans = campaign_plans(session, settings.delivery, now, slug=campaign.slug)
    health = delivery_health(session, now)
    return ControlRoom(
        # Its fields as they are (models already checked), not dumped and checked again.
        **dict(figures),
        deadline=_deadline(plans[0]),
        delivery=health,
        needs=_needs(session, figures, health),
        paused_everywhere=_switch(switches.pause_state(session)),
        paused_campaign=_switch(switches.campaign_pause_state(session, campaign.id)),
    )


class AlreadySo(Conflict):
    code = "already_so"


def set_paused(
    session: Session,
    actor: Actor,
    campaign_slug: str | None,
    paused: bool,
    reason: str | None,
    now: datetime,
) -> Switch:
    """Pause or resume sending, everywhere (campaign_slug None) or for one campaign; one
    transaction with its audit entry. InvalidInput without a reason to pause, AlreadySo
    when it is so already, NotFound for an unknown campaign."""
    require(actor, Permission.edit_campaigns)
    reason = (reason or "").strip()
    if paused and not reason:
        raise InvalidInput("Say why sending is paused.", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    who = letter_actor(actor)
    with use_case(session):
        if campaign_slug is None:
            target = "delivery:global"
            before = switches.pause_state(session)
            _refuse_no_change(before, paused)
            state = (
                switches.pause(session, reason=reason, actor=who, now=now)
                if paused
                else switches.resume(session, actor=who, now=now)
            )
        else:
            campaign = _campaign(session, campaign_slug)
            assert campaign.id is not None
            target = f"campaign:{campaign.slug}"
            before = switches.campaign_pause_state(session, campaign.id)
            _refuse_no_change(before, paused)
            state = (
                switches.pause_campaign(session, campaign.id, reason=reason, actor=who, now=now)
                if paused
                else switches.resume_campaign(session, campaign.id, actor=who, now=now)
            )
        audit.record(
            session,
            actor,
            "delivery.paused" if paused else "delivery.resumed",
            now,
            target=target,
            before={"paused": before.paused, "reason": before.reason},
            after={"paused": state.paused, "reason": state.reason},
        )
        session.commit()
    return _switch(state)


def _campaign(session: Session, slug: str) -> Campaign:
    campaign = session.exec(select(Campaign).where(Campaign.slug == slug)).first()
    if campaign is None:
        raise NotFound("There is no such campaign.", field="campaign")
    return campaign


def _refuse_no_change(state: PauseState, paused: bool) -> None:
    if state.paused and paused:
        raise AlreadySo("Sending is paused already.", field="reason")
    if not state.paused and not paused:
        raise AlreadySo("Sending is not paused.")
