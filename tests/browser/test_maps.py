"""A staff member in a real browser: the UK and French seat maps (SVG drawn by the server,
no script needed) shaded by letters already sent, their legend and table, and the exports
page; each checked with axe-core and photographed under test-artifacts/browser/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, col, create_engine, select

from service.campaigns.models import Campaign
from service.letters.states import LetterStatus
from service.representatives.models import Representative
from tests.browser.conftest import Server, running_server
from tests.browser.test_console import PASSWORD, _sign_in
from tests.browser.test_journeys import Journey, follow
from tests.conftest import DatabaseFactory
from tests.web.conftest import BATH_MP
from tests.web.console.letter_rows import add_letters

pytestmark = pytest.mark.browser

STAFF = "map.reader@example.org"


def _letters(database_url: str) -> None:
    engine = create_engine(database_url)
    with Session(engine) as session:
        campaign = session.exec(select(Campaign).order_by(col(Campaign.id))).first()
        assert campaign is not None and campaign.id is not None
        abroad = session.exec(
            select(Representative.id).where(Representative.constituency_id == "099-03")
        ).one()
        paris = session.exec(
            select(Representative.id).where(Representative.constituency_id == "75-01")
        ).one()
        add_letters(
            session,
            campaign.id,
            [(BATH_MP, LetterStatus.delivered)] * 5
            + [(abroad, LetterStatus.sent)] * 3
            + [(paris, LetterStatus.delivered)],
        )
        session.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def server(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with running_server(databases, tmp_path_factory, prepare=_letters) as running:
        yield running


def test_staff_reads_the_maps_and_finds_the_exports(server: Server, page: Any) -> None:
    server.cli(
        "users", "create", STAFF, "--role", "staff", "--password-stdin", stdin=PASSWORD + "\n"
    )
    staff = Journey(page, server, "console-maps")
    _sign_in(staff, STAFF)
    follow(page, "nav.console-nav a[href='/console/maps']")
    assert page.locator("svg.seat-map__drawing path").count() > 650, staff.evidence()
    bath = page.locator("tr[data-seat='E14001080']")
    assert bath.locator("td.numeric").all_inner_texts() == ["5", "5"]
    assert page.locator("path[data-seat='E14001080']").first.get_attribute("class") == "shade-5"
    staff.check("uk-map")
    page.select_option("#f-chamber", "fr-an")
    follow(page, "form.console-filters button[type=submit]")
    assert page.locator("svg.seat-map__tiles g").count() == 11, staff.evidence()
    assert page.locator("g[data-seat='099-03'] rect").get_attribute("class") == "shade-5"
    staff.check("fr-map")
    page.goto("/console/maps?chamber=fr-an&lang=fr")
    assert "Français établis hors de France" in page.inner_text("main")
    staff.check("fr-map-in-french")
    page.goto("/console/exports?lang=en")
    links = page.locator("main a[download]")
    assert links.count() == 3, staff.evidence()
    staff.check("exports")
