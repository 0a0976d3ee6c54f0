"""The admin API twin of the representatives' care pages: list with filters, one
representative with their letters, and PATCH to pause, resume or correct the address."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.representatives import care
from service.representatives.freshness import chamber_freshness
from service.representatives.models import RepresentativeStatus
from service.web import representative_care, representative_view
from service.web.representative_view import RepresentativeDetail, RepresentativeOut

router = APIRouter(
    prefix="/api/admin/representatives",
    tags=["admin: representatives"],
    responses={
        **ERROR_RESPONSES,
        400: {"description": "The body is not valid JSON"},
        401: {"model": ErrorBody, "description": "No valid API token"},
        403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
        409: {"model": ErrorBody, "description": "Already paused, not paused, or vacant"},
    },
)

Organiser = Annotated[Actor, Depends(ApiUser(Permission.care_representatives))]
Viewer = Annotated[Actor, Depends(ApiUser(Permission.view_dashboard))]


class RepresentativeList(BaseModel):
    representatives: list[RepresentativeOut]


class ChamberFreshnessOut(BaseModel):
    chamber_id: str
    source: str
    source_date: date | None
    checked_on: date | None
    # The later of the two: how current the chamber's data is known to be.
    current_as_of: date | None
    age_days: int | None
    stale: bool  # older than representatives.stale_after_days (or of unknown date)
    seats: int
    written_to: int
    no_address: int
    vacant: int
    paused: int


class FreshnessOut(BaseModel):
    stale_after_days: int
    chambers: list[ChamberFreshnessOut]


def data_freshness(session: Session, stale_after_days: int, today: date) -> FreshnessOut:
    """Per chamber: the source of the representatives data, its date and counts, and whether
    it is older than the setting allows (`repmail data status` prints the same)."""
    return FreshnessOut(
        stale_after_days=stale_after_days,
        chambers=[
            ChamberFreshnessOut(
                chamber_id=chamber.chamber_id,
                source=chamber.source,
                source_date=chamber.source_date,
                checked_on=chamber.checked_on,
                current_as_of=chamber.current_as_of,
                age_days=chamber.age_days(today),
                stale=chamber.is_stale(today, stale_after_days),
                seats=chamber.seats,
                written_to=chamber.written_to,
                no_address=chamber.no_address,
                vacant=chamber.vacant,
                paused=chamber.paused,
            )
            for chamber in chamber_freshness(session)
        ],
    )


# Beside the representatives' routes, not under them: "/freshness" would also match
# PATCH /{representative_id}.
freshness_router = APIRouter(
    prefix="/api/admin", tags=["admin: representatives"], responses=router.responses
)


@freshness_router.get("/data-freshness", response_model=FreshnessOut)
def get_freshness(
    _actor: Viewer, session: SessionDep, settings: SettingsDep, request: Request
) -> FreshnessOut:
    """How old the representatives data is, per chamber (the console home shows it)."""
    today = now_of(request).date()
    return data_freshness(session, settings.representatives.stale_after_days, today)


@router.get("")
def list_representatives(
    session: SessionDep,
    _actor: Organiser,
    chamber: Annotated[str | None, Query(max_length=20)] = None,
    party: Annotated[str | None, Query(max_length=200)] = None,
    status: RepresentativeStatus | None = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
    failing: Annotated[
        bool, Query(description="Only addresses the provider reports failing")
    ] = False,
    paused: Annotated[
        bool, Query(description="Only those paused, by organisers or after a spam report")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RepresentativeList:
    criteria = care.Criteria(chamber=chamber, party=party, status=status, name=name)
    found = representative_view.search(
        session, criteria, failing=failing, paused=paused, limit=limit, offset=offset
    )
    return RepresentativeList(representatives=[item.representative for item in found])


@router.get("/{representative_id}")
def get_representative(
    representative_id: str, session: SessionDep, _actor: Organiser
) -> RepresentativeDetail:
    """The representative, their letters by status, and the provider's latest reports."""
    return representative_view.detail(session, representative_id)


class RepresentativePatch(BaseModel):
    email: str | None = Field(default=None, max_length=320)
    # Where the corrected address comes from ("the office, by phone on 2 Dec").
    source: str | None = Field(default=None, max_length=200)
    # The address the caller believes the representative has: when given and someone has
    # changed it meanwhile, the correction is refused (409) instead of overwriting theirs.
    previous_email: str | None = Field(default=None, max_length=320)
    paused: bool | None = None
    reason: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def one_change(self) -> RepresentativePatch:
        if (self.email is None) == (self.paused is None):
            raise ValueError("send either email or paused")
        return self


@router.patch("/{representative_id}")
def change_representative(
    representative_id: str,
    body: RepresentativePatch,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Organiser,
) -> RepresentativeDetail:
    """Correct the address (`email`, with its `source`) or pause/resume (`paused`, with a
    `reason` to pause). 409 when already in that state, or the address changed meanwhile."""
    now = now_of(request)
    if body.email is not None:
        outcome = representative_care.correct_email(
            session,
            settings,
            actor,
            representative_id,
            body.email,
            body.source or "",
            now,
            previous_email=body.previous_email,
        )
    else:
        assert body.paused is not None
        outcome = representative_care.set_paused(
            session, settings, actor, representative_id, body.paused, body.reason, now
        )
    return representative_view.detail(session, outcome.representative.id)
