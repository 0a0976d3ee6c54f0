"""The privacy page: what is kept about supporters, why, for how long, and who to ask."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from service.deps import SettingsDep
from service.web.campaign_runner import contact_of
from service.web.templating import PageDep

router = APIRouter(include_in_schema=False)


@router.get("/privacy", response_class=HTMLResponse)
def privacy_page(page: PageDep, settings: SettingsDep) -> HTMLResponse:
    return page.render(
        "public/privacy.html",
        {
            # The campaign's contact (or the service's); None: the page says what to do instead.
            "contact": page.runner.contact_email if page.runner else contact_of(settings, None),
            "confirm_days": settings.letters.confirmation_valid_days,
            "retention_days": settings.privacy.retention_days_after_deadline,
        },
    )
