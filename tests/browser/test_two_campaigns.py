"""Two campaigns open at once on one server: a supporter chooses each from the home page and
writes a letter in it (a UK MP for the first, the député of French citizens in the UK for the
second); each letter goes to the outbox with its own campaign's demands, in its own words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.letters.models import Letter
from tests.browser.conftest import Server, running_server
from tests.browser.test_journeys import Journey, follow
from tests.campaigns.factory import RESCUE_DEMANDS, RESCUE_TITLES, add_rescue_campaign
from tests.conftest import DatabaseFactory

pytestmark = pytest.mark.browser

CALAIS_TITLE = "Calais: a border that stops costing lives"
CALAIS_DEMANDS = ("Make family reunification work", "Safe and legal routes")
RESCUE_MESSAGE = (
    "I crewed a lifeboat out of Dover for three winters. We reached some boats in time and "
    "others not, and the difference was always how long help took to come."
)


def _add_second_campaign(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            add_rescue_campaign(session, datetime.now(UTC))
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def server(
    databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with running_server(databases, tmp_path_factory, _add_second_campaign) as running:
        yield running


def _letters_to_representatives(server: Server) -> dict[str, str]:
    """The text of each letter in the outbox, by the supporter's email address."""
    engine = create_engine(server.database_url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(Letter.email, OutboxMessage.text_body)
                .join(OutboxMessage, col(OutboxMessage.letter_id) == Letter.id)
                .where(OutboxMessage.kind == MessageKind.letter)
            ).all()
    finally:
        engine.dispose()
    return {str(email): str(body) for email, body in rows}


def test_a_letter_in_each_of_two_open_campaigns(page: Any, server: Server) -> None:
    journey = Journey(page, server, "two-campaigns")
    page.goto("/")
    journey.check("choice")
    assert page.inner_text("h1") == "Choose a campaign"

    follow(page, f"a:text('{CALAIS_TITLE}')")
    assert page.url.endswith("/campaigns/calais-border"), journey.evidence()
    page.fill("#f-uk-postcode", "BA1 1AA")
    follow(page, "#uk button[type=submit]")
    follow(page, "text=Write to Wera Hobhouse")
    journey.write_letter("sam.calais@example.org")
    journey.confirm("sam.calais@example.org")

    page.goto("/")
    follow(page, f"a:text('{RESCUE_TITLES['en']}')")
    assert page.url.endswith("/campaigns/channel-rescue"), journey.evidence()
    journey.check("second-campaign")
    assert RESCUE_DEMANDS["en"][0][0] in page.inner_text("main")
    page.select_option("#f-abroad-residence", "GB")
    follow(page, "#abroad button[type=submit]")
    assert "/campaigns/channel-rescue/find" in page.url, journey.evidence()
    follow(page, ".rep-card a.button")
    journey.write_letter("sam.rescue@example.org", demands=("2",), message=RESCUE_MESSAGE)
    journey.confirm("sam.rescue@example.org")

    letters = _letters_to_representatives(server)
    calais, rescue = letters["sam.calais@example.org"], letters["sam.rescue@example.org"]
    # Demands 1 and 3 were ticked, not 2.
    assert CALAIS_DEMANDS[0] in calais and CALAIS_DEMANDS[1] not in calais
    assert not any(title in calais for title, _ in RESCUE_DEMANDS["fr"] + RESCUE_DEMANDS["en"])
    # The député's letter is in French: the second campaign's second demand, in its French.
    assert RESCUE_DEMANDS["fr"][1][0] in rescue
    assert RESCUE_DEMANDS["fr"][0][0] not in rescue
    assert not any(demand in rescue for demand in CALAIS_DEMANDS)
    assert RESCUE_MESSAGE in rescue
