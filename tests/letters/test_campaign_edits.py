"""Letters and the organisers' edits of their campaign: a retired demand stays in the letters
already written (rendered as before) but new letters cannot choose it; new letters carry their
demands in the campaign's order; a closed or draft campaign takes no letters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from service.campaigns import content, lifecycle
from service.campaigns.lifecycle import CampaignStatus
from service.campaigns.service import CampaignClosed, get_campaign
from service.clock import FakeClock
from service.config import Settings
from service.errors import InvalidInput
from service.letters.models import Letter
from service.letters.outbox import rendered_letter
from service.letters.queries import recipient_of
from service.letters.schemas import LetterIn
from service.letters.service import submit_letter


def _render(session: Session, letter_id: str) -> str:
    letter = session.get(Letter, letter_id)
    assert letter is not None
    campaign = get_campaign(session, "calais-border")
    recipient = recipient_of(session, letter.representative_id)
    return rendered_letter(session, letter, recipient, campaign).text


def test_a_retired_demand_stays_in_letters_already_written(
    session: Session, settings: Settings, letter_in: Callable[..., LetterIn], clock: FakeClock
) -> None:
    written = submit_letter(
        session, settings, letter_in(demands=[1, 2]), client_ip=None, now=clock.now()
    )
    before = _render(session, written.id)
    campaign = get_campaign(session, "calais-border")
    content.retire_demand(session, campaign, 2, clock.now())
    assert _render(session, written.id) == before

    with pytest.raises(InvalidInput) as refused:
        submit_letter(
            session,
            settings,
            letter_in(demands=[2], email="late@example.org"),
            client_ip=None,
            now=clock.now(),
        )
    assert refused.value.field == "demands"


def test_new_letters_carry_their_demands_in_the_campaigns_order(
    session: Session, settings: Settings, letter_in: Callable[..., LetterIn], clock: FakeClock
) -> None:
    campaign = get_campaign(session, "calais-border")
    content.move_demand(session, campaign, 3, 1)
    written = submit_letter(
        session, settings, letter_in(demands=[1, 3]), client_ip=None, now=clock.now()
    )
    letter = session.get(Letter, written.id)
    assert letter is not None and letter.demands == "3,1"


@pytest.mark.parametrize("to", [CampaignStatus.closed])
def test_a_closed_campaign_takes_no_letters(
    session: Session,
    settings: Settings,
    letter_in: Callable[..., LetterIn],
    clock: FakeClock,
    to: CampaignStatus,
) -> None:
    campaign = get_campaign(session, "calais-border")
    lifecycle.move(session, campaign, to, clock.now())
    with pytest.raises(CampaignClosed):
        submit_letter(session, settings, letter_in(), client_ip=None, now=clock.now())
