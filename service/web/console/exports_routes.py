"""The exports page (staff and up): a campaign's CSV files to download. The files are the
admin API's (exports_api), served here under the console's own session; the letters file,
with personal data, only to people with the export permission, and audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, StreamingResponse

from service.accounts.current import now_of
from service.accounts.roles import Permission, has_permission
from service.campaigns.service import get_campaign
from service.campaigns.settings import list_campaigns
from service.deps import SessionDep
from service.web import exports
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.csv_stream import csv_response
from service.web.exports import AggregateExport
from service.web.i18n import N_

router = APIRouter(prefix="/exports")
NAV = [NavEntry("/exports", N_("Exports"), Permission.export_aggregates)]

StaffPage = Annotated[ConsolePage, console_page(Permission.export_aggregates)]
ExporterPage = Annotated[ConsolePage, console_page(Permission.export_personal_data)]
CampaignSlug = Annotated[str, Query(min_length=1, max_length=60)]

FILES = {
    AggregateExport.representatives: N_("Letters per representative"),
    AggregateExport.constituencies: N_("Letters per constituency"),
    AggregateExport.days: N_("Letters per day"),
}


@router.get("", response_class=HTMLResponse)
def exports_page(cp: StaffPage, session: SessionDep) -> HTMLResponse:
    assert cp.user is not None
    may_export_letters = has_permission(cp.user.account.role, Permission.export_personal_data)
    return cp.render(
        "console/exports.html",
        {
            "campaigns": [c.slug for c in list_campaigns(session)],
            "files": [(kind.value, cp._(label)) for kind, label in FILES.items()],
            "letters": may_export_letters,
        },
    )


def _aggregate(session: SessionDep, slug: str, kind: AggregateExport) -> StreamingResponse:
    campaign = get_campaign(session, slug)
    return csv_response(
        f"{campaign.slug}-{kind.value}.csv", exports.aggregate_csv(session, campaign, kind)
    )


@router.get("/representatives.csv")
def representatives_csv(
    _cp: StaffPage, session: SessionDep, campaign: CampaignSlug
) -> StreamingResponse:
    return _aggregate(session, campaign, AggregateExport.representatives)


@router.get("/constituencies.csv")
def constituencies_csv(
    _cp: StaffPage, session: SessionDep, campaign: CampaignSlug
) -> StreamingResponse:
    return _aggregate(session, campaign, AggregateExport.constituencies)


@router.get("/days.csv")
def days_csv(_cp: StaffPage, session: SessionDep, campaign: CampaignSlug) -> StreamingResponse:
    return _aggregate(session, campaign, AggregateExport.days)


@router.get("/letters.csv")
def letters_csv(cp: ExporterPage, session: SessionDep, campaign: CampaignSlug) -> StreamingResponse:
    assert cp.user is not None
    found = get_campaign(session, campaign)
    chunks = exports.letters_csv(session, cp.user.actor(), found, now_of(cp.request))
    return csv_response(f"{found.slug}-letters.csv", chunks)
