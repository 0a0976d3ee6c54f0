"""A supporter erases their own data from their letter's page, through an emailed link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from service.accounts.models import AuditEntry
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.letters import privacy
from service.letters.models import Letter
from tests.web.conftest import CALAIS, csrf_token, letter_form, sent_letter, text_of


def _status_page(web: TestClient, session: Session) -> tuple[str, Letter]:
    sent = web.post(f"{CALAIS}/send", data=letter_form(web), follow_redirects=False)
    assert sent.status_code == 303
    url = sent.headers["location"].split("?")[0]
    return url, sent_letter(session)


def _erasure_link(session: Session, letter: Letter) -> str:
    mail = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.letter_id == letter.id, col(OutboxMessage.subject).contains("Erase")
        )
    ).all()
    assert mail, "no erasure email"
    found = re.search(r"/privacy/erase/(\S+)", mail[-1].text_body)
    assert found is not None
    return f"/privacy/erase/{found.group(1)}"


def test_supporter_erases_through_the_emailed_link(
    web: TestClient, session: Session, settings: Settings
) -> None:
    status_url, letter = _status_page(web, session)
    page = web.get(status_url)
    assert f'action="{status_url}/erase"' in page.text
    asked = web.post(f"{status_url}/erase", data={"csrf_token": csrf_token(page.text)})
    assert asked.status_code == 200 and "Check your inbox" in text_of(asked.text)
    link = _erasure_link(session, letter)
    confirm = web.get(link)
    assert "ann@example.org" in text_of(confirm.text)
    assert web.post(link, data={}).status_code == 403  # no CSRF token
    done = web.post(link, data={"csrf_token": csrf_token(confirm.text)})
    assert done.status_code == 200 and "Your data is erased" in text_of(done.text)
    session.expire_all()
    erased = session.get(Letter, letter.id)
    assert erased is not None and erased.email == "" and erased.status == "rejected"
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.action == "personal_data.erased")
    ).one()
    assert entry.actor_id is None and entry.after and entry.after["by_supporter"] is True
    assert "Nothing left to erase" in text_of(web.get(link).text)


def test_forged_and_expired_links_are_refused(
    web: TestClient, session: Session, settings: Settings
) -> None:
    _url, letter = _status_page(web, session)
    past = datetime.now(UTC) - timedelta(minutes=1)
    expired = privacy.erasure_token(settings.secret_key, letter.id, past)
    assert web.get(f"/privacy/erase/{expired}").status_code == 410
    good = privacy.erasure_token(settings.secret_key, letter.id, past + timedelta(hours=2))
    assert web.get(f"/privacy/erase/{good[:-2]}xx").status_code == 404
    assert web.get(f"/privacy/erase/{'a' * 300}").status_code == 404


def test_erasure_emails_are_limited_per_day(
    web: TestClient, session: Session, settings: Settings
) -> None:
    status_url, _letter = _status_page(web, session)
    token = csrf_token(web.get(status_url).text)
    answers = [
        web.post(f"{status_url}/erase", data={"csrf_token": token}).status_code for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
