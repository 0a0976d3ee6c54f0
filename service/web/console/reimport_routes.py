"""Re-importing the official data (organisers): choose a chamber, read the differences the
bundled data would make (seats added, changed, vacated), and apply them on confirmation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from service.accounts.current import now_of
from service.accounts.roles import Permission
from service.deps import SessionDep, SettingsDep
from service.errors import DomainError
from service.representatives.import_diff import FIELDS, ImportDiff
from service.web import representative_import
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.console.representatives_routes import CHAMBERS
from service.web.i18n import N_

router = APIRouter(prefix="/reimport")
NAV = [NavEntry("/reimport", N_("Official data"), Permission.care_representatives)]

OrganiserPage = Annotated[ConsolePage, console_page(Permission.care_representatives)]
Field = Annotated[str, Form(max_length=100)]

FIELD_NAMES = {
    "name": N_("Name"),
    "party": N_("Party"),
    "email": N_("Email address"),
    "civility": N_("Civility"),
    "constituency_id": N_("Seat"),
    "status": N_("Status"),
}
assert set(FIELD_NAMES) == set(FIELDS)
_REFUSALS = (
    N_("Choose a chamber: uk-commons or fr-an."),
    N_("Nothing to apply: the data is already current."),
    N_("The data changed since these differences were shown: look at them again."),
    N_(
        "The bundled data is older than the data loaded: importing it would undo newer "
        "changes. Use the import commands with the newer files instead."
    ),
)


def _render(
    cp: ConsolePage,
    chamber: str,
    diff: ImportDiff | None,
    *,
    errors: dict[str, str] | None = None,
    applied: representative_import.Reimported | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return cp.render(
        "console/reimport.html",
        {
            "chamber": chamber,
            "chambers": {k.value: cp._(v) for k, v in CHAMBERS.items()},
            "fields": {k: cp._(v) for k, v in FIELD_NAMES.items()},
            "diff": diff,
            "applied": applied,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def reimport(
    cp: OrganiserPage,
    session: SessionDep,
    settings: SettingsDep,
    chamber: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    if not chamber:
        return _render(cp, "", None)
    assert cp.user is not None
    try:
        diff = representative_import.preview(session, settings, cp.user.actor(), chamber)
    except DomainError as exc:
        return _render(cp, chamber, None, errors=cp.form_errors(exc), status_code=exc.status_code)
    return _render(cp, chamber, diff)


@router.post("", response_class=HTMLResponse)
def apply(
    cp: OrganiserPage,
    session: SessionDep,
    settings: SettingsDep,
    chamber: Field = "",
    digest: Field = "",
) -> Response:
    assert cp.user is not None
    actor = cp.user.actor()
    try:
        done = representative_import.apply(
            session, settings, actor, chamber, digest, now_of(cp.request)
        )
    except DomainError as exc:
        try:  # show the differences as they are now, beside the refusal
            diff = representative_import.preview(session, settings, actor, chamber)
        except DomainError:
            diff = None
        return _render(cp, chamber, diff, errors=cp.form_errors(exc), status_code=exc.status_code)
    cp.notices.append(cp._("The official data is applied."))
    return _render(cp, chamber, done.diff, applied=done)
