"""Care of the representatives (organisers): the list with filters, and a page per
representative to pause or resume letters to them and to correct their address."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from service.accounts.current import now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError, NotFound
from service.representatives import care
from service.representatives.models import ChamberId, RepresentativeStatus
from service.tracking.addresses import AddressState
from service.web import representative_care, representative_view
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_

router = APIRouter(prefix="/representatives")
NAV = [NavEntry("/representatives", N_("Representatives"), Permission.care_representatives)]

OrganiserPage = Annotated[ConsolePage, console_page(Permission.care_representatives)]
ShortText = Annotated[str, Form(max_length=400)]

CHAMBERS = {
    ChamberId.uk_commons: N_("House of Commons"),
    ChamberId.fr_an: N_("Assemblée nationale"),
}
STATUSES = {
    RepresentativeStatus.active: N_("Active"),
    RepresentativeStatus.vacant: N_("Vacant seat"),
    RepresentativeStatus.paused: N_("Paused"),
}
ADDRESS_STATES = {
    AddressState.ok: N_("Accepted by the provider"),
    AddressState.failing: N_("Failing: letters held until it is corrected"),
    AddressState.paused: N_("Paused after a spam report"),
}
OUTCOMES = {
    "delivered": N_("Delivered"),
    "deferred": N_("Deferred"),
    "bounce": N_("Bounced"),
    "blocked": N_("Blocked"),
    "dropped": N_("Dropped"),
    "spamreport": N_("Reported as spam"),
    "processed": N_("Accepted by the provider"),
}
_DONE = {
    "paused": N_("Letters to this representative are paused; queued letters wait."),
    "resumed": N_("Letters to this representative go again, at a fresh pace."),
    "email": N_("The address is corrected; letters not yet sent go to it."),
    "released": N_("The old address is off SendGrid's suppression lists."),
}
_REFUSALS = (
    N_("Say why letters to this representative are paused."),
    N_("Keep the reason under 300 characters."),
    N_("Letters to this representative are paused already."),
    N_("This seat is vacant: there is nobody to pause."),
    N_("Letters to this representative are not paused."),
    N_("Enter one valid email address."),
    N_("There is no such representative."),
    N_(
        "Someone changed this address meanwhile: check the address shown now before "
        "correcting it again."
    ),
)


def _labels(cp: ConsolePage) -> dict[str, dict[str, str]]:
    return {
        "chambers": {k.value: cp._(v) for k, v in CHAMBERS.items()},
        "statuses": {k.value: cp._(v) for k, v in STATUSES.items()},
        "address_states": {k.value: cp._(v) for k, v in ADDRESS_STATES.items()},
        "outcomes": {k: cp._(v) for k, v in OUTCOMES.items()},
    }


@router.get("", response_class=HTMLResponse)
def representatives(
    cp: OrganiserPage,
    session: SessionDep,
    chamber: Annotated[str, Query(max_length=20)] = "",
    party: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=10)] = "",
    name: Annotated[str, Query(max_length=100)] = "",
    failing: Annotated[str, Query(max_length=3)] = "",
    paused: Annotated[str, Query(max_length=3)] = "",
) -> HTMLResponse:
    criteria = care.Criteria(
        chamber=chamber or None,
        party=party or None,
        status=RepresentativeStatus(status) if status in set(RepresentativeStatus) else None,
        name=name.strip() or None,
    )
    found = representative_view.search(
        session, criteria, failing=bool(failing), paused=bool(paused), limit=200
    )
    return cp.render(
        "console/representatives.html",
        {
            "found": found,
            "filters": {
                "chamber": chamber,
                "party": party,
                "status": status,
                "name": name,
                "failing": bool(failing),
                "paused": bool(paused),
            },
            "parties": care.parties(session),
            **_labels(cp),
        },
    )


def _page(
    cp: ConsolePage,
    session: SessionDep,
    representative_id: str,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    suppressed: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rep = representative_view.detail(session, representative_id)
    return cp.render(
        "console/representative.html",
        {
            "rep": rep,
            "suppressed": suppressed,
            "errors": errors or {},
            "form": form or {"email": "", "source": "", "reason": ""},
            **_labels(cp),
        },
        status_code=status_code,
    )


@router.get("/{representative_id}", response_class=HTMLResponse)
def representative(
    cp: OrganiserPage,
    representative_id: str,
    session: SessionDep,
    done: str = "",
    lists: Annotated[str, Query(max_length=100)] = "",
    old: Annotated[str, Query(max_length=320)] = "",
) -> HTMLResponse:
    if done in _DONE:
        cp.notices.append(cp._(_DONE[done]))
    suppressed = None
    if lists and old:
        suppressed = {"address": old, "lists": lists, "shown": ", ".join(lists.split(","))}
    return _page(cp, session, representative_id, suppressed=suppressed)


@router.post("/{representative_id}/pause", response_class=HTMLResponse)
def pause(
    cp: OrganiserPage,
    representative_id: str,
    session: SessionDep,
    settings: SettingsDep,
    reason: ShortText = "",
) -> Response:
    return _set_paused(cp, session, settings, representative_id, True, reason)


@router.post("/{representative_id}/resume", response_class=HTMLResponse)
def resume(
    cp: OrganiserPage, representative_id: str, session: SessionDep, settings: SettingsDep
) -> Response:
    return _set_paused(cp, session, settings, representative_id, False, "")


def _set_paused(
    cp: ConsolePage,
    session: SessionDep,
    settings: SettingsDep,
    representative_id: str,
    paused: bool,
    reason: str,
) -> Response:
    assert cp.user is not None
    try:
        representative_care.set_paused(
            session,
            settings,
            cp.user.actor(),
            representative_id,
            paused,
            reason,
            now_of(cp.request),
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _page(
            cp,
            session,
            representative_id,
            errors=cp.form_errors(exc),
            form={"email": "", "source": "", "reason": reason},
            status_code=exc.status_code,
        )
    done = "paused" if paused else "resumed"
    return cp.redirect(f"/console/representatives/{representative_id}?done={done}")


@router.post("/{representative_id}/email", response_class=HTMLResponse)
def correct_email(
    cp: OrganiserPage,
    representative_id: str,
    session: SessionDep,
    settings: SettingsDep,
    email: ShortText = "",
    source: ShortText = "",
    previous_email: Annotated[str | None, Form(max_length=400)] = None,
) -> Response:
    assert cp.user is not None
    try:
        outcome = representative_care.correct_email(
            session,
            settings,
            cp.user.actor(),
            representative_id,
            email,
            source,
            now_of(cp.request),
            previous_email=previous_email,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _page(
            cp,
            session,
            representative_id,
            errors=cp.form_errors(exc),
            form={"email": email, "source": source, "reason": ""},
            status_code=exc.status_code,
        )
    lists = ",".join(outcome.suppressed_on or [])
    query = {"done": "email"}
    if lists and outcome.old_email:
        query |= {"lists": lists, "old": outcome.old_email}
    return cp.redirect(f"/console/representatives/{representative_id}?{urlencode(query)}")


@router.post("/{representative_id}/release", response_class=HTMLResponse)
def release(
    cp: OrganiserPage,
    representative_id: str,
    session: SessionDep,
    settings: SettingsDep,
    address: ShortText = "",
    lists: ShortText = "",
) -> Response:
    """Take the replaced address off SendGrid's suppression lists."""
    assert cp.user is not None
    try:
        representative_care.release_suppressions(
            session, settings, cp.user.actor(), address, lists.split(","), now_of(cp.request)
        )
    except DomainError as exc:
        return _page(
            cp,
            session,
            representative_id,
            errors=cp.form_errors(exc),
            status_code=exc.status_code,
        )
    return cp.redirect(f"/console/representatives/{representative_id}?done=released")
