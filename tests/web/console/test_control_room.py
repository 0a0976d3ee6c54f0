"""The control room and its JSON twin: the same figures on both, role checks, and the global
and per-campaign pause and resume (organisers and admins; refused without a reason, refused
when already so; audited; a paused campaign's letters wait while the rest goes on)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts import credentials
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.delivery import queue, recipients
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from tests.accounts.conftest import NOW, MakePerson
from tests.stats.conftest import FR_REP, UK_REP, Story, story
from tests.web.conftest import csrf_token, text_of
from tests.web.console.conftest import SignedInBrowser

__all__ = ["story"]

SLUG = "calais-border"


def _token(session: Session, make_person: MakePerson, role: Role) -> dict[str, str]:
    person = make_person(role)
    return {
        "authorization": f"Bearer {credentials.create_token(session, person.actor(), 't', NOW)[1]}"
    }


def _letters_due(story: Story) -> list[str]:
    jobs = queue.claim(
        story.session,
        worker_id="peek",
        limit=100,
        now=story.clock.now() + timedelta(days=3),
        lease_seconds=60,
    )
    story.session.rollback()
    return [job.email.letter_id or "" for job in jobs if job.email.kind == MessageKind.letter]


def test_the_json_twin_gives_every_figure_to_staff_and_up(
    story: Story, session: Session, make_person: MakePerson
) -> None:
    ids = [story.submit(UK_REP), story.submit(FR_REP), story.submit(UK_REP, message="")]
    for letter_id in ids[:2]:
        story.confirm(letter_id)
    client = story.client
    staff = _token(session, make_person, Role.staff)
    response = client.get(f"/api/admin/stats?campaign={SLUG}", headers=staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["campaign"] == SLUG
    assert body["funnel"] == {
        "submitted": 3,
        "confirmed": 2,
        "held": 0,
        "queued": 2,
        "sent": 0,
        "delivered": 0,
    }
    assert body["status"]["queued"] == 2 and body["status"]["pending_confirmation"] == 1
    assert sum(body["status"].values()) == 3
    assert body["by_chamber"]["uk-commons"]["letters"] == 1
    assert body["by_chamber"]["fr-an"]["letters"] == 1
    assert body["deadline"]["queued"] == 2 and body["deadline"]["representatives"] == 2
    assert {rep["id"] for rep in body["deadline"]["listed"]} == {UK_REP, FR_REP}
    assert body["paused_everywhere"]["paused"] is False
    assert set(body) >= {"hours", "days", "by_nation", "by_party", "personal", "held"}
    assert set(body) >= {"delivery", "needs", "paused_campaign", "failed"}

    assert client.get(f"/api/admin/stats?campaign={SLUG}").status_code == 401
    assert client.get("/api/admin/stats", headers=staff).status_code == 422
    unknown = client.get("/api/admin/stats?campaign=nothing-here", headers=staff)
    assert unknown.status_code == 404


def test_pause_and_resume_a_campaign_and_everything(
    story: Story, session: Session, make_person: MakePerson
) -> None:
    letter_id = story.submit(UK_REP)
    story.confirm(letter_id)
    client = story.client
    assert letter_id in _letters_due(story)
    staff = _token(session, make_person, Role.staff)
    organiser = _token(session, make_person, Role.organiser)
    pause, resume = "/api/admin/delivery/pause", "/api/admin/delivery/resume"

    refused = client.post(pause, json={"campaign": SLUG, "reason": "x"}, headers=staff)
    assert refused.status_code == 403
    no_reason = client.post(pause, json={"campaign": SLUG, "reason": "  "}, headers=organiser)
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    long = client.post(pause, json={"campaign": SLUG, "reason": "x" * 301}, headers=organiser)
    assert long.status_code == 422
    unknown = client.post(pause, json={"campaign": "nope", "reason": "x"}, headers=organiser)
    assert unknown.status_code == 404

    done = client.post(pause, json={"campaign": SLUG, "reason": "Office move"}, headers=organiser)
    assert done.status_code == 200, done.text
    assert done.json()["paused"] is True and done.json()["reason"] == "Office move"
    assert letter_id not in _letters_due(story)
    again = client.post(pause, json={"campaign": SLUG, "reason": "Again"}, headers=organiser)
    assert again.status_code == 409
    stats = client.get(f"/api/admin/stats?campaign={SLUG}", headers=staff).json()
    assert stats["paused_campaign"]["reason"] == "Office move"
    assert stats["paused_everywhere"]["paused"] is False

    assert client.post(resume, json={"campaign": SLUG}, headers=organiser).status_code == 200
    assert client.post(resume, json={"campaign": SLUG}, headers=organiser).status_code == 409
    assert letter_id in _letters_due(story)

    everywhere = client.post(pause, json={"reason": "Provider incident"}, headers=organiser)
    assert everywhere.status_code == 200
    assert _letters_due(story) == []
    assert client.post(resume, json={}, headers=organiser).status_code == 200

    actions = [
        (entry.action, entry.target)
        for entry in session.exec(
            select(AuditEntry).where(AuditEntry.action.startswith("delivery."))
        )
    ]
    assert actions == [
        ("delivery.paused", f"campaign:{SLUG}"),
        ("delivery.resumed", f"campaign:{SLUG}"),
        ("delivery.paused", "delivery:global"),
        ("delivery.resumed", "delivery:global"),
    ]


def test_the_page_shows_the_same_figures_and_pauses_for_organisers(
    story: Story, client: TestClient, signed_in_as: SignedInBrowser
) -> None:
    for _ in range(3):
        story.confirm(story.submit(UK_REP))
    story.submit(FR_REP)
    _staff, _token_value = signed_in_as(Role.staff)
    page = client.get(f"/console/control-room?campaign={SLUG}")
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Control room" in text and "Funnel" in text
    assert "<svg" in page.text and "As a table" in text
    assert "Liam Byrne" in text  # the deadline's table
    assert "/console/control-room/pause" not in page.text  # staff cannot pause
    assert client.get("/console/control-room").status_code == 200  # the first campaign

    client.cookies.clear()
    _organiser, _t = signed_in_as(Role.organiser)
    page = client.get(f"/console/control-room?campaign={SLUG}")
    assert "/console/control-room/pause" in page.text
    token = csrf_token(page.text)
    refused = client.post(
        "/console/control-room/pause",
        data={"csrf_token": token, "campaign": SLUG, "scope": SLUG, "reason": ""},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert "Say why sending is paused." in text_of(refused.text)
    done = client.post(
        "/console/control-room/pause",
        data={"csrf_token": token, "campaign": SLUG, "scope": SLUG, "reason": "Checking"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(done.headers["location"])
    assert "Sending of this campaign is paused: Checking" in text_of(shown.text)
    resumed = client.post(
        "/console/control-room/resume",
        data={"csrf_token": token, "campaign": SLUG, "scope": SLUG},
        follow_redirects=False,
    )
    assert resumed.status_code == 303


def _queued_per_representative(session: Session) -> dict[str, int]:
    session.expire_all()
    rows = session.exec(
        select(OutboxMessage.pace_key).where(
            OutboxMessage.kind == MessageKind.letter, OutboxMessage.state == OutboxState.queued
        )
    ).all()
    return dict(Counter(key for key in rows if key))


def test_the_deadline_figures_equal_the_queue_through_a_hold_and_release(
    story: Story, session: Session, make_person: MakePerson
) -> None:
    for rep in (UK_REP, UK_REP, UK_REP, FR_REP, FR_REP):
        story.confirm(story.submit(rep))
    staff = _token(session, make_person, Role.staff)

    def shown() -> dict[str, int]:
        body = story.client.get(f"/api/admin/stats?campaign={SLUG}", headers=staff).json()
        listed = {rep["id"]: rep["queued"] for rep in body["deadline"]["listed"]}
        assert body["deadline"]["queued"] == sum(listed.values())
        assert body["deadline"]["representatives"] == len(listed)
        return listed

    assert shown() == _queued_per_representative(session) == {UK_REP: 3, FR_REP: 2}
    now = story.clock.now()
    recipients.hold_recipient(session, FR_REP, "paused", actor="t", now=now)
    session.commit()
    assert shown() == _queued_per_representative(session) == {UK_REP: 3}
    recipients.release_recipient(session, FR_REP, actor="t", now=now)
    session.commit()
    assert shown() == _queued_per_representative(session) == {UK_REP: 3, FR_REP: 2}
