"""Retention and erasure of supporters' personal data: afterwards no table holds anything
about the address (every text column of every table is searched), and the counts are the
same as before."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import JSON, LargeBinary, String, Text, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

import service.models  # noqa: F401  (every table, to search them all)
from service.campaigns.models import Campaign
from service.clock import FakeClock
from service.config import Settings
from service.letters import guards, privacy
from service.letters.consent import ConsentRecord
from service.letters.models import Letter, LetterEvent, RateLimitCounter
from service.letters.tokens import keyed_hash
from tests.letters.conftest import FR_REP, LetterData, confirm_token_in, outbox_for


def _write(api: TestClient, data: dict[str, object]) -> str:
    response = api.post("/api/letters", json=data)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _found_in(session: Session, *needles: str) -> list[str]:
    """`table.column` for every text column, in every table, holding one of the needles."""
    hits = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON | LargeBinary):
                continue
            as_text = (
                func.lower(func.cast(column, Text))
                if not isinstance(column.type, LargeBinary)
                else None
            )
            if as_text is None:
                continue
            condition = or_(*(as_text.contains(needle.lower()) for needle in needles))
            count = session.scalar(sa_select(func.count()).select_from(table).where(condition))
            if count:
                hits.append(f"{table.name}.{column.name}")
    return hits


def _aggregates(session: Session) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    letters = Counter(
        (letter.representative_id, str(letter.campaign_id))
        for letter in session.exec(select(Letter))
    )
    reached = Counter(e.to_status for e in session.exec(select(LetterEvent)))
    return letters, reached


def _supporter(letter_data: LetterData, **more: object) -> dict[str, object]:
    return letter_data(
        name="Zoé Quillfeather",
        email="Zoe.Quill@Example.org",
        postcode="B34 7QZ",
        address="17 Quillfeather Lane, Birmingham",
        **more,
    )


def test_erasure_leaves_nothing_about_the_address_and_keeps_the_counts(
    api: TestClient,
    session: Session,
    settings: Settings,
    clock: FakeClock,
    letter_data: LetterData,
) -> None:
    first = _write(api, _supporter(letter_data))
    confirm = confirm_token_in(outbox_for(session, first)[0])
    assert api.get(f"/confirm/{confirm}").json()["status"] == "queued"
    second = _write(api, _supporter(letter_data, representative_id=FR_REP, lang="fr"))
    other = _write(api, letter_data())
    # Each submission recorded the consent wording its supporter ticked.
    assert len(_consents(session, first, second)) == 2
    needles = ("zoe.quill@example.org", "Quillfeather", "B34 7QZ")
    assert _found_in(session, *needles)  # the search does find them before
    key = keyed_hash(settings.secret_key, "rate:letters-email", "zoe.quill@example.org")
    assert session.get(RateLimitCounter, ("letters-email", key, _window(session, key)))
    letters_before, reached_before = _aggregates(session)

    report = privacy.erase_address(
        session, settings, " ZOE.quill@example.org ", clock.now(), actor="person:1"
    )
    session.commit()

    assert report.letters == 2 and report.consent_records == 2 and report.rate_limit_counters == 1
    assert report.outbox_rows >= 3  # two confirmations and the queued letter
    assert _found_in(session, *needles) == []
    letters_after, reached_after = _aggregates(session)
    assert letters_after == letters_before
    # Every step each letter reached is still counted; the two erased letters that were on
    # their way are withdrawn (one more "rejected" each).
    assert reached_after - reached_before == Counter({"rejected": 2})
    assert all(reached_after[s] >= n for s, n in reached_before.items())
    # The letter to the representative will not go; the confirmation link is dead.
    assert {m.state for m in outbox_for(session, first)} == {"cancelled"}
    assert api.get(f"/confirm/{confirm}").status_code in (404, 410)
    # Someone else's letter is untouched.
    assert session.get(Letter, other).email.startswith("alex")  # type: ignore[union-attr]
    # Erasing again finds nothing more to do.
    again = privacy.erase_address(
        session, settings, "zoe.quill@example.org", clock.now(), actor="person:1"
    )
    assert again == privacy.ErasureReport(0, 0, 0, 0)


def _window(session: Session, key: str):  # type: ignore[no-untyped-def]
    row = session.exec(select(RateLimitCounter).where(RateLimitCounter.key_hash == key)).one()
    return row.window_start


def test_retention_scrubs_after_the_deadline_once_and_keeps_the_counts(
    api: TestClient,
    session: Session,
    settings: Settings,
    clock: FakeClock,
    letter_data: LetterData,
) -> None:
    letter_id = _write(api, _supporter(letter_data))
    api.get(f"/confirm/{confirm_token_in(outbox_for(session, letter_id)[0])}")
    campaign = session.exec(select(Campaign).where(Campaign.slug == "calais-border")).one()
    deadline = campaign.deadline
    keep = timedelta(days=settings.privacy.retention_days_after_deadline)
    letters_before, reached_before = _aggregates(session)

    assert (
        privacy.scrub_after_retention(session, settings, deadline + keep - timedelta(hours=1)) == 0
    )
    assert _found_in(session, "Quillfeather")
    scrubbed = privacy.scrub_after_retention(session, settings, deadline + keep)
    assert scrubbed >= 1
    assert _found_in(session, "zoe.quill@example.org", "Quillfeather", "B34 7QZ") == []
    assert privacy.scrub_after_retention(session, settings, deadline + keep) == 0
    assert _aggregates(session) == (letters_before, reached_before)
    letter = session.get(Letter, letter_id)
    assert letter is not None and letter.message == "" and letter.status == "queued"


def test_export_holds_the_letters_and_consent(
    api: TestClient,
    session: Session,
    settings: Settings,
    clock: FakeClock,
    letter_data: LetterData,
) -> None:
    letter_id = _write(api, _supporter(letter_data))
    session.add(
        ConsentRecord(
            letter_id=letter_id, wording_version="2026-11-27", lang="en", ticked_at=clock.now()
        )
    )
    session.commit()
    data = privacy.export_address(session, "zoe.quill@example.org")
    assert [entry["id"] for entry in data["letters"]] == [letter_id]
    assert data["letters"][0]["address"] == "17 Quillfeather Lane, Birmingham"
    assert data["letters"][0]["history"][0]["status"] == "pending_confirmation"
    assert data["consent"][0]["wording_version"] == "2026-11-27"
    assert data["emails"][0]["kind"] == "confirmation"
    assert privacy.export_address(session, "nobody@example.org")["letters"] == []


def test_ip_hashes_rotate_by_month() -> None:
    december = datetime(2026, 12, 3, tzinfo=UTC)
    first = guards.ip_hash("k" * 40, "192.0.2.1", december)
    assert first == guards.ip_hash("k" * 40, "192.0.2.1", december + timedelta(days=20))
    assert first != guards.ip_hash("k" * 40, "192.0.2.1", december + timedelta(days=40))
    assert "192.0.2.1" not in first


def _consents(session: Session, *letter_ids: str) -> list[ConsentRecord]:
    query = select(ConsentRecord).where(col(ConsentRecord.letter_id).in_(letter_ids))
    return list(session.exec(query).all())
