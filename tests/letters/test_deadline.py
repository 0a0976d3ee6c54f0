"""The summit is the deadline: letters confirmed after it, or left behind by it (still queued,
or held), are not sent, and the supporter is told in their language. Mail to supporters is
never paced behind letters."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.campaigns.models import Campaign
from service.clock import FakeClock
from service.config import Settings
from service.delivery import queue
from service.delivery.models import PRIORITY
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.errors import Conflict
from service.letters.hooks import tell_letters
from service.letters.models import Letter
from service.letters.service import reject_missed, release_letter
from tests.letters.conftest import LetterData, confirm_token_in, outbox_for

S = OutboxState


def _submit(api: TestClient, session: Session, data: dict[str, object]) -> tuple[str, str]:
    response = api.post("/api/letters", json=data)
    assert response.status_code == 202, response.text
    letter_id = response.json()["id"]
    return letter_id, confirm_token_in(outbox_for(session, letter_id)[0])


def _campaign(session: Session) -> Campaign:
    return session.exec(select(Campaign).where(Campaign.slug == "calais-border")).one()


def _kinds(session: Session, letter_id: str) -> list[str]:
    return [m.kind for m in outbox_for(session, letter_id)]


@pytest.mark.parametrize(
    ("lang", "subject", "sentence"),
    [
        (
            "en",
            "Your letter to Liam Byrne could not be sent in time",
            "by 18 December 2026 at 08:00",
        ),
        (
            "fr",
            "Votre lettre à Liam Byrne n'a pas pu partir à temps",
            "avant le 18 décembre 2026 à 8 h 00",
        ),
    ],
)
def test_a_letter_confirmed_after_the_deadline_is_not_sent_and_the_supporter_told(
    api: TestClient,
    session: Session,
    clock: FakeClock,
    letter_data: LetterData,
    lang: str,
    subject: str,
    sentence: str,
) -> None:
    clock.advance(days=17)  # 14 December: the campaign still takes letters
    data = letter_data(lang=lang)
    letter_id, token = _submit(api, session, data)
    clock.advance(days=4)  # 18 December, past the 09:00 Paris deadline
    assert api.get(f"/confirm/{token}").json()["status"] == "rejected"
    assert _kinds(session, letter_id) == [MessageKind.confirmation, MessageKind.notice]
    notice = outbox_for(session, letter_id)[-1]
    assert notice.subject == subject
    assert sentence in notice.text_body  # the deadline, on the representative's clock
    assert notice.to_email == data["email"]
    # Not paced, and never given up on at a deadline: it goes at once.
    assert (notice.pace_key, notice.expires_at) == (None, None)
    assert notice.next_attempt_at == clock.now()
    assert notice.priority < PRIORITY[MessageKind.letter]


def test_supporter_mail_is_not_paced_behind_letters(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    for _ in range(5):  # a backlog of letters to one representative
        letter_id, token = _submit(api, session, letter_data())
        assert api.get(f"/confirm/{token}").json()["status"] == "queued"
    last_letter = outbox_for(session, letter_id)[-1]
    assert last_letter.not_before == clock.now() + timedelta(minutes=8)  # 30 an hour
    newcomer, _ = _submit(api, session, letter_data())
    [confirmation] = outbox_for(session, newcomer)
    assert confirmation.next_attempt_at == clock.now() and confirmation.pace_key is None
    jobs = queue.claim(session, worker_id="w", limit=1, now=clock.now(), lease_seconds=60)
    assert [job.email.kind for job in jobs] == [MessageKind.confirmation]


def test_queued_letters_the_deadline_left_behind_are_rejected_with_a_notice(
    api: TestClient,
    session: Session,
    settings: Settings,
    clock: FakeClock,
    letter_data: LetterData,
) -> None:
    campaign = _campaign(session)
    campaign.letters_per_hour = 1
    campaign.deadline = clock.now() + timedelta(hours=3)
    session.add(campaign)
    session.flush()
    ids = []
    for _ in range(15):
        letter_id, token = _submit(api, session, letter_data())
        assert api.get(f"/confirm/{token}").json()["status"] == "queued"
        ids.append(letter_id)
    # One an hour is raised to the ceiling's pace (120 a day: 5 an hour); 13 make it.
    letters = [outbox_for(session, i)[-1] for i in ids]
    planned_before = campaign.deadline - timedelta(
        minutes=settings.delivery.deadline_margin_minutes
    )
    assert sum(1 for m in letters if m.not_before and m.not_before < planned_before) == 13

    clock.advance(hours=2, minutes=30)  # the worker sends what is due
    jobs = queue.claim(session, worker_id="w", limit=50, now=clock.now(), lease_seconds=60)
    assert sum(1 for job in jobs if job.email.kind == MessageKind.letter) == 13
    queue.record(
        session,
        [queue.Outcome(job, provider_message_id=f"x-{n}") for n, job in enumerate(jobs)],
        worker_id="w",
        backend="memory",
        now=clock.now(),
        settings=settings.delivery,
        rng=random.Random(1),
        on_sent=tell_letters,
    )
    assert reject_missed(session, clock.now(), settings=settings) == 0  # not yet
    clock.advance(minutes=31)  # past the deadline
    queue.reap(session, now=clock.now(), settings=settings.delivery, actor="w")
    assert reject_missed(session, clock.now(), settings=settings) == 2
    assert reject_missed(session, clock.now(), settings=settings) == 0
    statuses = [session.get(Letter, i).status for i in ids]  # type: ignore[union-attr]
    assert statuses == ["sent"] * 13 + ["rejected"] * 2
    for letter_id in ids[13:]:
        assert _kinds(session, letter_id) == [
            MessageKind.confirmation,
            MessageKind.letter,
            MessageKind.notice,
        ]
        assert outbox_for(session, letter_id)[1].state == S.expired
    assert MessageKind.notice not in _kinds(session, ids[0])


def test_held_letters_past_the_deadline_are_rejected_and_cannot_be_released(
    api: TestClient,
    session: Session,
    settings: Settings,
    clock: FakeClock,
    letter_data: LetterData,
) -> None:
    held_id, token = _submit(api, session, letter_data(message=""))
    assert api.get(f"/confirm/{token}").json()["status"] == "held"
    other_id, other_token = _submit(api, session, letter_data(message=""))
    api.get(f"/confirm/{other_token}")
    clock.advance(days=21)  # past the deadline
    with pytest.raises(Conflict, match="deadline"):
        release_letter(session, settings, held_id, actor="person:1", now=clock.now())
    assert reject_missed(session, clock.now(), settings=settings) == 2
    letter = session.get(Letter, held_id)
    assert letter is not None and letter.status == "rejected"
    assert _kinds(session, held_id) == [MessageKind.confirmation, MessageKind.notice]
