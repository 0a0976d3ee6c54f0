"""The admin API twin of the personal data page: export and erase by email address."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody, InvalidInput
from service.web import personal_data

router = APIRouter(
    prefix="/api/admin/personal-data",
    tags=["admin: personal data"],
    responses={
        **ERROR_RESPONSES,
        400: {"description": "The body is not valid JSON"},
        401: {"model": ErrorBody, "description": "No valid API token"},
        403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
    },
)


class AddressIn(BaseModel):
    email: str = Field(max_length=254)


class ErasureIn(AddressIn):
    # The API's confirmation step: the caller says it means it.
    confirm: bool


class ErasureOut(BaseModel):
    letters: int
    outbox_rows: int
    consent_records: int
    rate_limit_counters: int


@router.post("/export")
def export(
    body: AddressIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[Actor, Depends(ApiUser(Permission.export_personal_data))],
) -> dict[str, Any]:
    return personal_data.export(session, settings, actor, body.email, now_of(request))


@router.post("/erase")
def erase(
    body: ErasureIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[Actor, Depends(ApiUser(Permission.erase_personal_data))],
) -> ErasureOut:
    if not body.confirm:
        raise InvalidInput("Set confirm to true to erase.", field="confirm")
    report = personal_data.erase(session, settings, actor, body.email, now_of(request))
    return ErasureOut(**asdict(report))
