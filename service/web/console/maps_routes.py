"""The seat maps (staff and up): one chamber's seats shaded by a campaign's letters sent or
delivered, drawn on the server as SVG (no script), with the same numbers in a table."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from service.accounts.roles import Permission, has_permission
from service.campaigns.settings import list_campaigns
from service.deps import SessionDep, SettingsDep
from service.errors import NotFound
from service.representatives.models import ChamberId
from service.web.console.frame import ConsolePage, console_page
from service.web.console.nav import NavEntry
from service.web.i18n import N_
from service.web.seat_map_view import Measure, SeatRow, map_view

router = APIRouter(prefix="/maps")
NAV = [NavEntry("/maps", N_("Maps"), Permission.view_dashboard)]

ViewerPage = Annotated[ConsolePage, console_page(Permission.view_dashboard)]

CHAMBERS = {
    ChamberId.uk_commons: N_("UK constituencies"),
    ChamberId.fr_an: N_("French circonscriptions"),
}
MEASURES = {Measure.sent: N_("Letters sent"), Measure.delivered: N_("Letters delivered")}
FRAME_LABELS = {"london": N_("London"), "paris": N_("Paris and its inner suburbs")}


def _title(cp: ConsolePage, seat: SeatRow) -> str:
    who = seat.representative or cp._("vacant seat")
    return cp._(
        "%(seat)s (%(who)s): %(sent)s sent, %(delivered)s delivered",
        seat=seat.name,
        who=who,
        sent=seat.sent,
        delivered=seat.delivered,
    )


@router.get("", response_class=HTMLResponse)
def maps(
    cp: ViewerPage,
    session: SessionDep,
    settings: SettingsDep,
    campaign: Annotated[str, Query(max_length=60)] = "",
    chamber: Annotated[str, Query(max_length=20)] = ChamberId.uk_commons.value,
    measure: Annotated[str, Query(max_length=20)] = Measure.sent.value,
) -> HTMLResponse:
    known = list_campaigns(session)
    if not known:
        raise NotFound("There is no campaign yet.", field="campaign")
    chosen = next((c for c in known if c.slug == campaign), None if campaign else known[0])
    if chosen is None:
        raise NotFound("There is no campaign with that name.", field="campaign")
    chamber_id = ChamberId(chamber) if chamber in set(ChamberId) else ChamberId.uk_commons
    chosen_measure = Measure(measure) if measure in set(Measure) else Measure.sent
    view = map_view(session, settings.data_dir, chosen, chamber_id, chosen_measure)
    assert cp.user is not None
    exports = has_permission(cp.user.account.role, Permission.export_aggregates)
    return cp.render(
        "console/maps.html",
        {
            "view": view,
            "campaigns": [c.slug for c in known],
            "chambers": {k.value: cp._(v) for k, v in CHAMBERS.items()},
            "measures": {k.value: cp._(v) for k, v in MEASURES.items()},
            "frame_labels": {k: cp._(v) for k, v in FRAME_LABELS.items()},
            "titles": {s.constituency_id: _title(cp, s) for s in view.seats},
            # The same numbers for both chambers as a file, for those who may export them.
            "csv_url": f"/console/exports/constituencies.csv?campaign={chosen.slug}"
            if exports
            else None,
        },
    )
