"""A campaign's words: texts in both languages with size limits and an error per field, and
demands added, reordered and retired without ever changing a demand's number."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from service.campaigns import content
from service.campaigns.content import DemandIn, TextsIn, TextsRefused
from service.campaigns.lifecycle import CampaignStatus
from service.campaigns.models import Campaign
from service.campaigns.seed import SLUG
from service.campaigns.service import get_campaign, resolve
from service.errors import Conflict, InvalidInput, NotFound

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
BOTH = {
    "en": DemandIn("Open the harbour", "Let boats dock."),
    "fr": DemandIn("Ouvrir le port", "Laisser accoster."),
}


@pytest.fixture
def campaign(session: Session) -> Campaign:
    return get_campaign(session, SLUG)


def test_texts_are_saved_per_language_and_report_what_changed(
    session: Session, campaign: Campaign
) -> None:
    changed = content.set_texts(
        session,
        campaign,
        {
            "fr": TextsIn(
                title="  Calais : une frontière qui ne tue plus ",
                summary="Résumé.\r\nSuite.",
                letter_intro="Madame, Monsieur,",
                subjects=["Sujet un", "", "  Sujet   deux "],
            )
        },
    )
    assert set(changed) == {"fr"} and "title" in changed["fr"]
    view = resolve(session, campaign, "fr")
    assert view.title == "Calais : une frontière qui ne tue plus"
    assert view.summary == "Résumé.\nSuite."
    assert view.subjects == ("Sujet un", "Sujet deux")
    assert resolve(session, campaign, "en").title.startswith("Calais: a border")
    again = TextsIn(
        title=view.title,
        summary=view.summary,
        letter_intro=view.letter_intro,
        letter_closing=view.letter_closing,
        subjects=list(view.subjects),
        sender_name="",  # as saved above: the settings' sender name
    )
    assert content.set_texts(session, campaign, {"fr": again}) == {}


def test_every_refused_text_is_named_at_once(session: Session, campaign: Campaign) -> None:
    with pytest.raises(TextsRefused) as refused:
        content.set_texts(
            session,
            campaign,
            {
                "en": TextsIn(title="", summary="x" * 2001),
                "fr": TextsIn(title="t" * 201, letter_intro="y" * 4001, subjects=["s"] * 11),
            },
        )
    assert refused.value.errors == {
        "en_title": "Write this text: it cannot be empty.",
        "en_summary": "Keep this to 2,000 characters.",
        "fr_title": "Keep this to 200 characters.",
        "fr_letter_intro": "Keep this to 4,000 characters.",
        "fr_subjects": "Give at most 10 subject lines.",
    }
    assert refused.value.field == "en_title"


def test_a_demand_is_added_last_in_both_languages(session: Session, campaign: Campaign) -> None:
    number = content.add_demand(session, campaign, BOTH)
    assert number == 5
    for lang, title in (("en", "Open the harbour"), ("fr", "Ouvrir le port")):
        assert resolve(session, campaign, lang).demands[-1].title == title
    demands = content.demands_of(session, campaign)
    assert [(d.number, d.position) for d in demands] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]


def test_a_demand_needs_both_languages_within_limits(session: Session, campaign: Campaign) -> None:
    with pytest.raises(TextsRefused) as refused:
        content.add_demand(
            session,
            campaign,
            {"en": DemandIn("t" * 121, "b"), "fr": DemandIn("", "c" * 2001)},
        )
    assert set(refused.value.errors) == {"en_title", "fr_title", "fr_body"}


def test_reordering_moves_positions_never_numbers(session: Session, campaign: Campaign) -> None:
    assert content.move_demand(session, campaign, 4, 1) == 4
    assert [d.number for d in resolve(session, campaign, "fr").demands] == [4, 1, 2, 3]
    content.move_demand(session, campaign, 1, 4)
    assert [d.number for d in resolve(session, campaign, "en").demands] == [4, 2, 3, 1]
    view = resolve(session, campaign, "en")
    assert view.in_order([1, 4, 3]) == (4, 3, 1)


@pytest.mark.parametrize("position", [0, 5, -1])
def test_a_position_out_of_range_is_refused(
    session: Session, campaign: Campaign, position: int
) -> None:
    with pytest.raises(InvalidInput) as refused:
        content.move_demand(session, campaign, 2, position)
    assert refused.value.field == "position"


def test_an_unknown_demand_is_not_found(session: Session, campaign: Campaign) -> None:
    with pytest.raises(NotFound):
        content.move_demand(session, campaign, 9, 1)
    with pytest.raises(NotFound):
        content.retire_demand(session, campaign, 9, NOW)


def test_a_retired_demand_is_kept_for_letters_but_not_offered(
    session: Session, campaign: Campaign
) -> None:
    content.retire_demand(session, campaign, 2, NOW)
    view = resolve(session, campaign, "en")
    assert [d.number for d in view.demands] == [1, 3, 4]
    assert not view.offers(2) and view.demand(2) is not None
    assert view.in_order([2, 3]) == (3,)
    with pytest.raises(Conflict):
        content.retire_demand(session, campaign, 2, NOW)
    with pytest.raises(Conflict):
        content.move_demand(session, campaign, 2, 1)
    # The positions of the others close up; a new demand never reuses number 2.
    assert [d.position for d in content.demands_of(session, campaign)] == [1, 2, 3, 0]
    assert content.add_demand(session, campaign, BOTH) == 5


def test_an_open_campaign_keeps_at_least_one_demand(session: Session, campaign: Campaign) -> None:
    assert campaign.status == CampaignStatus.open
    for number in (1, 2, 3):
        content.retire_demand(session, campaign, number, NOW)
    with pytest.raises(Conflict):
        content.retire_demand(session, campaign, 4, NOW)
