"""A representative's care meets what the provider reports: the list's failing and paused
filters, the page's recent provider outcomes, and the one hold that follows both the
organisers' pause and the address's health (a correction while paused keeps letters held at
the new address; a resume while the address fails keeps them held; a spam pause is lifted
from the representative's own page)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.accounts.roles import Role
from service.campaigns.models import Campaign
from service.clock import FakeClock
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.delivery.recipients import hold_recipient, recipient_hold
from service.delivery.schemas import MessageKind
from service.letters.jobs import reject_missed
from service.letters.models import Letter
from service.tracking.models import AddressHealth, ProviderEvent
from tests.accounts.conftest import MakePerson
from tests.web.conftest import csrf_token, text_of
from tests.web.console.test_pages import _signed_in
from tests.web.console.test_representative_care import NEW, OFFICIAL, REP, _row

AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
URL = f"/api/admin/representatives/{REP}"


def _reported(session: Session, letters: list[Letter], state: str) -> None:
    """The provider blocked the first letter's mail (or it was reported as spam): the
    address is `state` and REP's letters are held, as tracking leaves them."""
    row = _row(session, letters[0])
    event = "spamreport" if state == "paused" else "bounce"
    session.add(
        ProviderEvent(
            sg_event_id=f"ev-{state}",
            batch_id=1,
            outbox_id=row.id,
            event=event,
            bounce_type=None if state == "paused" else "blocked",
            reason="550 5.7.1 rejected by policy" if state == "failing" else None,
            occurred_at=AT,
        )
    )
    session.add(
        AddressHealth(
            address=OFFICIAL,
            recipient_key=REP,
            state=state,
            blocks=1 if state == "failing" else 0,
            spam_reports=1 if state == "paused" else 0,
            last_reason="550 5.7.1 rejected by policy",
            last_event_at=AT,
            updated_at=AT,
        )
    )
    reason = "address failing" if state == "failing" else "spam report"
    hold_recipient(session, REP, reason, actor="tracking", now=AT)
    session.commit()


def _ids(client: TestClient, headers: dict[str, str], query: str) -> set[str]:
    response = client.get(f"/api/admin/representatives?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return {r["id"] for r in response.json()["representatives"]}


def test_failing_filter_outcomes_and_a_resume_that_keeps_a_failing_address_held(
    client: TestClient,
    session: Session,
    letters: list[Letter],
    organiser: dict[str, str],
) -> None:
    _reported(session, letters, "failing")
    assert _ids(client, organiser, "failing=true") == {REP}
    assert _ids(client, organiser, "paused=true") == set()
    assert _ids(client, organiser, "failing=true&chamber=fr-an") == set()
    detail = client.get(URL, headers=organiser).json()
    assert detail["address_state"] == "failing" and detail["held_reason"] == "address failing"
    assert detail["counts"] == {"queued": 2, "held": 2, "sent": 0, "failed": 0}
    [outcome] = detail["recent_outcomes"]
    assert outcome["event"] == "blocked" and outcome["reason"] == "550 5.7.1 rejected by policy"
    assert outcome["address"] == OFFICIAL

    # Paused, then resumed: the address still fails, so the letters stay held.
    assert client.patch(URL, json={"paused": True, "reason": "Check"}, headers=organiser).json()[
        "held_reason"
    ] == ("representative paused by the organisers")
    resumed = client.patch(URL, json={"paused": False}, headers=organiser)
    assert resumed.status_code == 200 and resumed.json()["held_reason"] == "address failing"
    assert {_row(session, letter).state for letter in letters} == {"held"}

    # The correction is what lets them go, to the new address.
    fixed = client.patch(
        URL, json={"email": NEW, "previous_email": OFFICIAL}, headers=organiser
    ).json()
    assert fixed["address_state"] == "ok" and fixed["held_reason"] is None
    rows = [_row(session, letter) for letter in letters]
    assert {(row.state, row.to_email) for row in rows} == {("queued", NEW)}
    assert _ids(client, organiser, "failing=true") == set()
    late = client.patch(URL, json={"email": NEW, "previous_email": OFFICIAL}, headers=organiser)
    assert late.status_code == 409 and "meanwhile" in late.json()["message"]


def test_a_correction_while_paused_keeps_letters_held_at_the_new_address(
    client: TestClient, session: Session, letters: list[Letter], organiser: dict[str, str]
) -> None:
    client.patch(URL, json={"paused": True, "reason": "Office moving"}, headers=organiser)
    assert client.patch(URL, json={"email": NEW}, headers=organiser).status_code == 200
    rows = [_row(session, letter) for letter in letters]
    assert {(row.state, row.to_email) for row in rows} == {("held", NEW)}
    assert recipient_hold(session, REP) == "representative paused by the organisers"
    client.patch(URL, json={"paused": False}, headers=organiser)
    rows = [_row(session, letter) for letter in letters]
    assert {(row.state, row.to_email) for row in rows} == {("queued", NEW)}


def test_a_spam_pause_is_lifted_from_the_representative_page(
    console: TestClient,
    clock: FakeClock,
    session: Session,
    make_person: MakePerson,
    letters: list[Letter],
    client: TestClient,
    organiser: dict[str, str],
) -> None:
    _reported(session, letters, "paused")
    assert _ids(client, organiser, "paused=true") == {REP}
    _signed_in(console, make_person(Role.organiser), clock)
    listing = console.get("/console/representatives?paused=on&name=byrne")
    assert "Paused after a spam report" in text_of(listing.text)
    page = console.get(f"/console/representatives/{REP}")
    text = text_of(page.text)
    assert "Recent provider outcomes" in text and "Reported as spam" in text
    assert "Resume letters" in text
    resumed = console.post(
        f"/console/representatives/{REP}/resume",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert resumed.status_code == 200
    assert {_row(session, letter).state for letter in letters} == {"queued"}
    health = session.get(AddressHealth, OFFICIAL)
    assert health is not None and health.state == "ok"
    again = console.post(
        f"/console/representatives/{REP}/resume", data={"csrf_token": csrf_token(page.text)}
    )
    assert again.status_code == 409
    assert "Letters to this representative are not paused." in text_of(again.text)
    french = console.get(f"/console/representatives/{REP}?lang=fr")
    assert "Derniers résultats du prestataire" in text_of(french.text)


def test_a_pause_that_outlasts_the_deadline_tells_the_writers(
    client: TestClient,
    session: Session,
    settings: Settings,
    letters: list[Letter],
    organiser: dict[str, str],
) -> None:
    client.patch(URL, json={"paused": True, "reason": "Recess"}, headers=organiser)
    campaign = session.get(Campaign, letters[0].campaign_id)
    assert campaign is not None
    after = campaign.deadline + timedelta(minutes=1)
    assert reject_missed(session, after, settings=settings) == 2
    for letter in letters:
        session.refresh(letter)
        assert letter.status == "rejected"
        notices = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.letter_id == letter.id, OutboxMessage.kind == MessageKind.notice
            )
        ).all()
        assert len(notices) == 1 and notices[0].to_email == letter.email
