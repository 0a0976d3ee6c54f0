"""Did your representative reply? The question's timing, one reminder, the answer pages (GET
shows, POST with CSRF records, once), and the counts beside the letters each office got."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.accounts import credentials
from service.accounts.roles import Role
from service.campaigns.models import Campaign
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.letters.models import Letter, ReplySurvey
from service.letters.replies import due_at, reply_counts, send_due_surveys
from tests.accounts.conftest import NOW as ACCOUNTS_NOW
from tests.accounts.conftest import MakePerson, make_person
from tests.fakes.event_signing import EventSigner
from tests.letters.conftest import UK_REP, outbox_for
from tests.tracking.conftest import event, signed_post
from tests.tracking.test_letters_follow import NOW, queued_letter, worker_sent
from tests.web.conftest import csrf_token

__all__ = ["make_person"]  # the fixture, used by name

DELIVERED = 1_795_000_000  # a fixed provider time


def _campaign(deadline: datetime, days: int = 14) -> Campaign:
    return Campaign(
        slug="x",
        sender_name="x",
        sender_email="x@example.org",
        deadline=deadline,
        closes_at=deadline,
        reply_after_days=days,
        created_at=NOW,
        updated_at=NOW,
    )


def test_the_question_comes_after_the_set_days_but_before_the_deadline() -> None:
    delivered = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
    far = _campaign(delivered + timedelta(days=60))
    assert due_at(delivered, far) == delivered + timedelta(days=14)
    assert due_at(delivered, _campaign(delivered + timedelta(days=60), days=3)) == (
        delivered + timedelta(days=3)
    )
    near = _campaign(delivered + timedelta(days=10))
    assert due_at(delivered, near) == delivered + timedelta(days=8)  # two days before
    very_near = _campaign(delivered + timedelta(days=2))
    assert due_at(delivered, very_near) == delivered + timedelta(days=1)  # the office's day


def _delivered_letter(
    hook: TestClient, session: Session, signer: EventSigner, settings: Settings, n: int
) -> Letter:
    letter, row = queued_letter(session, settings, n)
    worker_sent(session, row)
    assert signed_post(hook, [event(row, "delivered", DELIVERED)], signer).status_code == 204
    session.refresh(letter)
    assert letter.status == "delivered"
    return letter


def _questions(session: Session, letter: Letter) -> list[OutboxMessage]:
    return [m for m in outbox_for(session, letter.id) if "reply" in m.subject]


def test_one_question_then_one_reminder(
    hook: TestClient, session: Session, signer: EventSigner, tracking_settings: Settings
) -> None:
    letter = _delivered_letter(hook, session, signer, tracking_settings, 21)
    survey = session.get(ReplySurvey, letter.id)
    assert survey is not None and survey.asked_at is None
    due = survey.due_at.replace(tzinfo=UTC)
    assert send_due_surveys(session, due - timedelta(minutes=1), settings=tracking_settings) == 0
    assert send_due_surveys(session, due, settings=tracking_settings) == 1
    [question] = _questions(session, letter)
    assert question.to_email == letter.email and question.subject.startswith("Did ")
    assert re.search(r"/replies/[0-9a-f]{32}\.[A-Za-z0-9_-]{43}/useful", question.text_body)
    assert send_due_surveys(session, due + timedelta(days=1), settings=tracking_settings) == 0
    assert send_due_surveys(session, due + timedelta(days=7), settings=tracking_settings) == 1
    assert send_due_surveys(session, due + timedelta(days=30), settings=tracking_settings) == 0
    subjects = sorted(m.subject for m in _questions(session, letter))
    assert len(subjects) == 2 and subjects[1].startswith("Reminder: ")


def test_an_answer_is_shown_then_recorded_once_and_counted(
    hook: TestClient,
    session: Session,
    signer: EventSigner,
    tracking_settings: Settings,
    make_person: MakePerson,
) -> None:
    letter = _delivered_letter(hook, session, signer, tracking_settings, 22)
    other = _delivered_letter(hook, session, signer, tracking_settings, 23)
    survey = session.get(ReplySurvey, letter.id)
    assert survey is not None
    send_due_surveys(session, survey.due_at.replace(tzinfo=UTC), settings=tracking_settings)
    [question] = _questions(session, letter)
    link = re.search(r"(/replies/\S+)/useful", question.text_body)
    assert link
    base = link.group(1)
    browser = {"accept": "text/html"}

    shown = hook.get(f"{base}/useful", headers=browser)
    assert shown.status_code == 200 and "Record my answer" in shown.text
    session.refresh(survey)
    assert survey.answer is None  # opening the link records nothing
    no_csrf = hook.post(f"{base}/useful", data={"csrf_token": "forged"}, headers=browser)
    assert no_csrf.status_code == 403
    recorded = hook.post(
        f"{base}/useful", data={"csrf_token": csrf_token(shown.text)}, headers=browser
    )
    assert recorded.status_code == 200 and "your answer is recorded" in recorded.text
    again = hook.post(
        f"{base}/no_reply", data={"csrf_token": csrf_token(shown.text)}, headers=browser
    )
    assert "your answer is recorded" in again.text
    session.refresh(survey)
    assert (survey.answer, survey.answered_at is not None) == ("useful", True)  # single use

    assert hook.get(f"{base[:-3]}xyz/useful", headers=browser).status_code == 404
    assert hook.get(f"{base}/maybe", headers=browser).status_code == 404
    french = hook.get(f"{base}/no_reply?lang=fr", headers=browser)
    assert "votre réponse est enregistrée" in french.text

    [line] = [c for c in reply_counts(session) if c.representative_id == UK_REP]
    assert line.letters_received >= 2 and line.answers["useful"] == 1
    assert other.id != letter.id
    token = credentials.create_token(session, make_person(Role.staff).actor(), "t", ACCOUNTS_NOW)[1]
    api = hook.get("/api/admin/tracking/replies", headers={"authorization": f"Bearer {token}"})
    assert api.status_code == 200
    body = api.json()
    assert body["by_chamber"]["uk-commons"]["answers"]["useful"] == 1
    assert body["by_chamber"]["uk-commons"]["letters_received"] >= 2
