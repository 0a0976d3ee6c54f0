"""Two moderators decide on the same held letter at the same moment (PostgreSQL, where
several processes share the database): exactly one decision counts, the other is told what
happened, and the audit log has one entry."""

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
from service.letters.models import Letter
from service.letters.review import AlreadyDecided, Decision
from service.letters.schemas import LetterIn
from service.letters.service import submit_letter
from service.letters.states import HoldReason, LetterStatus
from service.web import moderation
from tests.letters.conftest import UK_REP, delete_committed_letters

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
EMAIL = "two.moderators@example.org"


@pytest.fixture
def held_letter(engine: Engine, settings: Settings) -> Iterator[str]:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's; SQLite serialises them")
    data = LetterIn(
        campaign="calais-border",
        representative_id=UK_REP,
        name="Held Twice",
        email=EMAIL,
        postcode="B34 7AA",
        address="2 Race Road",
        demands=[1],
        message="",
        consent=True,
    )
    with Session(engine, expire_on_commit=False) as session:
        letter_id = submit_letter(session, settings, data, client_ip=None, now=NOW).id
        letter = session.get(Letter, letter_id)
        assert letter is not None
        letter.status = LetterStatus.held
        letter.hold_reason = HoldReason.empty
        session.add(letter)
        session.commit()
    yield str(letter_id)
    with Session(engine) as session:
        session.exec(delete(AuditEntry).where(col(AuditEntry.target) == f"letter:{letter_id}"))
        session.commit()
    delete_committed_letters(
        engine, col(Letter.email_key) == EMAIL, counters_since=NOW.replace(hour=0)
    )


@pytest.mark.parametrize("second", [Decision.reject, Decision.return_, Decision.release])
def test_two_moderators_at_once_one_decision_counts(
    engine: Engine, settings: Settings, held_letter: str, second: Decision
) -> None:
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def decide(n: int, decision: Decision) -> None:
        actor = Actor(id=f"moderator-{n}", email=f"m{n}@example.org", role=Role.moderator)
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                outcome = moderation.decide(
                    session, settings, actor, held_letter, decision, "Not your words.", NOW
                )
                result = f"decided:{outcome.status}"
            except AlreadyDecided as exc:
                result = f"refused:{exc.status}"
            except Exception as exc:  # anything else would be a 500
                result = repr(exc)
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=decide, args=(1, Decision.release)),
        threading.Thread(target=decide, args=(2, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    decided = [o for o in outcomes if o.startswith("decided:")]
    refused = [o for o in outcomes if o.startswith("refused:")]
    assert len(decided) == 1 and len(refused) == 1, outcomes
    with Session(engine) as session:
        letter = session.get(Letter, held_letter)
        assert letter is not None
        assert decided[0] == f"decided:{letter.status}"
        assert refused[0] == f"refused:{letter.status}"
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.target == f"letter:{held_letter}")
        ).all()
        assert len(entries) == 1
