"""Which campaign a page is about: the URL names it, /campaigns/{slug}/..., so two campaigns
can be open at once and a link always leads to the campaign it was shared for.

The addresses from before campaigns were named (/, /find, /write) still work: they lead to the
open campaign, or to the choice between the open ones (see campaign_routes)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, HTTPException, Path
from fastapi.responses import HTMLResponse

from service.campaigns.service import campaign_snapshot, is_public
from service.deps import SessionDep
from service.errors import NotFound
from service.web.public.error_pages import refusal
from service.web.templating import Page

PREFIX = "/campaigns"
# The same shape the letters API accepts for a campaign.
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def campaign_root(slug: str) -> str:
    """The campaign's page; its other pages are under it (…/find, …/write, …/send)."""
    return f"{PREFIX}/{slug}"


def is_slug(value: str) -> bool:
    return bool(_SLUG.match(value))


def with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def known_campaign(session: SessionDep, slug: Annotated[str, Path(max_length=200)]) -> str:
    """The campaign named by the path; an unknown name is the "page not found" page (the
    campaign rows are read from campaigns.catalog's cache, not once per page)."""
    if not is_slug(slug):
        raise HTTPException(status_code=404)
    try:
        campaign = campaign_snapshot(session, slug)
    except NotFound:
        raise HTTPException(status_code=404) from None
    if not is_public(campaign):  # a draft is not shown until its organisers open it
        raise HTTPException(status_code=404)
    return slug


CampaignSlug = Annotated[str, Depends(known_campaign)]


def unknown_campaign(page: Page) -> HTMLResponse:
    return refusal(
        page,
        page._("We do not know this campaign"),
        page._("The link may be incomplete or out of date."),
        404,
    )
