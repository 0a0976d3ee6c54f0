"""The admin API twin of the moderation queue: letters by campaign and status, one letter's
full text (recorded in the audit log), and decisions, one letter or a selection at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.campaigns.service import campaign_snapshot
from service.deps import SessionDep, SettingsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.letters.models import Letter
from service.letters.review import MAX_REASON, AlreadyDecided, Decision, Outcome
from service.letters.review_queue import letters_by_status
from service.letters.states import LetterStatus
from service.web import moderation

router = APIRouter(
    prefix="/api/admin/letters",
    tags=["admin: letters"],
    responses={
        **ERROR_RESPONSES,
        400: {"description": "The body is not valid JSON"},
        401: {"model": ErrorBody, "description": "No valid API token"},
        403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
    },
)

Moderator = Annotated[Actor, Depends(ApiUser(Permission.moderate_letters))]


class LetterSummary(BaseModel):
    id: str
    status: LetterStatus
    representative_id: str
    campaign_id: int
    created_at: datetime
    confirmed_at: datetime | None
    hold_reason: str | None
    similarity: float
    language: str
    # The approved letter template version it was queued with; None: the built-in letter.
    template_version: int | None = None


class LetterList(BaseModel):
    letters: list[LetterSummary]


def _summary(letter: Letter) -> LetterSummary:
    return LetterSummary(
        id=letter.id,
        status=LetterStatus(letter.status),
        representative_id=letter.representative_id,
        campaign_id=letter.campaign_id,
        created_at=letter.created_at,
        confirmed_at=letter.confirmed_at,
        hold_reason=letter.hold_reason,
        similarity=letter.similarity,
        language=letter.language,
        template_version=letter.template_version,
    )


@router.get("")
def list_letters(
    session: SessionDep,
    _actor: Moderator,
    campaign: Annotated[str | None, Query(max_length=80)] = None,
    status: LetterStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> LetterList:
    """Letters without their text (open one to read it); `status=held` is the queue."""
    campaign_id = campaign_snapshot(session, campaign).id if campaign else None
    found = letters_by_status(
        session, campaign_id=campaign_id, status=status, limit=limit, offset=offset
    )
    return LetterList(letters=[_summary(letter) for letter in found])


class Neighbour(BaseModel):
    id: str
    status: LetterStatus
    score: float
    message: str


class LetterText(LetterSummary):
    subject: str
    message: str
    demands: list[int]
    closest: list[Neighbour]


@router.get("/{letter_id}")
def open_letter(
    letter_id: str, request: Request, session: SessionDep, settings: SettingsDep, actor: Moderator
) -> LetterText:
    """A letter's full text and its closest letters to the same representative (recorded
    in the audit log)."""
    found = moderation.open_letter(session, settings, actor, letter_id, now_of(request))
    letter = found.letter
    return LetterText(
        **_summary(letter).model_dump(),
        subject=letter.subject,
        message=letter.message,
        demands=letter.demand_numbers,
        closest=[
            Neighbour(
                id=n.letter.id,
                status=LetterStatus(n.letter.status),
                score=n.score,
                message=n.letter.message,
            )
            for n in found.closest
        ],
    )


class DecisionIn(BaseModel):
    decision: Decision
    # Sent to the supporter with a rejection or a return; required for those two.
    reason: str | None = Field(default=None, max_length=MAX_REASON)


class DecisionOut(BaseModel):
    id: str
    decision: Decision
    status: LetterStatus
    hold_reason: str | None


def _out(outcome: Outcome) -> DecisionOut:
    return DecisionOut(
        id=outcome.letter_id,
        decision=outcome.decision,
        status=outcome.status,
        hold_reason=outcome.hold_reason,
    )


def already_decided(exc: AlreadyDecided) -> dict[str, Any]:
    return {
        "error": exc.code,
        "message": exc.message,
        "field": exc.field,
        "status": exc.status.value,
        "hold_reason": exc.hold_reason,
        "decided_at": exc.decided_at.isoformat() if exc.decided_at else None,
        "decided_by": exc.decided_by,
    }


@router.post(
    "/{letter_id}/decision",
    responses={409: {"description": "Another decision came first; the body says which"}},
)
def decide(
    letter_id: str,
    body: DecisionIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Moderator,
) -> Any:
    try:
        outcome = moderation.decide(
            session, settings, actor, letter_id, body.decision, body.reason, now_of(request)
        )
    except AlreadyDecided as exc:
        return JSONResponse(already_decided(exc), status_code=409)
    return _out(outcome)


class BulkIn(DecisionIn):
    ids: list[Annotated[str, Field(max_length=32)]] = Field(min_length=1, max_length=200)


class Refusal(BaseModel):
    id: str
    error: str
    message: str


class BulkOut(BaseModel):
    done: list[DecisionOut]
    refused: list[Refusal]


@router.post("/decisions/bulk")
def decide_many(
    body: BulkIn, request: Request, session: SessionDep, settings: SettingsDep, actor: Moderator
) -> BulkOut:
    """The same decision on a selection; each letter is decided on its own, and those that
    cannot be (decided meanwhile, gone) are listed with why."""
    report = moderation.decide_many(
        session, settings, actor, body.ids, body.decision, body.reason, now_of(request)
    )
    return BulkOut(
        done=[_out(o) for o in report.done],
        refused=[
            Refusal(id=letter_id, error=exc.code, message=exc.message)
            for letter_id, exc in report.refused.items()
        ],
    )
