"""The audit log, filtered by person, action and dates, and its CSV download."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from service.accounts import audit
from service.accounts.roles import Permission
from service.deps import SessionDep
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter()
NAV = [NavEntry("/audit", N_("Audit log"), Permission.view_audit)]
PAGE_SIZE = 100
CSV_LIMIT = 100_000

Auditor = Annotated[ConsolePage, console_page(Permission.view_audit)]
Filter = Annotated[str, Query(max_length=254)]


def _parse_day(value: str, field: str, errors: dict[str, str], cp: ConsolePage) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = cp._("Enter a date as YYYY-MM-DD.")
        return None


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    cp: Auditor,
    session: SessionDep,
    person: Filter = "",
    action: Filter = "",
    since: Filter = "",
    until: Filter = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    errors: dict[str, str] = {}
    criteria = audit.filter_by_days(
        person,
        action,
        _parse_day(since, "since", errors, cp),
        _parse_day(until, "until", errors, cp),
    )
    entries = [] if errors else audit.search(session, criteria, limit=PAGE_SIZE + 1, offset=offset)
    query = {"person": person, "action": action, "since": since, "until": until}
    more = len(entries) > PAGE_SIZE
    return cp.render(
        "console/audit.html",
        {
            "entries": entries[:PAGE_SIZE],
            "filters": query,
            "errors": errors,
            "csv_url": "/console/audit.csv?" + urlencode(query),
            "older_url": "/console/audit?" + urlencode({**query, "offset": offset + PAGE_SIZE})
            if more
            else None,
        },
        status_code=422 if errors else 200,
    )


@router.get("/audit.csv")
def audit_csv(
    cp: Auditor,
    session: SessionDep,
    person: Filter = "",
    action: Filter = "",
    since: Filter = "",
    until: Filter = "",
) -> Response:
    errors: dict[str, str] = {}
    criteria = audit.filter_by_days(
        person,
        action,
        _parse_day(since, "since", errors, cp),
        _parse_day(until, "until", errors, cp),
    )
    entries = [] if errors else audit.search(session, criteria, limit=CSV_LIMIT)
    return Response(
        audit.to_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="audit.csv"',
            "Cache-Control": "no-store",
        },
        status_code=422 if errors else 200,
    )
