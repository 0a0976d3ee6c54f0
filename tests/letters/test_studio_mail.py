"""Every email to a supporter is written with the campaign's approved studio version when
there is one (its text and its subject line), and with the built-in template and subject
otherwise: the confirmation, the notice that a letter did not arrive, the note to an address
that wrote already, and the moderators' decisions, whose reason is the moderator's text (a
value: escaped in HTML, never read as a template)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.campaigns.seed import SLUG
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.letters.hooks import LetterTracking
from service.letters.models import Letter
from service.letters.review import Decision, decide
from service.studio import service as studio
from service.studio.service import DraftIn
from tests.letters.conftest import START, LetterData, confirm_token_in, outbox_for

BODY = "Studio words for {{ supporter_name }}. {{ status_url }}"


def _approved(
    session: Session, name: str, body: str, subjects: tuple[str, ...] = (), lang: str = "en"
) -> None:
    draft = DraftIn(lang, body, None, subjects, "studio test")
    version = studio.save_draft(session, SLUG, name, draft, "organiser-1", START)
    studio.approve(
        session, SLUG, name, version.number, "organiser-2", "", START, second_person=True
    )
    session.commit()


def _submitted(api: TestClient, data: dict[str, object]) -> str:
    response = api.post("/api/letters", json=data)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _confirmed(api: TestClient, session: Session, data: dict[str, object]) -> str:
    letter_id = _submitted(api, data)
    [confirmation] = outbox_for(session, letter_id)
    assert api.get(f"/confirm/{confirm_token_in(confirmation)}").status_code == 200
    return letter_id


def _notices(session: Session, letter_id: str) -> list[OutboxMessage]:
    return [m for m in outbox_for(session, letter_id) if m.kind == MessageKind.notice]


def test_the_confirmation_takes_the_approved_subject_line(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    before = _submitted(api, letter_data())
    [built_in] = outbox_for(session, before)
    assert built_in.subject == "Please confirm your letter to Liam Byrne"
    _approved(
        session,
        "confirm",
        "Confirm here: {{ confirm_url }}",
        ("{{ supporter_name }}, one click for {{ representative_name }}",),
    )
    after = _submitted(api, letter_data(name="Robin Studio"))
    [mail] = outbox_for(session, after)
    assert mail.subject == "Robin Studio, one click for Liam Byrne"
    assert mail.text_body.startswith("Confirm here: ") and "/confirm/" in mail.text_body
    # The other language keeps the built-in subject.
    french = _submitted(api, letter_data(lang="fr"))
    [mail] = outbox_for(session, french)
    assert mail.subject == "Confirmez votre lettre à Liam Byrne"


def test_a_version_without_a_subject_keeps_the_built_in_one(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    _approved(session, "confirm", "Confirm here: {{ confirm_url }}")
    [mail] = outbox_for(session, _submitted(api, letter_data()))
    assert mail.subject == "Please confirm your letter to Liam Byrne"
    assert mail.text_body.startswith("Confirm here: ")


def test_a_subject_is_one_line_whatever_the_variables_hold(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    _approved(session, "confirm", "{{ confirm_url }}", ("About: {{ letter_text }}",))
    [mail] = outbox_for(session, _submitted(api, letter_data()))
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert mail.subject.startswith("About: Dear ") and len(mail.subject) <= 250


def test_written_before_default_and_studio(
    api: TestClient, session: Session, letter_data: LetterData
) -> None:
    first = _confirmed(api, session, letter_data(email="twice@example.org"))
    _submitted(api, letter_data(email="twice@example.org"))
    [built_in] = _notices(session, first)
    assert built_in.subject == "You have already written to Liam Byrne"
    _approved(
        session,
        "written_before",
        "One letter each, {{ supporter_name }}: {{ status_url }} ({{ written_on }})",
        ("Already written to {{ representative_name }}",),
    )
    _submitted(api, letter_data(email="twice@example.org"))
    studio_note = _notices(session, first)[-1]
    assert studio_note.subject == "Already written to Liam Byrne"
    assert studio_note.text_body.startswith("One letter each, ")
    assert f"/letters/{first}." in studio_note.text_body


@dataclass(frozen=True)
class _News:
    letter_id: str
    at: datetime
    failure: str | None


def test_the_bounce_notice_default_and_studio(
    api: TestClient, session: Session, settings: Settings, letter_data: LetterData
) -> None:
    tracking = LetterTracking(settings)
    later = START + timedelta(hours=1)
    first = _confirmed(api, session, letter_data())
    tracking.apply(session, [_News(first, later, "invalid_address")])
    [built_in] = _notices(session, first)
    assert built_in.subject == "Your letter to Liam Byrne did not arrive"
    assert "no longer works" in built_in.text_body
    _approved(
        session,
        "bounced",
        "Sorry, {{ supporter_name }}: {{ hold_message }}",
        ("Undelivered: {{ representative_name }}",),
    )
    second = _confirmed(api, session, letter_data())
    tracking.apply(session, [_News(second, later, "invalid_address")])
    [notice] = _notices(session, second)
    assert notice.subject == "Undelivered: Liam Byrne"
    assert notice.text_body.startswith("Sorry, Alex Example")
    assert "The address we have for Liam Byrne no longer works." in notice.text_body
    assert notice.html_body is not None and "no longer works" in notice.html_body


def _held(api: TestClient, session: Session, letter_data: LetterData, **changes: object) -> str:
    """A letter held for an organiser (no paragraph of the supporter's own), confirmed."""
    letter_id = _confirmed(api, session, letter_data(message="", **changes))
    letter = session.get(Letter, letter_id)
    assert letter is not None and letter.status == "held"
    return letter_id


# Free text from a moderator that looks like a template and like HTML.
HOSTILE_REASON = "Please {{ 7 * 7 }} rewrite <b>this</b> & {% if x %}it{% endif %}."


@pytest.mark.parametrize(
    ("decision", "lang", "subject"),
    [
        (Decision.reject, "en", "Your letter to Liam Byrne will not be sent"),
        (Decision.reject, "fr", "Votre lettre à Liam Byrne ne sera pas envoyée"),
        (Decision.return_, "en", "Your letter to Liam Byrne: please make it your own"),
        (Decision.return_, "fr", "Votre lettre à Liam Byrne : merci de vous l'approprier"),
    ],
)
def test_the_decision_mails_by_default(
    api: TestClient,
    session: Session,
    settings: Settings,
    letter_data: LetterData,
    decision: Decision,
    lang: str,
    subject: str,
) -> None:
    letter_id = _held(api, session, letter_data, lang=lang)
    decide(session, settings, letter_id, decision, HOSTILE_REASON, actor="m-1", now=START)
    session.commit()
    [mail] = _notices(session, letter_id)
    assert mail.subject == subject and mail.to_email.startswith("alex")
    assert HOSTILE_REASON in mail.text_body  # as written: not rendered
    assert f"/letters/{letter_id}." in mail.text_body
    assert mail.html_body is not None and f'lang="{lang}"' in mail.html_body
    assert "&lt;b&gt;this&lt;/b&gt; &amp; {% if x %}" in mail.html_body
    assert "{{ 7 * 7 }}" in mail.html_body and "<b>this" not in mail.html_body


@pytest.mark.parametrize(
    ("decision", "name"), [(Decision.reject, "rejected"), (Decision.return_, "returned")]
)
def test_the_decision_mails_from_the_studio(
    api: TestClient,
    session: Session,
    settings: Settings,
    letter_data: LetterData,
    decision: Decision,
    name: str,
) -> None:
    _approved(
        session,
        name,
        "Dear {{ supporter_name }}, the moderators say:\n\n{{ reason }}\n\n{{ status_url }}",
        ("{{ campaign_title }}: about your letter to {{ representative_name }}",),
    )
    letter_id = _held(api, session, letter_data)
    decide(session, settings, letter_id, decision, HOSTILE_REASON, actor="m-1", now=START)
    session.commit()
    [mail] = _notices(session, letter_id)
    assert mail.subject.endswith(": about your letter to Liam Byrne")
    assert mail.text_body.startswith("Dear Alex Example")
    assert HOSTILE_REASON in mail.text_body and f"/letters/{letter_id}." in mail.text_body
    # No HTML part in the version: made from the text, the reason escaped.
    assert mail.html_body is not None and "&lt;b&gt;this&lt;/b&gt;" in mail.html_body
