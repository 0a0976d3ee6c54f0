"""Campaigns are rows: the seeded first campaign, its API, and a second campaign added with
no code change (its own texts, demands, subjects and template overrides)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.campaigns.models import Campaign, CampaignDemand, CampaignTemplate, CampaignText
from service.campaigns.seed import SLUG, TEXTS, seed_campaigns
from service.campaigns.service import (
    CampaignClosed,
    get_campaign,
    is_open,
    require_open,
    resolve,
)
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.letters.routes import get_now

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PETITION_SENTENCES = (
    "The EU Member States should respect their legal obligations to safeguard the right to "
    "family reunification",
    "There is an urgent need to establish safe and legal routes",
    "There needs to be dignified reception centres for all migrants",
    "should allocate a proportion of the budget for border security",
)


def test_the_first_campaign_is_seeded_with_four_demands_in_both_languages(
    session: Session,
) -> None:
    campaign = get_campaign(session, SLUG)
    assert campaign.deadline > campaign.closes_at > NOW
    for lang in ("en", "fr"):
        view = resolve(session, campaign, lang)
        assert view.lang == lang
        assert [d.number for d in view.demands] == [1, 2, 3, 4]
        assert len(view.subjects) >= 3
        assert all(len(s) <= 150 for s in view.subjects)


def test_the_seed_is_in_our_own_words() -> None:
    texts = " ".join(
        " ".join([t["summary"], t["letter_intro"], *(body for _, body in t["demands"])])
        for t in TEXTS.values()
    )
    for sentence in PETITION_SENTENCES:
        assert sentence not in texts


def test_seeding_twice_changes_nothing(session: Session, settings: Settings) -> None:
    campaign = get_campaign(session, SLUG)
    campaign.goal = 123  # an organiser's edit
    session.add(campaign)
    assert seed_campaigns(session, settings) is False
    assert get_campaign(session, SLUG).goal == 123


def test_open_and_closed(session: Session) -> None:
    campaign = get_campaign(session, SLUG)
    assert is_open(campaign, NOW)
    assert not is_open(campaign, campaign.closes_at)
    with pytest.raises(CampaignClosed):
        require_open(campaign, campaign.closes_at + timedelta(seconds=1))


def test_the_campaign_api(client: TestClient) -> None:
    client.app.dependency_overrides[get_now] = lambda: NOW  # type: ignore[attr-defined]
    response = client.get(f"/api/campaigns/{SLUG}", params={"lang": "fr"})
    assert response.status_code == 200
    body = response.json()
    assert body["lang"] == "fr" and body["open"] is True
    assert [d["number"] for d in body["demands"]] == [1, 2, 3, 4]
    assert client.get("/api/campaigns/nope").status_code == 404
    assert client.get(f"/api/campaigns/{SLUG}", params={"lang": "xx"}).status_code == 422


@pytest.fixture
def second_campaign(session: Session) -> Campaign:
    campaign = Campaign(
        slug="rivers",
        sender_name="Clean Rivers",
        sender_email="letters@rivers.example",
        timezone="Europe/London",
        deadline=NOW + timedelta(days=60),
        closes_at=NOW + timedelta(days=50),
        goal=100,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(campaign)
    session.flush()
    assert campaign.id is not None
    session.add(
        CampaignText(
            campaign_id=campaign.id,
            lang="en",
            title="Clean rivers",
            summary="Sewage in our rivers.",
            letter_intro="I am writing about sewage in our rivers.",
            letter_closing="Please reply.",
            subjects=["Rivers need you"],
        )
    )
    session.add(
        CampaignDemand(
            campaign_id=campaign.id, number=1, lang="en", title="Stop spills", body="Now."
        )
    )
    session.add(
        CampaignTemplate(
            campaign_id=campaign.id,
            lang="en",
            name="letter.txt.j2",
            source="{{ salutation }}\n\n{{ campaign.intro }}\n\n{{ message }}\n\n"
            "{% for d in demands %}* {{ d.title }}\n{% endfor %}\n{{ supporter.name }}\n"
            "{% include '_footer.txt.j2' %}",
            updated_at=NOW,
        )
    )
    session.flush()
    return campaign


def test_a_second_campaign_needs_no_code_change(
    client: TestClient, session: Session, second_campaign: Campaign
) -> None:
    client.app.dependency_overrides[get_now] = lambda: NOW  # type: ignore[attr-defined]
    client.headers["Accept"] = "application/json"
    response = client.post(
        "/api/letters",
        json={
            "campaign": "rivers",
            "representative_id": "uk-1171",
            "name": "Robin River",
            "email": "robin@example.org",
            "postcode": "B34 7AA",
            "address": "2 Mill Lane",
            "demands": [1],
            "message": "I swim in the Tame every summer and got ill twice this year.",
            "consent": True,
            "lang": "en",
        },
    )
    assert response.status_code == 202, response.text
    letter_id = response.json()["id"]
    assert (
        client.post(
            "/api/letters",
            json={**_minimal(), "campaign": "rivers", "demands": [2]},
        ).json()["field"]
        == "demands"
    )  # this campaign has one demand

    status = client.get(response.json()["status_url"].removeprefix("http://127.0.0.1:8000"))
    text = status.json()["letter"]["text"]
    assert text.startswith("Dear Liam Byrne,\n\nI am writing about sewage")
    assert "* Stop spills" in text
    assert '"Clean rivers" (Clean Rivers)' in text
    assert status.json()["letter"]["subject"] == "Rivers need you"
    [mail] = session.exec(select(OutboxMessage).where(OutboxMessage.letter_id == letter_id)).all()
    assert mail.kind == MessageKind.confirmation
    assert mail.sender_name == "Clean Rivers"
    assert mail.sender_email == "letters@rivers.example"


def _minimal() -> dict[str, object]:
    return {
        "representative_id": "uk-1171",
        "name": "Robin Other",
        "email": "other@example.org",
        "postcode": "B34 7AA",
        "address": "3 Mill Lane",
        "message": "Something of my own about the river near my house.",
        "consent": True,
    }


def test_a_broken_organiser_template_is_503_and_stores_nothing(
    client: TestClient, session: Session, second_campaign: Campaign
) -> None:
    assert second_campaign.id is not None
    template = session.get(CampaignTemplate, (second_campaign.id, "en", "letter.txt.j2"))
    assert template is not None
    template.source = "{{ nobody }}"
    session.add(template)
    session.flush()
    client.app.dependency_overrides[get_now] = lambda: NOW  # type: ignore[attr-defined]
    response = client.post(
        "/api/letters", json={**_minimal(), "campaign": "rivers", "demands": [1]}
    )
    assert response.status_code == 503
    assert "try again later" in response.json()["message"]
    assert session.exec(select(OutboxMessage)).all() == []
