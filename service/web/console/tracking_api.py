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
from service.web import representative_care
from service.web.representative_care import CareOutcome

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
    outcome = representative_care.correct_failing_address(
        session, settings, actor, body.address, body.new_address, now_of(request)
    )
    return _decision(body.address, outcome)


@router.post("/addresses/resume")
def resume(
    body: AddressIn, request: Request, session: SessionDep, settings: SettingsDep, actor: Carer
) -> AddressDecision:
    outcome = representative_care.resume_address(
        session, settings, actor, body.address, now_of(request)
    )
    return _decision(body.address, outcome)


def _decision(address: str, outcome: CareOutcome) -> AddressDecision:
    return AddressDecision(
        address=address.strip().lower(),
        released=outcome.released,
        suppressed_on=outcome.suppressed_on or [],
    )


@router.post("/suppressions/release")
def release(
    body: ReleaseIn, request: Request, session: SessionDep, settings: SettingsDep, actor: Carer
) -> ReleaseOut:
    released = representative_care.release_suppressions(
        session, settings, actor, body.address, body.lists, now_of(request)
    )
    return ReleaseOut(released_from=released)
