"""The admin API's CSV exports of a campaign: aggregates per representative, constituency and
day (staff and up), and the letters themselves with personal data (the export permission
only, audited). The console's exports page serves the same files (exports_routes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from service.accounts.audit import Actor
from service.accounts.current import ApiUser, now_of
from service.accounts.roles import Permission
from service.campaigns.service import get_campaign
from service.deps import SessionDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.web import exports
from service.web.csv_stream import csv_response
from service.web.exports import AggregateExport

router = APIRouter(
    prefix="/api/admin/exports",
    tags=["admin: exports"],
    responses={
        **ERROR_RESPONSES,
        200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a header row"},
        401: {"model": ErrorBody, "description": "No valid API token"},
        403: {"model": ErrorBody, "description": "The token owner's role does not allow this"},
        404: {"model": ErrorBody, "description": "There is no such campaign"},
    },
)

Staff = Annotated[Actor, Depends(ApiUser(Permission.export_aggregates))]
Exporter = Annotated[Actor, Depends(ApiUser(Permission.export_personal_data))]
CampaignSlug = Annotated[str, Query(min_length=1, max_length=60, description="Campaign slug")]


def _aggregate(session: SessionDep, slug: str, kind: AggregateExport) -> StreamingResponse:
    campaign = get_campaign(session, slug)
    chunks = exports.aggregate_csv(session, campaign, kind)
    return csv_response(f"{campaign.slug}-{kind.value}.csv", chunks)


@router.get("/representatives.csv", response_class=StreamingResponse)
def representatives_csv(
    session: SessionDep, _actor: Staff, campaign: CampaignSlug
) -> StreamingResponse:
    """Per representative: the campaign's letters to them, sent, delivered, and by status."""
    return _aggregate(session, campaign, AggregateExport.representatives)


@router.get("/constituencies.csv", response_class=StreamingResponse)
def constituencies_csv(
    session: SessionDep, _actor: Staff, campaign: CampaignSlug
) -> StreamingResponse:
    """Per seat, with its sitting member: the same counts as the seat maps."""
    return _aggregate(session, campaign, AggregateExport.constituencies)


@router.get("/days.csv", response_class=StreamingResponse)
def days_csv(session: SessionDep, _actor: Staff, campaign: CampaignSlug) -> StreamingResponse:
    """Per day (UTC): letters written, and letters that reached each status."""
    return _aggregate(session, campaign, AggregateExport.days)


@router.get("/letters.csv", response_class=StreamingResponse)
def letters_csv(
    request: Request, session: SessionDep, actor: Exporter, campaign: CampaignSlug
) -> StreamingResponse:
    """One row per letter, with the supporter's personal data. Recorded in the audit log."""
    found = get_campaign(session, campaign)
    chunks = exports.letters_csv(session, actor, found, now_of(request))
    return csv_response(f"{found.slug}-letters.csv", chunks)
