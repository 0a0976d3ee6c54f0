"""The admin API twin of the official-data page: the differences a re-import of a chamber's
bundled data would make (with their digest), and applying exactly those."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.representatives.import_diff import ImportDiff, SeatChange
from service.web import representative_import

router = APIRouter(
    prefix="/api/admin/imports",
    tags=["admin: representatives"],
    responses={
        **ERROR_RESPONSES,
        400: {"description": "The body is not valid JSON"},
        401: {"model": ErrorBody, "description": "No valid API token"},
        403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
        409: {
            "model": ErrorBody,
            "description": "The data changed since the diff was read, or nothing to apply",
        },
    },
)

Organiser = Annotated[Actor, Depends(ApiUser(Permission.care_representatives))]


class FieldChange(BaseModel):
    before: str | None
    after: str | None


class SeatChangeOut(BaseModel):
    representative_id: str
    name: str
    constituency_id: str
    fields: dict[str, FieldChange]


class DiffOut(BaseModel):
    chamber: str
    digest: str  # send it back to apply exactly these differences
    added: list[SeatChangeOut]
    changed: list[SeatChangeOut]
    vacated: list[SeatChangeOut]


class ApplyIn(BaseModel):
    digest: str = Field(max_length=100)


class AppliedOut(DiffOut):
    letters_held: int  # waiting for a member who left: held for the organisers
    letters_already_sent: int  # the provider had them: nothing could hold them
    letters_readdressed: int  # not yet sent, to a member whose official address changed


def _seat(change: SeatChange) -> SeatChangeOut:
    return SeatChangeOut(
        representative_id=change.representative_id,
        name=change.name,
        constituency_id=change.constituency_id,
        fields={k: FieldChange(before=b, after=a) for k, (b, a) in change.fields.items()},
    )


def _diff(diff: ImportDiff) -> DiffOut:
    return DiffOut(
        chamber=diff.chamber_id,
        digest=diff.digest,
        added=[_seat(c) for c in diff.added],
        changed=[_seat(c) for c in diff.changed],
        vacated=[_seat(c) for c in diff.vacated],
    )


@router.get("/{chamber}")
def preview(chamber: str, session: SessionDep, settings: SettingsDep, actor: Organiser) -> DiffOut:
    """What re-importing the chamber's bundled official data would change (nothing written)."""
    return _diff(representative_import.preview(session, settings, actor, chamber))


@router.post("/{chamber}")
def apply(
    chamber: str,
    body: ApplyIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Organiser,
) -> AppliedOut:
    """Apply the differences read with GET (their digest); 409 when they changed since."""
    done = representative_import.apply(
        session, settings, actor, chamber, body.digest, now_of(request)
    )
    return AppliedOut(
        **_diff(done.diff).model_dump(),
        letters_held=len(done.held),
        letters_already_sent=len(done.already_sent),
        letters_readdressed=done.readdressed,
    )
