"""The admin API twin of the addresses page (the failing-address worklist, receiving domains
with long deferrals, the webhook's counts, and the organisers' decisions) and of the
Replies page (replies_routes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.letters.replies import ReplySummary, reply_summary
from service.tracking import service as tracking
from service.tracking.addresses import deferred_domains, failing_addresses
from service.tracking.schemas import AddressDecision, DeferredDomain, FailingAddress
from service.web import address_care

router = APIRouter(
    prefix="/api/admin/tracking",
    tags=["admin: tracking"],
    responses={
        **ERROR_RESPONSES,
        400: {"description": "The body is not valid JSON"},
        401: {"model": ErrorBody, "description": "No valid API token"},
        403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
        409: {"model": ErrorBody, "description": "The address is not in that state"},
    },
)

Reader = Annotated[Actor, Depends(ApiUser(Permission.view_dashboard))]
Carer = Annotated[Actor, Depends(ApiUser(Permission.care_representatives))]


class AddressIn(BaseModel):
    address: str = Field(max_length=320)


class CorrectionIn(AddressIn):
    new_address: str = Field(max_length=320)


class ReleaseIn(AddressIn):
    lists: list[str] = Field(max_length=4)


class ReleaseOut(BaseModel):
    released_from: list[str]


@router.get("/addresses")
def addresses(session: SessionDep, _actor: Reader) -> list[FailingAddress]:
    """Addresses failing (hard bounces, a block) or paused (a spam report)."""
    return failing_addresses(session)


@router.get("/deferred-domains")
def deferred(
    request: Request, session: SessionDep, settings: SettingsDep, _actor: Reader
) -> list[DeferredDomain]:
    return deferred_domains(session, settings.tracking, now=now_of(request))


@router.get("/counts")
def counts(session: SessionDep, _actor: Reader) -> dict[str, int]:
    """Batches not yet applied, events kept, events that matched no email of ours."""
    return tracking.counts(session)


@router.get("/replies")
def replies(session: SessionDep, _actor: Reader) -> ReplySummary:
    """Answers to "did your representative reply?" per representative, party and chamber,
    each next to the letters that office received (the console's Replies page)."""
    return reply_summary(session)


@router.post("/addresses/correct")
def correct(
    body: CorrectionIn, request: Request, session: SessionDep, settings: SettingsDep, actor: Carer
) -> AddressDecision:
    return address_care.correct_address(
        session, settings, actor, body.address, body.new_address, now_of(request)
    )


@router.post("/addresses/resume")
def resume(body: AddressIn, request: Request, session: SessionDep, actor: Carer) -> AddressDecision:
    return address_care.resume_address(session, actor, body.address, now_of(request))


@router.post("/suppressions/release")
def release(body: ReleaseIn, settings: SettingsDep, actor: Carer) -> ReleaseOut:
    return ReleaseOut(
        released_from=address_care.release_suppressions(settings, actor, body.address, body.lists)
    )
