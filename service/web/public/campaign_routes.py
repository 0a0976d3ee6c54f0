"""The campaign page: what is at stake, the demands, the counters, the countdown, the way in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from service.deps import SessionDep
from service.errors import DomainError
from service.letters.progress import describe_campaign
from service.web.public.find_routes import path_context
from service.web.public.journey import DEFAULT_CAMPAIGN, Where
from service.web.public.stats import letters_by_country
from service.web.templating import PageDep

router = APIRouter(include_in_schema=False)

Param = Annotated[str | None, Query()]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@router.get("/", response_class=HTMLResponse, response_model=None)
def campaign_page(
    page: PageDep,
    session: SessionDep,
    country: Param = None,
    postcode: Param = None,
    residence: Param = None,
) -> HTMLResponse | RedirectResponse:
    """The campaign. Partner sites may link here with country, postcode (or residence) and
    lang: a complete set goes straight to the lookup, a partial one fills in the form."""
    where = Where.from_params(country, postcode, None, residence)
    if where.complete:
        lang = page.request.query_params.get("lang")
        return page.redirect(f"/find?{where.query(lang=lang or '')}")
    now = datetime.now(UTC)
    try:
        campaign = describe_campaign(session, DEFAULT_CAMPAIGN, page.locale, now)
    except DomainError:
        return page.render("public/no_campaign.html", status_code=503)
    deadline = _aware(campaign.deadline)
    local_deadline = deadline.astimezone(ZoneInfo("Europe/Paris"))
    days_left = max((local_deadline.date() - now.astimezone(local_deadline.tzinfo).date()).days, 0)
    counts = letters_by_country(session, DEFAULT_CAMPAIGN)
    return page.render(
        "public/campaign.html",
        {
            "campaign": campaign,
            "campaign_lang": campaign.lang,
            "deadline": deadline,
            "deadline_text": page.format_date(local_deadline.date()),
            "days_left": days_left,
            "counts": counts,
            **path_context(page, where),
        },
    )
