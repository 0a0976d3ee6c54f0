"""Creating a campaign and editing its words and state, from the console and the admin API:
one use case per action, each a transaction on the locked campaign row that records the change
in the audit log. Composed here because campaigns may not import accounts (the log)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.roles import Permission
from service.accounts.service import require
from service.campaigns import content, lifecycle
from service.campaigns.content import DemandIn, TextsIn
from service.campaigns.lifecycle import CampaignStatus
from service.campaigns.models import Campaign
from service.campaigns.service import get_campaign
from service.campaigns.settings import check_sender, lock_campaign
from service.db import use_case
from service.errors import Conflict, InvalidInput, NotFound


def _target(slug: str) -> str:
    return f"campaign:{slug}"


def create_campaign(
    session: Session,
    actor: Actor,
    slug: str,
    now: datetime,
    *,
    copy_from: str | None = None,
    sender_name: str = "",
    sender_email: str = "",
) -> Campaign:
    """A new draft campaign: blank, or a copy of `copy_from` (texts, demands, settings)."""
    require(actor, Permission.edit_campaigns)
    try:
        with use_case(session):
            if copy_from:
                lifecycle.check_slug(session, slug)
                try:
                    source = get_campaign(session, copy_from)
                except NotFound:
                    raise InvalidInput(
                        "Choose a campaign to copy, or start blank.", field="copy_from"
                    ) from None
                campaign = lifecycle.create_copy(session, slug, source, now)
            else:
                lifecycle.check_slug(session, slug)
                name, address = check_sender(sender_name, sender_email)
                campaign = lifecycle.create_blank(session, slug, name, address, now)
            audit.record(
                session,
                actor,
                "campaign.created",
                now,
                target=_target(campaign.slug),
                after={"copied_from": copy_from or None, "status": campaign.status},
            )
            session.commit()
    except IntegrityError:  # another organiser took the address at the same moment
        raise Conflict("Another campaign already has this address.", field="slug") from None
    return campaign


def set_texts(
    session: Session, actor: Actor, slug: str, texts: dict[str, TextsIn], now: datetime
) -> dict[str, list[str]]:
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        campaign = lock_campaign(session, slug)
        changed = content.set_texts(session, campaign, texts)
        if changed:
            audit.record(
                session, actor, "campaign.texts_changed", now, target=_target(slug), after=changed
            )
        session.commit()
    return changed


def add_demand(
    session: Session, actor: Actor, slug: str, texts: dict[str, DemandIn], now: datetime
) -> int:
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        campaign = lock_campaign(session, slug)
        number = content.add_demand(session, campaign, texts)
        audit.record(
            session,
            actor,
            "campaign.demand_added",
            now,
            target=_target(slug),
            after={"demand": number},
        )
        session.commit()
    return number


def move_demand(
    session: Session, actor: Actor, slug: str, number: int, position: int, now: datetime
) -> None:
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        campaign = lock_campaign(session, slug)
        before = content.move_demand(session, campaign, number, position)
        if before != position:
            audit.record(
                session,
                actor,
                "campaign.demand_moved",
                now,
                target=_target(slug),
                before={"demand": number, "position": before},
                after={"demand": number, "position": position},
            )
        session.commit()


def retire_demand(session: Session, actor: Actor, slug: str, number: int, now: datetime) -> None:
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        campaign = lock_campaign(session, slug)
        content.retire_demand(session, campaign, number, now)
        audit.record(
            session,
            actor,
            "campaign.demand_retired",
            now,
            target=_target(slug),
            after={"demand": number},
        )
        session.commit()


def change_status(
    session: Session, actor: Actor, slug: str, to: CampaignStatus, now: datetime
) -> Campaign:
    """Open, close or reopen the campaign (campaigns.lifecycle.TRANSITIONS)."""
    require(actor, Permission.edit_campaigns)
    with use_case(session):
        campaign = lock_campaign(session, slug)
        before = campaign.status
        action = lifecycle.move(session, campaign, to, now)
        audit.record(
            session,
            actor,
            action,
            now,
            target=_target(slug),
            before={"status": before},
            after={"status": campaign.status},
        )
        session.commit()
    return campaign
