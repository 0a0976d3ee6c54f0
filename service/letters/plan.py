"""Campaigns meet pacing: each campaign's rules for its letters (pacing_for), the projection
staff read with `repmail delivery plan`, re-slotting a campaign's queue after its settings
changed (`plan --apply`), and re-slotting letters left overdue by a pause or an outage.

Delivery keeps the slots and knows each outbox row's campaign id; the rules (pace, office
hours, deadline) are the campaign's, so they are read here, above both."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.campaigns.models import Campaign
from service.config import DeliverySettings
from service.delivery.models import DeliveryPace, OutboxMessage
from service.delivery.pacing import OfficeHours, Policy, capacity, required_pace
from service.delivery.scheduler import BOOKED, Pacing, Slotted, booked_times, replan
from service.delivery.states import OutboxState
from service.delivery.switches import pause_state
from service.representatives.models import Chamber, Representative
from service.stats.models import QueuedLetters

log = logging.getLogger("repmail.delivery.pacing")
S = OutboxState
# Queued letters this late are re-slotted rather than all sent at once.
OVERDUE = timedelta(minutes=10)
OVERDUE_BATCH = 200  # representatives per call


def pacing_for(campaign: Campaign, key: str, timezone: str, settings: DeliverySettings) -> Pacing:
    """How letters of `campaign` to representative `key` (whose chamber keeps `timezone`)
    are paced, and the time every slot must come before."""
    hours = None
    if campaign.office_hours_only:
        hours = OfficeHours.hours(campaign.office_hours_start, campaign.office_hours_end)
    policy = Policy(
        per_hour=float(campaign.letters_per_hour),
        daily_ceiling=settings.daily_ceiling_per_representative,
        timezone=timezone,
        office_hours=hours,
    )
    margin = timedelta(minutes=settings.deadline_margin_minutes)
    return Pacing(key=key, policy=policy, deadline=campaign.deadline - margin)


@dataclass(slots=True)
class RepresentativePlan:
    key: str
    name: str
    queued: int = 0
    last_slot: datetime | None = None
    late: int = 0  # slots not before the deadline
    per_hour: float = 0.0  # the pace in force
    ceiling_cannot: bool = False  # late even at the ceiling's pace
    # About how many letters can still go before the deadline at the pace in force.
    capacity: int = 0

    @property
    def short(self) -> int:
        """Letters queued beyond the capacity left."""
        return max(0, self.queued - self.capacity)


@dataclass(slots=True)
class CampaignPlan:
    slug: str
    deadline: datetime  # the campaign's (UTC)
    plan_before: datetime  # the deadline less the margin: every slot should be earlier
    timezone: str
    letters_per_hour: int
    office_hours: str | None  # "09:00-18:00 Mon-Fri", or None (round the clock)
    ceiling: int
    representatives: list[RepresentativePlan] = field(default_factory=list)

    @property
    def queued(self) -> int:
        return sum(rep.queued for rep in self.representatives)

    @property
    def last_send(self) -> datetime | None:
        return max((r.last_slot for r in self.representatives if r.last_slot), default=None)

    @property
    def worst(self) -> RepresentativePlan | None:
        dated = [r for r in self.representatives if r.last_slot]
        return max(dated, key=lambda r: (r.last_slot, r.queued)) if dated else None

    @property
    def raised(self) -> list[RepresentativePlan]:
        return [r for r in self.representatives if r.per_hour > self.letters_per_hour]

    @property
    def late(self) -> list[RepresentativePlan]:
        return sorted((r for r in self.representatives if r.late), key=lambda r: -r.late)


def campaign_plans(
    session: Session, settings: DeliverySettings, now: datetime, *, slug: str | None = None
) -> list[CampaignPlan]:
    """Where every queued letter stands against its campaign's deadline. Reads only."""
    query = select(Campaign).order_by(col(Campaign.deadline))
    if slug is not None:
        query = query.where(Campaign.slug == slug)
    plans = []
    for campaign in session.exec(query).all():
        assert campaign.id is not None
        plans.append(_campaign_plan(session, campaign, settings, now))
    return plans


def _campaign_plan(
    session: Session, campaign: Campaign, settings: DeliverySettings, now: datetime
) -> CampaignPlan:
    margin = timedelta(minutes=settings.deadline_margin_minutes)
    hours = None
    if campaign.office_hours_only:
        hours = f"{campaign.office_hours_start:02d}:00-{campaign.office_hours_end:02d}:00 Mon-Fri"
    result = CampaignPlan(
        slug=campaign.slug,
        deadline=campaign.deadline,
        plan_before=campaign.deadline - margin,
        timezone=campaign.timezone,
        letters_per_hour=campaign.letters_per_hour,
        office_hours=hours,
        ceiling=settings.daily_ceiling_per_representative,
    )
    # One row per representative with letters queued: the count is kept as rows join and
    # leave the queue (service.stats, QueuedLetters), the last slot and the late slots are
    # read from ix_outbox_message_campaign_state_pace (one descent for the last, a range of
    # only the late rows for those), joined to the name, chamber time zone and raised pace
    # in the same statement: the control room reads this on every view, and counting a
    # queue of 200,000 rows each time cost more than the page may take.
    queued_rows = (
        col(OutboxMessage.campaign_id) == campaign.id,
        col(OutboxMessage.state) == S.queued,
        col(OutboxMessage.pace_key) == QueuedLetters.representative_id,
    )
    last_slots = sa_select(func.max(OutboxMessage.not_before)).where(*queued_rows).scalar_subquery()
    late = (
        sa_select(func.count())
        .select_from(OutboxMessage)
        .where(*queued_rows, col(OutboxMessage.not_before) >= result.plan_before)
        .scalar_subquery()
    )
    # Through the connection: 1,227 plain rows, without the ORM's row machinery.
    rows = (
        session.connection()
        .execute(
            sa_select(
                col(QueuedLetters.representative_id),
                col(QueuedLetters.letters),
                last_slots,
                late,
                col(Representative.name),
                col(Chamber.timezone),
                col(DeliveryPace.raised_per_hour),
            )
            .where(col(QueuedLetters.campaign_id) == campaign.id, col(QueuedLetters.letters) > 0)
            .outerjoin(Representative, col(Representative.id) == QueuedLetters.representative_id)
            .outerjoin(Chamber, col(Chamber.id) == Representative.chamber_id)
            .outerjoin(DeliveryPace, col(DeliveryPace.key) == QueuedLetters.representative_id)
        )
        .all()
    )
    queues = {
        key: (int(n), _aware(last), int(k or 0))
        for key, n, last, k, _name, _zone, _raised_pace in rows
        if key is not None
    }
    if not queues:
        return result
    names = {row[0]: row[4] for row in rows if row[4] is not None}
    zones = {row[0]: row[5] for row in rows if row[5] is not None}
    raised = {row[0]: row[6] for row in rows}
    capacities: dict[tuple[str, float], int] = {}
    for key, (queued, last_slot, late_count) in sorted(queues.items()):
        rep = RepresentativePlan(
            key=key,
            name=names.get(key, key),
            queued=queued,
            last_slot=last_slot,
            late=late_count,
            per_hour=max(float(campaign.letters_per_hour), raised.get(key) or 0.0),
        )
        zone = zones.get(key, "UTC")
        if (zone, rep.per_hour) not in capacities:  # a few paces and two zones in all
            capacities[(zone, rep.per_hour)] = _capacity(
                campaign, zone, rep.per_hour, settings, now
            )
        rep.capacity = capacities[(zone, rep.per_hour)]
        if rep.late:
            pacing = pacing_for(campaign, key, zones.get(key, "UTC"), settings)
            fixed = booked_times(session, key, now, states=BOOKED - {S.queued})
            needed = required_pace(
                queued, fixed, pacing.policy, after=now, deadline=pacing.deadline
            )
            rep.ceiling_cannot = needed is None
        result.representatives.append(rep)
    return result


@lru_cache(maxsize=512)
def _capacity_of(policy: Policy, after: datetime, deadline: datetime) -> int:
    return capacity(policy, after=after, deadline=deadline)


def _capacity(
    campaign: Campaign, zone: str, per_hour: float, settings: DeliverySettings, now: datetime
) -> int:
    pacing = pacing_for(campaign, "", zone, settings)
    after = now.replace(second=0, microsecond=0)  # one computation a minute per pace
    return _capacity_of(pacing.policy.at(per_hour), after, pacing.deadline)


def replan_campaign(
    session: Session, campaign: Campaign, settings: DeliverySettings, now: datetime
) -> list[Slotted]:
    """New slots for every queued letter of `campaign`, from now, at its configured pace
    (raised where that misses the deadline). The caller commits."""
    keys = session.exec(
        select(OutboxMessage.pace_key)
        .where(
            OutboxMessage.campaign_id == campaign.id,
            OutboxMessage.state == S.queued,
            col(OutboxMessage.pace_key).is_not(None),
        )
        .distinct()
    ).all()
    _names, zones = _representatives(session, [k for k in keys if k])
    results = []
    for key in sorted(k for k in keys if k):
        pacing = pacing_for(campaign, key, zones.get(key, "UTC"), settings)
        results.append(replan(session, pacing, now))
    raised = [r for r in results if r.raised]
    late = sum(r.late for r in results)
    log.warning(
        "campaign re-slotted",
        extra={
            "campaign": campaign.slug,
            "representatives": len(results),
            "raised": len(raised),
            "late": late,
        },
    )
    return results


def repace_overdue(session: Session, settings: DeliverySettings, now: datetime) -> int:
    """Re-slot the queues of representatives with letters overdue by more than OVERDUE (a
    pause or an outage), so they resume at their pace instead of all at once. One
    transaction (it commits). Returns how many representatives were re-slotted."""
    if pause_state(session).paused:
        return 0
    overdue = session.exec(
        select(OutboxMessage.pace_key, func.min(OutboxMessage.campaign_id))
        .where(
            OutboxMessage.state == S.queued,
            col(OutboxMessage.pace_key).is_not(None),
            col(OutboxMessage.next_attempt_at) < now - OVERDUE,
        )
        .group_by(col(OutboxMessage.pace_key))
        .limit(OVERDUE_BATCH)
    ).all()
    if not overdue:
        return 0
    _names, zones = _representatives(session, [key for key, _ in overdue if key])
    for key, campaign_id in overdue:
        campaign = session.get(Campaign, campaign_id)
        if key is None or campaign is None:
            continue
        replan(session, pacing_for(campaign, key, zones.get(key, "UTC"), settings), now)
    session.commit()
    log.warning("overdue letters re-slotted", extra={"representatives": len(overdue)})
    return len(overdue)


def _representatives(session: Session, keys: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Names and chamber timezones of the representatives `keys`."""
    rows = session.exec(
        select(Representative.id, Representative.name, Chamber.timezone)
        .join(Chamber, col(Chamber.id) == Representative.chamber_id)
        .where(col(Representative.id).in_(keys))
    ).all()
    return {i: n for i, n, _ in rows}, {i: z for i, _, z in rows}


def _aware(moment: datetime | str | None) -> datetime | None:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
