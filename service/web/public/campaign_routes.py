"""The campaign page (what is at stake, the demands, the counters, the countdown, the way in),
and the home page that leads to it: to the open campaign, or to a choice when several are
open. Addresses from before campaigns were named in the URL lead the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from service.campaigns.listing import open_campaigns
from service.deps import SessionDep
from service.errors import NotFound
from service.letters.progress import campaign_progress
from service.web.public import forms
from service.web.public.campaign_scope import campaign_root, is_slug, unknown_campaign, with_query
from service.web.public.find_routes import path_context
from service.web.public.journey import Where
from service.web.public.letter_routes import PostedForm
from service.web.templating import Page, PageDep

router = APIRouter(include_in_schema=False)

Param = Annotated[str | None, Query()]
Response = HTMLResponse | RedirectResponse


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def to_open_campaign(page: Page, session: SessionDep, rest: str = "") -> Response:
    """An address that names no campaign: on to the open one's page `rest` ("" for its
    campaign page, "/find"...) with the same query (a partner's deep link keeps its postcode
    and language), or the choice when several are open."""
    query = page.request.url.query
    campaigns = open_campaigns(session, page.locale, datetime.now(UTC))
    if len(campaigns) == 1:
        slug = campaigns[0].slug
        deep_link = None if rest else _deep_link(page, slug)
        return page.redirect(deep_link or with_query(campaign_root(slug) + rest, query))
    if not campaigns:
        return page.render("public/no_campaign.html")
    choices = [
        {
            "title": campaign.title,
            "summary": campaign.summary,
            "lang": campaign.lang,
            "deadline_text": page.format_date(
                _local_deadline(campaign.deadline, campaign.timezone).date()
            ),
            "url": with_query(campaign_root(campaign.slug) + rest, query),
        }
        for campaign in campaigns
    ]
    return page.render("public/campaigns.html", {"choices": choices})


def _deep_link(page: Page, slug: str) -> str | None:
    """Where a partner's link to the campaign leads when it says enough to look up the
    supporter's representative (country and postcode, or residence): straight to the lookup."""
    params = page.request.query_params
    where = Where.from_params(
        params.get("country"), params.get("postcode"), None, params.get("residence")
    )
    if not where.complete:
        return None
    return f"{campaign_root(slug)}/find?{where.query(lang=params.get('lang') or '')}"


def _local_deadline(deadline: datetime, timezone: str = "Europe/Paris") -> datetime:
    """The deadline where the campaign's dates are shown (the summit's, by default)."""
    return _aware(deadline).astimezone(ZoneInfo(timezone))


@router.get("/", response_class=HTMLResponse, response_model=None)
def home(page: PageDep, session: SessionDep) -> Response:
    """The open campaign. Partner sites link here with country, postcode (or residence) and
    lang; the query goes along to the campaign's page."""
    return to_open_campaign(page, session)


@router.get("/find", response_class=HTMLResponse, response_model=None)
def old_find(page: PageDep, session: SessionDep) -> Response:
    return to_open_campaign(page, session, "/find")


@router.get("/find/name", response_class=HTMLResponse, response_model=None)
def old_find_by_name(page: PageDep, session: SessionDep) -> Response:
    return to_open_campaign(page, session, "/find/name")


@router.get("/write", response_class=HTMLResponse, response_model=None)
def old_write(page: PageDep, session: SessionDep) -> Response:
    return to_open_campaign(page, session, "/write")


@router.post("/write", response_class=HTMLResponse, response_model=None)
def old_write_post(page: PageDep, session: SessionDep, posted: PostedForm) -> Response:
    return _repost(page, session, posted, "/write")


@router.post("/send", response_class=HTMLResponse, response_model=None)
def old_send(page: PageDep, session: SessionDep, posted: PostedForm) -> Response:
    return _repost(page, session, posted, "/send")


def _repost(page: Page, session: SessionDep, posted: FormData | None, rest: str) -> Response:
    """A letter form from a page served before campaigns were named in the URL: it names its
    campaign in a field, and goes there unchanged (307 keeps the method and the body, so the
    letter is not lost)."""
    slug = forms.text(posted, "campaign", 60) if posted is not None else ""
    if not is_slug(slug):
        return to_open_campaign(page, session, rest)
    return page.redirect(campaign_root(slug) + rest, status_code=307)


@router.get("/campaigns/{slug}", response_class=HTMLResponse, response_model=None)
def campaign_page(
    page: PageDep,
    session: SessionDep,
    slug: Annotated[str, Path(max_length=200)],
    country: Param = None,
    postcode: Param = None,
    residence: Param = None,
) -> Response:
    """The campaign. A complete set of country and postcode (or residence) goes straight to
    the lookup, a partial one fills in the form."""
    where = Where.from_params(country, postcode, None, residence)
    deep_link = _deep_link(page, slug)
    if deep_link:
        return page.redirect(deep_link)
    now = datetime.now(UTC)
    try:
        progress = campaign_progress(session, slug, page.locale, now)
    except NotFound:
        return unknown_campaign(page)
    campaign = progress.campaign
    deadline = _aware(campaign.deadline)
    local_deadline = _local_deadline(deadline)
    days_left = max((local_deadline.date() - now.astimezone(local_deadline.tzinfo).date()).days, 0)
    return page.render(
        "public/campaign.html",
        {
            "campaign": campaign,
            "campaign_lang": campaign.lang,
            "deadline": deadline,
            "deadline_text": page.format_date(local_deadline.date()),
            "days_left": days_left,
            "counts": progress.counts,
            "goal": progress.goal,
            **path_context(page, where, slug),
        },
    )
