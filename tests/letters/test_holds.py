"""Similarity and empty paragraphs: the letter is held for review, the supporter told why
and how to make it their own; the similarity endpoint; rewriting; organisers' decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.clock import FakeClock
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.errors import Conflict
from service.letters import service
from service.letters.models import Letter
from service.letters.queries import events_of
from service.letters.states import LetterStatus
from tests.letters.conftest import (
    FR_REP,
    UK_REP,
    LetterData,
    confirm_token_in,
    outbox_for,
    token_from,
)

SHARED = (
    "The situation at Calais is a disgrace to both our governments. People are dying in the "
    "Channel because there is no safe way to ask for protection, and children sleep in tents "
    "in the rain. Please use the summit to change this."
)


def _submit(api: TestClient, data: dict[str, object]) -> dict[str, object]:
    response = api.post("/api/letters", json=data)
    assert response.status_code == 202, response.text
    body: dict[str, object] = response.json()
    return body


def _letter_mails(session: Session, letter_id: str) -> list[str]:
    return [m.id for m in outbox_for(session, letter_id) if m.kind == MessageKind.letter]


def test_a_copied_paragraph_is_held_and_the_supporter_told_why(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    first = _submit(api, letter_data(message=SHARED))
    assert first["hold_reason"] is None
    second = _submit(api, letter_data(message=SHARED + " Thank you."))
    assert second["status"] == "pending_confirmation"
    assert second["hold_reason"] == "similar"
    assert "reads very much like 1 other letter(s) to Liam Byrne" in str(second["message"])
    assert "own words" in str(second["message"])

    [confirmation] = outbox_for(session, str(second["id"]))
    assert "Before you confirm:" in confirmation.text_body
    body = api.get(f"/confirm/{confirm_token_in(confirmation)}").json()
    assert body["status"] == "held"
    assert body["hold_reason"] == "similar"
    assert "own words" in body["explanation"]
    assert _letter_mails(session, str(second["id"])) == []


def test_similarity_is_per_representative(api: TestClient, letter_data: LetterData) -> None:
    _submit(api, letter_data(message=SHARED))
    other = _submit(api, letter_data(message=SHARED, representative_id=FR_REP))
    assert other["hold_reason"] is None


def test_expired_letters_do_not_count_as_copies(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    first = _submit(api, letter_data(message=SHARED))
    letter = session.get(Letter, str(first["id"]))
    assert letter is not None
    letter.status = LetterStatus.expired
    session.add(letter)
    session.flush()
    assert _submit(api, letter_data(message=SHARED))["hold_reason"] is None


def test_an_empty_paragraph_is_held(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    body = _submit(api, letter_data(message="  \n  "))
    assert body["hold_reason"] == "empty"
    assert "no paragraph of your own" in str(body["message"])
    [confirmation] = outbox_for(session, str(body["id"]))
    status = api.get(f"/confirm/{confirm_token_in(confirmation)}").json()
    assert status["status"] == "held"
    assert _letter_mails(session, str(body["id"])) == []


def test_the_similarity_endpoint_counts_look_alikes(
    api: TestClient, letter_data: LetterData
) -> None:
    empty = api.post("/api/letters/similarity", json={"representative_id": UK_REP, "message": ""})
    assert empty.json() == {"similar_letters": 0, "score": 0.0, "campaign_text": False}
    for _ in range(2):
        _submit(api, letter_data(message=SHARED))
    response = api.post(
        "/api/letters/similarity", json={"representative_id": UK_REP, "message": SHARED}
    )
    assert response.status_code == 200
    assert response.json() == {"similar_letters": 2, "score": 1.0, "campaign_text": False}
    own = api.post(
        "/api/letters/similarity",
        json={
            "representative_id": UK_REP,
            "message": "I run a food bank in Hodge Hill and several of our volunteers crossed "
            "the Channel themselves. They would not have risked it with a safe route.",
        },
    ).json()
    assert own["similar_letters"] == 0 and own["score"] < 0.5


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"representative_id": "uk-0", "message": "x"}, 422),
        ({"representative_id": UK_REP, "message": "x" * 5_001}, 422),
        ({"message": "x"}, 422),
        ({"representative_id": UK_REP, "message": "bell\x07"}, 422),
    ],
)
def test_the_similarity_endpoint_refuses_bad_input(
    api: TestClient, payload: dict[str, str], status: int
) -> None:
    assert api.post("/api/letters/similarity", json=payload).status_code == status


def test_the_similarity_endpoint_is_rate_limited(api: TestClient, settings: Settings) -> None:
    api.app.state.settings = settings.model_copy(  # type: ignore[attr-defined]
        update={
            "letters": settings.letters.model_copy(update={"similarity_checks_per_ip_per_hour": 2})
        }
    )
    payload = {"representative_id": UK_REP, "message": "hello"}
    assert api.post("/api/letters/similarity", json=payload).status_code == 200
    assert api.post("/api/letters/similarity", json=payload).status_code == 200
    assert api.post("/api/letters/similarity", json=payload).status_code == 429


def test_rewriting_a_pending_letter_clears_the_hold(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    _submit(api, letter_data(message=SHARED))
    held = _submit(api, letter_data(message=SHARED))
    token = token_from(str(held["status_url"]))
    response = api.put(
        f"/api/letters/{token}/message",
        json={"message": "My own words: I crossed at Dover in 1979 as a refugee myself."},
    )
    assert response.status_code == 200
    assert response.json()["hold_reason"] is None
    assert "1979" in response.json()["letter"]["text"]
    [confirmation] = outbox_for(session, str(held["id"]))
    assert api.get(f"/confirm/{confirm_token_in(confirmation)}").json()["status"] == "queued"


def test_rewriting_a_held_letter_sends_it_on(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    body = _submit(api, letter_data(message=""))
    [confirmation] = outbox_for(session, str(body["id"]))
    api.get(f"/confirm/{confirm_token_in(confirmation)}")
    token = token_from(str(body["status_url"]))
    response = api.put(
        f"/api/letters/{token}/message",
        json={"message": "I teach in a school where three pupils lost family at sea."},
    )
    assert response.json()["status"] == "queued"
    assert len(_letter_mails(session, str(body["id"]))) == 1


def test_a_queued_letter_can_no_longer_be_rewritten(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    body = _submit(api, letter_data())
    [confirmation] = outbox_for(session, str(body["id"]))
    api.get(f"/confirm/{confirm_token_in(confirmation)}")
    token = token_from(str(body["status_url"]))
    response = api.put(f"/api/letters/{token}/message", json={"message": "changed"})
    assert response.status_code == 409


def test_rewriting_needs_the_status_link(api: TestClient) -> None:
    response = api.put(
        "/api/letters/" + "a" * 32 + "." + "b" * 43 + "/message", json={"message": "x"}
    )
    assert response.status_code == 404


def test_organisers_release_or_reject_held_letters(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    ids = []
    for _ in range(2):
        body = _submit(api, letter_data(message=""))
        [confirmation] = outbox_for(session, str(body["id"]))
        api.get(f"/confirm/{confirm_token_in(confirmation)}")
        ids.append(str(body["id"]))
    released = service.release_letter(session, settings, ids[0], actor="person:1", now=clock.now())
    assert released.status == LetterStatus.queued
    assert len(_letter_mails(session, ids[0])) == 1
    rejected = service.reject_letter(session, ids[1], actor="person:2", now=clock.now())
    assert rejected.status == LetterStatus.rejected
    with pytest.raises(Conflict):
        service.release_letter(session, settings, ids[1], actor="person:1", now=clock.now())
    # Every move says who made it: the supporter, the hold rule, then the organiser.
    assert [(e.to_status, e.actor) for e in events_of(session, ids[0])] == [
        ("pending_confirmation", "supporter"),
        ("confirmed", "supporter"),
        ("held", "system"),
        ("queued", "person:1"),
    ]
    assert events_of(session, ids[1])[-1].actor == "person:2"
    # The letter's outbox row carries its campaign, so delivery plans it without letters.
    letter = session.get(Letter, ids[0])
    assert letter is not None and letter.outbox_id is not None
    row = session.get(OutboxMessage, letter.outbox_id)
    assert row is not None and row.campaign_id == letter.campaign_id


def test_delivery_reports_move_the_letter_on(
    api: TestClient, session: Session, clock: FakeClock, letter_data: LetterData
) -> None:
    body = _submit(api, letter_data())
    [confirmation] = outbox_for(session, str(body["id"]))
    api.get(f"/confirm/{confirm_token_in(confirmation)}")
    letter_id = str(body["id"])
    clock.advance(timedelta(minutes=3).total_seconds())
    assert service.record_delivery(session, letter_id, LetterStatus.sent, now=clock.now())
    assert not service.record_delivery(session, letter_id, LetterStatus.sent, now=clock.now())
    assert service.record_delivery(session, letter_id, LetterStatus.delivered, now=clock.now())
    assert not service.record_delivery(session, "0" * 32, LetterStatus.sent, now=clock.now())
    session.commit()
    status = api.get(f"/letters/{token_from(str(body['status_url']))}").json()
    assert status["status"] == "delivered"
    assert "reached Liam Byrne" in status["explanation"]


INTRO_REWORDED = (
    "I am writing to you as a constituent ahead of the coming UK–France summit, where the "
    "arrangements at the Calais border are expected to be discussed. More than 200 people have "
    "lost their lives at this border since 1999, and the present approach leaves people "
    "stranded in northern France and at the mercy of smugglers."
)
DEMAND_PASTED = (
    "Children, families and older people need a safe, legal way to reach the UK, so that nobody "
    "is pushed into a dangerous crossing."
)


@pytest.mark.parametrize("pasted", [INTRO_REWORDED, DEMAND_PASTED])
def test_the_campaigns_own_text_as_ones_own_words_is_held(
    api: TestClient, session: Session, letter_data: LetterData, pasted: str
) -> None:
    body = _submit(api, letter_data(message=pasted))
    assert body["hold_reason"] == "campaign_text"
    assert "repeats the campaign's own text" in str(body["message"])
    [confirmation] = outbox_for(session, str(body["id"]))
    assert api.get(f"/confirm/{confirm_token_in(confirmation)}").json()["status"] == "held"
    assert _letter_mails(session, str(body["id"])) == []


def test_quoting_a_demand_inside_a_paragraph_of_ones_own_passes(
    api: TestClient, letter_data: LetterData
) -> None:
    own = (
        "My neighbour's son spent two winters in the woods outside Dunkirk before a charity "
        "found him a lawyer. He is now an apprentice electrician in Leeds and sends money home "
        "every month. His story convinced me that the procedure has to be run by governments, "
        "not left to volunteers who are already stretched. "
    )
    body = _submit(api, letter_data(message=own + "Make family reunification work."))
    assert body["hold_reason"] is None


def test_look_alike_letters_and_invisible_characters_do_not_walk_around_the_hold(
    api: TestClient, letter_data: LetterData
) -> None:
    _submit(api, letter_data(message=SHARED))
    cyrillic = SHARED.replace("a", "а").replace("o", "о").replace("e", "е")
    invisible = "\u200b".join(SHARED.split(" ", 20)[:20]) + " " + SHARED.split(" ", 20)[20]
    for dressed in (cyrillic, invisible, SHARED.upper()):
        assert _submit(api, letter_data(message=dressed))["hold_reason"] == "similar", dressed


def _held_copy(api: TestClient, session: Session, letter_data: LetterData) -> dict[str, object]:
    _submit(api, letter_data(message=SHARED))
    held = _submit(api, letter_data(message=SHARED))
    [confirmation] = outbox_for(session, str(held["id"]))
    assert api.get(f"/confirm/{confirm_token_in(confirmation)}").json()["status"] == "held"
    return held


def test_a_light_edit_of_a_held_letter_keeps_it_held(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    held = _held_copy(api, session, letter_data)
    token = token_from(str(held["status_url"]))
    words = SHARED.split()
    for position in (3, 11, 19, 27):  # 4 words of 40 changed, far apart
        words[position] = "truly"
    response = api.put(f"/api/letters/{token}/message", json={"message": " ".join(words)})
    assert response.status_code == 200
    assert response.json()["status"] == "held"
    assert response.json()["hold_reason"] == "similar"
    assert _letter_mails(session, str(held["id"])) == []


def test_a_held_letter_edited_into_the_campaigns_text_stays_held(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    held = _held_copy(api, session, letter_data)
    token = token_from(str(held["status_url"]))
    response = api.put(f"/api/letters/{token}/message", json={"message": INTRO_REWORDED})
    assert response.json()["status"] == "held"
    assert response.json()["hold_reason"] == "campaign_text"
    assert _letter_mails(session, str(held["id"])) == []


def test_a_held_letter_rewritten_in_ones_own_words_goes_on(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    held = _held_copy(api, session, letter_data)
    token = token_from(str(held["status_url"]))
    own = "I crossed at Dover in 1979 as a refugee myself, and a stranger's kindness saved me."
    response = api.put(f"/api/letters/{token}/message", json={"message": own})
    assert response.json()["status"] == "queued"
    assert len(_letter_mails(session, str(held["id"]))) == 1


def test_a_light_edit_stays_held_even_when_the_letter_it_copied_is_gone(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    held = _held_copy(api, session, letter_data)
    for letter in session.exec(select(Letter).where(Letter.id != str(held["id"]))).all():
        letter.status = LetterStatus.rejected  # the first letter no longer counts as a copy
        session.add(letter)
    session.flush()
    token = token_from(str(held["status_url"]))
    response = api.put(f"/api/letters/{token}/message", json={"message": SHARED + " Thanks."})
    assert response.json()["status"] == "held"
    assert _letter_mails(session, str(held["id"])) == []


def test_the_similarity_check_says_when_a_paragraph_repeats_the_campaign(
    api: TestClient,
) -> None:
    payload = {"representative_id": UK_REP, "message": INTRO_REWORDED}
    alone = api.post("/api/letters/similarity", json=payload).json()
    assert alone["campaign_text"] is False  # no campaign named: letters only
    checked = api.post("/api/letters/similarity", json={**payload, "campaign": "calais-border"})
    assert checked.status_code == 200
    assert checked.json()["campaign_text"] is True
    unknown = api.post("/api/letters/similarity", json={**payload, "campaign": "nope"})
    assert unknown.status_code == 404 and unknown.json()["field"] == "campaign"


@pytest.mark.parametrize("path", ["/api/letters/similarity", "/api/letters"])
@pytest.mark.parametrize("bad_id", ["\x00", "uk-4602\x00", "uk 4602", "\n"])
def test_a_representative_id_with_control_characters_is_a_422(
    api: TestClient, letter_data: LetterData, path: str, bad_id: str
) -> None:
    """Found by the API fuzz on PostgreSQL, which refuses NUL bytes in text: such an id is
    refused by the schema, before any query."""
    body = {**letter_data(), "representative_id": bad_id}
    if path.endswith("similarity"):
        body = {"representative_id": bad_id, "message": "My own words."}
    response = api.post(path, json=body)
    assert response.status_code == 422, response.text
    assert "representative_id" in response.text
