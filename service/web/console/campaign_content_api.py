"""The admin API twin of creating a campaign and editing its words and state: the same use
cases as the console's pages (service.web.campaign_editing), each audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.campaigns import content
from service.campaigns.content import DemandIn, TextsIn
from service.campaigns.lifecycle import CampaignStatus
from service.campaigns.service import get_campaign
from service.deps import SessionDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.web import campaign_editing as use_cases
from service.web.console.campaigns_api import CampaignOut, campaign_out

router = APIRouter(
    prefix="/api/admin/campaigns",
    tags=["admin: campaigns"],
    responses={
        **ERROR_RESPONSES,
        400: {"description": "The body is not valid JSON"},
        401: {"model": ErrorBody, "description": "No valid API token"},
        403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
        409: {"model": ErrorBody, "description": "The campaign's state does not allow this"},
    },
)

Organiser = Annotated[Actor, Depends(ApiUser(Permission.edit_campaigns))]
# Generous bounds for the transport; the use cases give the reasons a person can act on.
Long = Annotated[str, Field(max_length=20_000)]


class NewCampaign(BaseModel):
    """`copy_from`: the campaign whose texts, demands and settings to copy (not its letters);
    without it, a blank draft sent from `sender_name` <`sender_email`>."""

    slug: str = Field(max_length=200)
    copy_from: str | None = Field(default=None, max_length=200)
    sender_name: str = Field(default="", max_length=300)
    sender_email: str = Field(default="", max_length=300)


@router.post("", status_code=201)
def create_campaign(
    body: NewCampaign, request: Request, session: SessionDep, actor: Organiser
) -> CampaignOut:
    campaign = use_cases.create_campaign(
        session,
        actor,
        body.slug,
        now_of(request),
        copy_from=body.copy_from,
        sender_name=body.sender_name,
        sender_email=body.sender_email,
    )
    return campaign_out(campaign)


class TextsBody(BaseModel):
    title: Long
    summary: Long = ""
    letter_intro: Long = ""
    letter_closing: Long = ""
    # The campaign's name as letters in this language are signed; "" for the sender name.
    sender_name: Long = ""
    subjects: list[Long] = Field(default_factory=list, max_length=100)


class Texts(BaseModel):
    en: TextsBody | None = None
    fr: TextsBody | None = None


class TextsChanged(BaseModel):
    texts: Texts
    changed: dict[str, list[str]]


def _texts(session: SessionDep, slug: str) -> Texts:
    rows = content.texts_of(session, get_campaign(session, slug))
    return Texts(
        **{
            lang: TextsBody(
                title=row.title,
                summary=row.summary,
                letter_intro=row.letter_intro,
                letter_closing=row.letter_closing,
                sender_name=row.sender_name or "",
                subjects=list(row.subjects),
            )
            for lang, row in rows.items()
        }
    )


@router.get("/{slug}/texts")
def get_texts(slug: str, session: SessionDep, _actor: Organiser) -> Texts:
    return _texts(session, slug)


@router.put("/{slug}/texts")
def put_texts(
    slug: str, body: Texts, request: Request, session: SessionDep, actor: Organiser
) -> TextsChanged:
    """The languages given are replaced; a refused field names itself ("fr_summary")."""
    given = {
        lang: TextsIn(**text.model_dump())
        for lang, text in (("en", body.en), ("fr", body.fr))
        if text is not None
    }
    changed = use_cases.set_texts(session, actor, slug, given, now_of(request))
    return TextsChanged(texts=_texts(session, slug), changed=changed)


class DemandText(BaseModel):
    title: Long
    body: Long


class DemandOut(BaseModel):
    number: int
    position: int  # among the offered demands, from 1; 0 when retired
    retired: bool
    en: DemandText | None
    fr: DemandText | None


class Demands(BaseModel):
    demands: list[DemandOut]


def _demands(session: SessionDep, slug: str) -> Demands:
    found = content.demands_of(session, get_campaign(session, slug))
    return Demands(
        demands=[
            DemandOut(
                number=d.number,
                position=d.position,
                retired=d.retired_at is not None,
                **{
                    lang: DemandText(title=t.title, body=t.body) if t else None
                    for lang in ("en", "fr")
                    for t in [d.texts.get(lang)]
                },
            )
            for d in found
        ]
    )


@router.get("/{slug}/demands")
def get_demands(slug: str, session: SessionDep, _actor: Organiser) -> Demands:
    return _demands(session, slug)


class NewDemand(BaseModel):
    en: DemandText
    fr: DemandText


@router.post("/{slug}/demands", status_code=201)
def add_demand(
    slug: str, body: NewDemand, request: Request, session: SessionDep, actor: Organiser
) -> Demands:
    texts = {lang: DemandIn(t.title, t.body) for lang, t in (("en", body.en), ("fr", body.fr))}
    use_cases.add_demand(session, actor, slug, texts, now_of(request))
    return _demands(session, slug)


class Move(BaseModel):
    position: int  # 1 for first among the offered demands


@router.post("/{slug}/demands/{number}/move")
def move_demand(
    slug: str, number: int, body: Move, request: Request, session: SessionDep, actor: Organiser
) -> Demands:
    use_cases.move_demand(session, actor, slug, number, body.position, now_of(request))
    return _demands(session, slug)


@router.post("/{slug}/demands/{number}/retire")
def retire_demand(
    slug: str, number: int, request: Request, session: SessionDep, actor: Organiser
) -> Demands:
    """Letters already written keep the demand; new letters can no longer choose it."""
    use_cases.retire_demand(session, actor, slug, number, now_of(request))
    return _demands(session, slug)


class StatusChange(BaseModel):
    status: CampaignStatus


@router.post("/{slug}/status")
def change_status(
    slug: str, body: StatusChange, request: Request, session: SessionDep, actor: Organiser
) -> CampaignOut:
    """draft → open, open → closed, closed → open. Closing stops new letters; letters already
    queued are still delivered by the deadline."""
    return campaign_out(use_cases.change_status(session, actor, slug, body.status, now_of(request)))
