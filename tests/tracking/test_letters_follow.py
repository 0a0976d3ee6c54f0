"""End to end on the letters' side: signed batches shaped like the fake SendGrid's tell each
letter its fate. Delivered (with the time), bounced (the supporter is told in their language,
with a plain reason), blocked (the address fails, letters to it are held, the address is
corrected and they go to the new one), spam report (the representative's queue is paused
until an organiser resumes it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from service.accounts.audit import Actor
from service.accounts.roles import Role
from service.config import Settings
from service.delivery.models import OutboxMessage, transition
from service.delivery.states import OutboxState
from service.letters.hooks import tell_letters
from service.letters.models import Letter, LetterEvent
from service.letters.queries import recipient_of
from service.letters.schemas import LetterIn
from service.letters.service import confirm_letter
from service.letters.status import status_view
from service.letters.submission import submit_letter
from service.letters.tokens import status_token
from service.tracking.addresses import failing_addresses
from service.tracking.models import AddressHealth
from service.tracking.suppressions import SendGridSuppressions
from service.web.representative_care import correct_failing_address, resume_address
from tests.fakes.event_signing import EventSigner
from tests.fakes.suppressions import FakeSuppressions
from tests.letters.conftest import UK_REP, confirm_token_in, outbox_for, personal_paragraph
from tests.tracking.conftest import event, signed_post

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
EVENT_TIME = 1_795_000_000  # 2026-11-18, any fixed time
ORGANISER = Actor(id="organiser-1", email="organiser@example.org", role=Role.organiser)


def queued_letter(
    session: Session, settings: Settings, n: int, lang: str = "en"
) -> tuple[Letter, OutboxMessage]:
    data = LetterIn.model_validate(
        {
            "campaign": "calais-border",
            "representative_id": UK_REP,
            "name": f"Sam Tracked {n}",
            "email": f"sam{n}@example.org",
            "postcode": "B34 7AA",
            "address": f"{n} Track Road, Birmingham",
            "demands": [1, 3],
            "message": personal_paragraph(500 + n),
            "consent": True,
            "lang": lang,
        }
    )
    submitted = submit_letter(session, settings, data, client_ip=None, now=NOW)
    [confirmation] = outbox_for(session, submitted.id)
    confirm_letter(session, settings, confirm_token_in(confirmation), now=NOW)
    letter = session.get(Letter, submitted.id)
    assert letter is not None and letter.outbox_id
    row = session.get(OutboxMessage, letter.outbox_id)
    assert row is not None
    return letter, row


def worker_sent(session: Session, row: OutboxMessage) -> None:
    transition(session, row, OutboxState.sending, now=NOW, actor="worker")
    transition(session, row, OutboxState.sent, now=NOW, actor="worker")
    tell_letters(session, [row], NOW)
    session.commit()


def supporter_notices(session: Session, letter: Letter) -> list[OutboxMessage]:
    return [row for row in outbox_for(session, letter.id) if row.kind == "notice"]


def test_delivered_with_its_time(
    hook: TestClient, session: Session, signer: EventSigner, tracking_settings: Settings
) -> None:
    letter, row = queued_letter(session, tracking_settings, 1)
    worker_sent(session, row)
    batch = [event(row, "delivered", EVENT_TIME), event(row, "processed", EVENT_TIME - 5)]
    assert signed_post(hook, batch, signer).status_code == 204
    session.refresh(letter)
    assert letter.status == "delivered"
    delivered = session.exec(
        select(LetterEvent).where(
            LetterEvent.letter_id == letter.id, LetterEvent.to_status == "delivered"
        )
    ).one()
    assert delivered.at.replace(tzinfo=UTC) == datetime.fromtimestamp(EVENT_TIME, UTC)
    assert delivered.actor == "provider"


@pytest.mark.parametrize(
    ("lang", "subject", "reason"),
    [
        ("en", "did not arrive", "no longer works"),
        ("fr", "n'est pas arrivée", "ne fonctionne plus"),
    ],
)
def test_bounced_the_supporter_is_told_in_their_language(
    hook: TestClient,
    session: Session,
    signer: EventSigner,
    tracking_settings: Settings,
    lang: str,
    subject: str,
    reason: str,
) -> None:
    letter, row = queued_letter(session, tracking_settings, 2, lang=lang)
    worker_sent(session, row)
    batch = [event(row, "dropped", EVENT_TIME, reason="Bounced Address")]
    assert signed_post(hook, batch, signer).status_code == 204
    session.refresh(letter)
    assert letter.status == "bounced"
    [notice] = supporter_notices(session, letter)
    assert notice.to_email == letter.email and subject in notice.subject
    assert reason in notice.text_body
    view = status_view(session, letter, recipient_of(session, UK_REP))
    assert reason in view.explanation and view.delivery_failure == "invalid_address"
    page = hook.get(
        f"/letters/{status_token(tracking_settings.secret_key, letter.id)}?lang={lang}",
        headers={"accept": "text/html"},
    )
    assert page.status_code == 200 and reason in page.text.replace("&#39;", "'")


def test_blocked_address_fails_letters_are_held_then_go_to_the_corrected_address(
    hook: TestClient, session: Session, signer: EventSigner, tracking_settings: Settings
) -> None:
    first, first_row = queued_letter(session, tracking_settings, 3)
    worker_sent(session, first_row)
    waiting, waiting_row = queued_letter(session, tracking_settings, 4)
    old_address = first_row.to_email
    batch = [event(first_row, "bounce", EVENT_TIME, type="blocked", reason="550 blocked")]
    assert signed_post(hook, batch, signer).status_code == 204

    session.refresh(waiting_row)
    assert waiting_row.state == "held"  # held, not dropped
    later, later_row = queued_letter(session, tracking_settings, 5)
    assert later_row.state == "held"  # new letters too
    [line] = failing_addresses(session)
    assert (line.state, line.blocks, line.held_letters) == ("failing", 1, 2)
    assert line.last_reason == "550 blocked" and line.recipient_key == UK_REP

    with FakeSuppressions() as fake:
        fake.suppress(old_address, ["blocks"])
        with_key = tracking_settings.model_copy(
            update={"sendgrid_api_key": "SG.test-key", "sendgrid_host": fake.url}
        )
        decision = correct_failing_address(
            session, with_key, ORGANISER, old_address, "new.office@parliament.example", NOW
        )
        assert decision.suppressed_on == ["blocks"]  # the organiser may release it
        lists = SendGridSuppressions("SG.test-key", fake.url)
        assert lists.release(old_address, decision.suppressed_on) == ["blocks"]
        assert lists.lists_holding(old_address) == []
    assert decision.released == 2
    for row in (waiting_row, later_row):
        session.refresh(row)
        assert (row.state, row.to_email) == ("queued", "new.office@parliament.example")
    assert failing_addresses(session) == []
    assert waiting.status == later.status == "queued"


def test_two_hard_bounces_mark_the_address_failing(
    hook: TestClient, session: Session, signer: EventSigner, tracking_settings: Settings
) -> None:
    rows = []
    for n in (6, 7):
        _, row = queued_letter(session, tracking_settings, n)
        worker_sent(session, row)
        rows.append(row)
    signed_post(hook, [event(rows[0], "bounce", EVENT_TIME, reason="550 no such user")], signer)
    health = session.get(AddressHealth, rows[0].to_email.lower())
    assert health is not None and health.state == "ok" and health.hard_bounces == 1
    signed_post(hook, [event(rows[1], "bounce", EVENT_TIME + 1, reason="550 no such user")], signer)
    session.refresh(health)
    assert health.state == "failing"


def test_a_spam_report_pauses_the_queue_until_an_organiser_resumes(
    hook: TestClient,
    session: Session,
    signer: EventSigner,
    tracking_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    letter, row = queued_letter(session, tracking_settings, 8)
    worker_sent(session, row)
    _, waiting_row = queued_letter(session, tracking_settings, 9)
    batch = [event(row, "delivered", EVENT_TIME), event(row, "spamreport", EVENT_TIME + 60)]
    with caplog.at_level("WARNING", logger="repmail.tracking"):
        assert signed_post(hook, batch, signer).status_code == 204
    assert "receiving address paused" in caplog.messages  # staff alerted in the log
    session.refresh(letter)
    session.refresh(waiting_row)
    assert letter.status == "delivered"  # a spam report does not unsend it
    assert waiting_row.state == "held"
    [line] = failing_addresses(session)
    assert (line.state, line.spam_reports) == ("paused", 1)
    decision = resume_address(session, tracking_settings, ORGANISER, row.to_email, NOW)
    assert decision.released == 1
    session.refresh(waiting_row)
    assert waiting_row.state == "queued"
    held = session.exec(select(OutboxMessage).where(col(OutboxMessage.state) == "held")).all()
    assert held == []
