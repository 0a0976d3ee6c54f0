"""A campaign's life: created as a draft (blank or copied), opened, closed, reopened; the
address (slug) checked and unique; a draft is hidden and a closed campaign takes no letters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from service.campaigns import content, lifecycle
from service.campaigns.lifecycle import CampaignStatus, WrongState
from service.campaigns.models import Campaign, CampaignDemand, CampaignText
from service.campaigns.seed import SLUG
from service.campaigns.service import get_campaign, is_open, is_public, resolve
from service.errors import Conflict, InvalidInput

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "slug",
    ["", "a", "Calais", "with space", "-lead", "trail-", "two--hyphens", "new", "x" * 61, "é-t"],
)
def test_a_bad_address_is_refused(session: Session, slug: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        lifecycle.create_blank(session, slug, "Sender", "s@example.org", NOW)
    assert refused.value.field == "slug"


def test_an_address_already_taken_is_refused(session: Session) -> None:
    with pytest.raises(Conflict) as refused:
        lifecycle.create_blank(session, SLUG, "Sender", "s@example.org", NOW)
    assert refused.value.field == "slug"


def test_a_blank_campaign_is_a_draft_with_defaults(session: Session) -> None:
    campaign = lifecycle.create_blank(session, "harbour-watch", "Harbour", "h@example.org", NOW)
    assert campaign.status == CampaignStatus.draft
    assert campaign.deadline > campaign.closes_at > NOW
    assert campaign.timezone == "Europe/Paris" and campaign.reply_after_days == 14
    assert campaign.test_recipient is None
    assert not is_public(campaign) and not is_open(campaign, NOW)
    texts = content.texts_of(session, campaign)
    assert sorted(texts) == ["en", "fr"] and texts["fr"].title == "harbour-watch"


def test_a_copy_takes_texts_demands_and_settings_not_letters_or_state(session: Session) -> None:
    source = get_campaign(session, SLUG)
    source.test_recipient = "organiser@example.org"
    retired = session.exec(
        select(CampaignDemand).where(
            CampaignDemand.campaign_id == source.id, CampaignDemand.number == 2
        )
    ).all()
    for row in retired:
        row.retired_at = NOW
        session.add(row)
    session.flush()

    copy = lifecycle.create_copy(session, "calais-copy", source, NOW)
    assert copy.status == CampaignStatus.draft and copy.test_recipient is None
    assert (copy.deadline, copy.goal, copy.letters_per_hour) == (
        source.deadline,
        source.goal,
        source.letters_per_hour,
    )
    for lang in ("en", "fr"):
        theirs, ours = resolve(session, source, lang), resolve(session, copy, lang)
        assert ours.title == theirs.title and ours.letter_intro == theirs.letter_intro
        assert ours.subjects == theirs.subjects
        # The retired demand is left behind; the others are numbered from 1 in their order.
        assert [d.title for d in ours.demands] == [d.title for d in theirs.demands]
        assert [d.number for d in ours.demands] == [1, 2, 3]
        assert ours.retired == ()


def test_a_copy_of_a_past_campaign_gets_a_future_deadline(session: Session) -> None:
    source = get_campaign(session, SLUG)
    later = source.deadline + timedelta(days=30)
    copy = lifecycle.create_copy(session, "next-year", source, later)
    assert copy.deadline > copy.closes_at > later


def _ready(session: Session) -> Campaign:
    return lifecycle.create_copy(session, "ready-one", get_campaign(session, SLUG), NOW)


def test_open_close_and_reopen_follow_the_state_machine(session: Session) -> None:
    campaign = _ready(session)
    with pytest.raises(WrongState):
        lifecycle.move(session, campaign, CampaignStatus.closed, NOW)
    assert lifecycle.move(session, campaign, CampaignStatus.open, NOW) == "campaign.opened"
    assert is_open(campaign, NOW)
    with pytest.raises(WrongState):
        lifecycle.move(session, campaign, CampaignStatus.open, NOW)
    assert lifecycle.move(session, campaign, CampaignStatus.closed, NOW) == "campaign.closed"
    assert is_public(campaign) and not is_open(campaign, NOW)
    with pytest.raises(WrongState):
        lifecycle.move(session, campaign, CampaignStatus.draft, NOW)
    assert lifecycle.move(session, campaign, CampaignStatus.open, NOW) == "campaign.reopened"


def test_a_campaign_without_its_words_cannot_open(session: Session) -> None:
    blank = lifecycle.create_blank(session, "empty-one", "Empty", "e@example.org", NOW)
    with pytest.raises(InvalidInput) as refused:
        lifecycle.move(session, blank, CampaignStatus.open, NOW)
    assert "English and French" in refused.value.message
    for text in session.exec(select(CampaignText).where(CampaignText.campaign_id == blank.id)):
        text.summary = text.letter_intro = "Words."
        session.add(text)
    session.flush()
    with pytest.raises(InvalidInput) as refused:
        lifecycle.move(session, blank, CampaignStatus.open, NOW)
    assert "demand" in refused.value.message


def test_a_campaign_past_its_closing_date_cannot_open(session: Session) -> None:
    campaign = _ready(session)
    with pytest.raises(InvalidInput) as refused:
        lifecycle.move(session, campaign, CampaignStatus.open, campaign.closes_at)
    assert refused.value.field == "closes_at"
