"""The Replies page: supporters' answers per chamber, party and representative, always beside
the letters that office received, for staff and up, in English and French; its JSON twin
gives the same figures."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.accounts import credentials
from service.accounts.roles import Role
from service.config import Settings
from service.letters.hooks import LetterTracking
from service.letters.models import ReplySurvey
from service.representatives.models import Representative
from service.tracking import service as tracking
from tests.accounts.conftest import NOW, MakePerson
from tests.letters.conftest import UK_REP
from tests.tracking.conftest import event
from tests.tracking.test_letters_follow import queued_letter, worker_sent
from tests.web.console.conftest import SignedInBrowser


def _delivered(session: Session, settings: Settings, count: int) -> list[str]:
    """`count` letters to UK_REP delivered (through a webhook batch); returns their ids."""
    letters = []
    events = []
    for n in range(count):
        letter, row = queued_letter(session, settings, 40 + n)
        worker_sent(session, row)
        letters.append(letter.id)
        events.append(event(row, "delivered", 1_795_000_000))
    raw = (json.dumps(events, separators=(",", ":")) + "\r\n").encode()
    now = datetime.now(UTC)
    batch = tracking.store_batch(session, raw, now=now)
    tracking.process_batch(session, batch, LetterTracking(settings), settings.tracking, now=now)
    return letters


def _answer(session: Session, letter_id: str, answer: str) -> None:
    survey = session.get(ReplySurvey, letter_id)
    assert survey is not None
    survey.answer = answer
    survey.answered_at = datetime.now(UTC)
    session.commit()


def test_answers_stand_beside_the_letters_received_in_both_languages(
    client: TestClient,
    session: Session,
    settings: Settings,
    make_person: MakePerson,
    signed_in_as: SignedInBrowser,
) -> None:
    delivered = _delivered(session, settings, 3)
    _answer(session, delivered[0], "useful")
    _answer(session, delivered[1], "no_reply")
    rep = session.get(Representative, UK_REP)
    assert rep is not None

    signed_in_as(Role.staff)
    page = client.get("/console/replies")
    assert page.status_code == 200
    assert "Letters received" in page.text and "Replied, useful" in page.text
    [row] = [line for line in page.text.split("<tr>") if rep.name in line]
    # The representative's line: party, 3 letters received, then the four answers.
    cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
    assert cells == [rep.party, "3", "1", "0", "1", "0"]
    assert f'<th scope="row">{rep.party}</th><td>3</td>' in page.text  # by party
    assert '<th scope="row">uk-commons</th><td>3</td>' in page.text  # by chamber

    french = client.get("/console/replies?lang=fr")
    assert "Lettres reçues" in french.text and "A répondu, utilement" in french.text

    token = credentials.create_token(session, make_person(Role.staff).actor(), "t", NOW)[1]
    api = client.get(
        "/api/admin/tracking/replies",
        headers={"authorization": f"Bearer {token}", "accept": "application/json"},
    )
    assert api.status_code == 200
    body = api.json()
    [line] = [line for line in body["by_representative"] if line["representative_id"] == UK_REP]
    assert line["letters_received"] == 3
    assert line["answers"] == {"useful": 1, "not_useful": 0, "no_reply": 1, "not_expected": 0}
    assert body["by_party"][rep.party]["letters_received"] == 3


def test_with_nothing_delivered_the_page_says_so(
    client: TestClient, signed_in_as: SignedInBrowser
) -> None:
    signed_in_as(Role.moderator)
    page = client.get("/console/replies")
    assert page.status_code == 200 and "No letter has been delivered yet." in page.text
