"""The admin API twin of the representatives' care pages: list with filters, one
representative with their letters, and PATCH to pause, resume or correct the address."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody, NotFound
from service.letters.recipient_changes import letter_counts
from service.representatives import care
from service.representatives.models import (
    Representative,
    RepresentativeCare,
    RepresentativeStatus,
)
from service.web import representative_care

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


class RepresentativeOut(BaseModel):
    id: str
    name: str
    party: str
    chamber_id: str
    constituency_id: str
    status: RepresentativeStatus
    email: str | None
    # Where the address comes from and its date: the official source, or an organiser's
    # correction.
    email_source: str
    email_date: date
    pause_reason: str | None
    paused_at: datetime | None


class RepresentativeDetail(RepresentativeOut):
    letters: dict[str, int]


class RepresentativeList(BaseModel):
    representatives: list[RepresentativeOut]


def representative_out(rep: Representative, extra: RepresentativeCare | None) -> RepresentativeOut:
    corrected = extra.email_corrected_at if extra else None
    return RepresentativeOut(
        id=rep.id,
        name=rep.name,
        party=rep.party,
        chamber_id=rep.chamber_id,
        constituency_id=rep.constituency_id,
        status=RepresentativeStatus(rep.status),
        email=rep.email,
        email_source=(extra.email_source if extra and extra.email_source else rep.source),
        email_date=corrected.date() if corrected else rep.retrieved_on,
        pause_reason=extra.pause_reason if extra else None,
        paused_at=extra.paused_at if extra else None,
    )


@router.get("")
def list_representatives(
    session: SessionDep,
    _actor: Organiser,
    chamber: Annotated[str | None, Query(max_length=20)] = None,
    party: Annotated[str | None, Query(max_length=200)] = None,
    status: RepresentativeStatus | None = None,
    name: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RepresentativeList:
    criteria = care.Criteria(chamber=chamber, party=party, status=status, name=name)
    found = care.search(session, criteria, limit=limit, offset=offset)
    return RepresentativeList(
        representatives=[representative_out(item.representative, item.care) for item in found]
    )


def _detail(session: Session, rep: Representative) -> RepresentativeDetail:
    out = representative_out(rep, session.get(RepresentativeCare, rep.id))
    return RepresentativeDetail(**out.model_dump(), letters=letter_counts(session, rep.id))


@router.get("/{representative_id}")
def get_representative(
    representative_id: str, session: SessionDep, _actor: Organiser
) -> RepresentativeDetail:
    rep = session.get(Representative, representative_id)
    if rep is None:
        raise NotFound("There is no such representative.", field="representative_id")
    return _detail(session, rep)


class RepresentativePatch(BaseModel):
    email: str | None = Field(default=None, max_length=320)
    # Where the corrected address comes from ("the office, by phone on 2 Dec").
    source: str | None = Field(default=None, max_length=200)
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
    now = now_of(request)
    if body.email is not None:
        outcome = representative_care.correct_email(
            session, actor, representative_id, body.email, body.source or "", now
        )
    else:
        assert body.paused is not None
        outcome = representative_care.set_paused(
            session, settings, actor, representative_id, body.paused, body.reason, now
        )
    return _detail(session, outcome.representative)
