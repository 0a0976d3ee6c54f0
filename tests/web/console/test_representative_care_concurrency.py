"""Two organisers correct one representative's address at the same moment (PostgreSQL, where
several processes share the database), each from the address they saw: one wins cleanly, the
other is told someone changed it meanwhile, and the queued letter goes to the winner's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from service.accounts.audit import Actor
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.config import Settings
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.errors import Conflict
from service.letters.models import Letter
from service.letters.schemas import LetterIn
from service.letters.service import confirm_letter, submit_letter
from service.representatives.models import Representative, RepresentativeCare
from service.web import representative_care
from tests.letters.conftest import (
    UK_REP,
    confirm_token_in,
    delete_committed_letters,
    personal_paragraph,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
EMAIL = "two.organisers@example.org"
TARGET = f"representative:{UK_REP}"


@pytest.fixture
def queued_letter(engine: Engine, settings: Settings) -> Iterator[tuple[str, str]]:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's; SQLite serialises them")
    data = LetterIn(
        campaign="calais-border",
        representative_id=UK_REP,
        name="Address Race",
        email=EMAIL,
        postcode="B34 7AA",
        address="3 Race Road",
        demands=[1],
        message=personal_paragraph(4242),
        consent=True,
    )
    with Session(engine, expire_on_commit=False) as session:
        official = session.get(Representative, UK_REP)
        assert official is not None
        original = (official.email, official.updated_at)
        seen = official.email
        letter_id = str(submit_letter(session, settings, data, client_ip=None, now=NOW).id)
        [mail] = session.exec(select(OutboxMessage).where(OutboxMessage.letter_id == letter_id))
        assert confirm_letter(session, settings, confirm_token_in(mail), now=NOW).status == "queued"
    yield letter_id, seen or ""
    with Session(engine) as session:
        session.exec(delete(AuditEntry).where(col(AuditEntry.target) == TARGET))
        session.exec(
            delete(RepresentativeCare).where(col(RepresentativeCare.representative_id) == UK_REP)
        )
        rep = session.get(Representative, UK_REP)
        assert rep is not None
        rep.email, rep.updated_at = original
        session.add(rep)
        session.commit()
    delete_committed_letters(
        engine, col(Letter.email_key) == EMAIL, counters_since=NOW.replace(hour=0)
    )


def test_two_organisers_correct_one_address_at_once(
    engine: Engine, settings: Settings, queued_letter: tuple[str, str]
) -> None:
    letter_id, seen = queued_letter
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def correct(n: int) -> None:
        actor = Actor(id=f"organiser-{n}", email=f"o{n}@example.org", role=Role.organiser)
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                representative_care.correct_email(
                    session,
                    settings,
                    actor,
                    UK_REP,
                    f"office{n}@parliament.uk",
                    "test",
                    NOW,
                    previous_email=seen,
                )
                result = f"corrected {n}"
            except Conflict as exc:
                result = exc.message
            except Exception as exc:  # anything else would be a 500
                result = repr(exc)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=correct, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [won] = [o for o in outcomes if o.startswith("corrected")]
    [lost] = [o for o in outcomes if not o.startswith("corrected")]
    assert lost.startswith("Someone changed this address meanwhile")
    with Session(engine) as session:
        rep = session.get(Representative, UK_REP)
        assert rep is not None and rep.email == f"office{won[-1]}@parliament.uk"
        [row] = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.letter_id == letter_id, OutboxMessage.kind == MessageKind.letter
            )
        )
        assert row.to_email == rep.email and row.state == "queued"
        # Only the winner's change is in the log; the refused one wrote nothing.
        entries = session.exec(select(AuditEntry).where(AuditEntry.target == TARGET)).all()
        assert len(entries) == 1
