"""The admin API twin of the console's seat maps: per seat of one chamber, the campaign's
letters sent and delivered, the shade the map gives it, and the legend's ranges."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from service.accounts.audit import Actor
from service.accounts.current import ApiUser
from service.accounts.roles import Permission
from service.campaigns.service import get_campaign
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.representatives.models import ChamberId
from service.web.seat_map_view import Measure, map_view

router = APIRouter(
    prefix="/api/admin/maps",
    tags=["admin: maps"],
    responses={
        **ERROR_RESPONSES,
        401: {"model": ErrorBody, "description": "No valid API token"},
        403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
        404: {"model": ErrorBody, "description": "There is no such campaign"},
    },
)

Viewer = Annotated[Actor, Depends(ApiUser(Permission.view_dashboard))]


class LegendStepOut(BaseModel):
    shade: int  # 0: no letters; 1 (fewest) to 5 (most)
    low: int
    high: int


class SeatOut(BaseModel):
    constituency_id: str
    name: str
    representative: str | None  # None: the seat is vacant
    sent: int  # letters that went out (including those delivered or bounced since)
    delivered: int
    shade: int
    abroad: bool  # one of the eleven seats of French citizens abroad


class SeatMapOut(BaseModel):
    campaign: str
    chamber: ChamberId
    measure: Measure
    legend: list[LegendStepOut]
    seats: list[SeatOut]


@router.get("")
def seat_map(
    session: SessionDep,
    settings: SettingsDep,
    _actor: Viewer,
    campaign: Annotated[str, Query(min_length=1, max_length=60)],
    chamber: ChamberId = ChamberId.uk_commons,
    measure: Measure = Measure.sent,
) -> SeatMapOut:
    """Every seat of the chamber, in id order, with the campaign's letters to it."""
    view = map_view(session, settings.data_dir, get_campaign(session, campaign), chamber, measure)
    return SeatMapOut(
        campaign=view.campaign,
        chamber=view.chamber_id,
        measure=view.measure,
        legend=[LegendStepOut(shade=s.shade, low=s.low, high=s.high) for s in view.legend],
        seats=[
            SeatOut(
                constituency_id=s.constituency_id,
                name=s.name,
                representative=s.representative,
                sent=s.sent,
                delivered=s.delivered,
                shade=s.shade,
                abroad=s.abroad,
            )
            for s in view.seats
        ],
    )
