"""Confirmed letters against the campaign's deadline: the projection staff read (`repmail
delivery plan`), the pace raised to make the deadline (and the warning when even the ceiling
cannot), re-slotting after a settings change or a pause, and concurrent confirmations on
PostgreSQL never booking the same slot."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from service.campaigns.models import Campaign
from service.clock import FakeClock
from service.config import Settings
from service.delivery import switches
from service.delivery.models import DeliveryPace, OutboxMessage
from service.delivery.schemas import MessageKind
from service.letters.models import Letter
from service.letters.plan import CampaignPlan, campaign_plans, repace_overdue, replan_campaign
from service.letters.plan_view import render_plan
from service.letters.schemas import LetterIn
from service.letters.service import confirm_letter, submit_letter
from tests.letters.conftest import (
    FR_REP,
    START,
    UK_REP,
    LetterData,
    confirm_token_in,
    delete_committed_letters,
    outbox_for,
    personal_paragraph,
)

MINUTE = timedelta(minutes=1)


def _confirm(api: TestClient, session: Session, data: dict[str, object]) -> str:
    letter_id = api.post("/api/letters", json=data).json()["id"]
    token = confirm_token_in(outbox_for(session, letter_id)[0])
    assert api.get(f"/confirm/{token}").json()["status"] == "queued"
    return str(letter_id)


def _letter_row(session: Session, letter_id: str) -> OutboxMessage:
    return next(m for m in outbox_for(session, letter_id) if m.kind == MessageKind.letter)


def _campaign(session: Session, **changes: object) -> Campaign:
    campaign = session.exec(select(Campaign).where(Campaign.slug == "calais-border")).one()
    for name, value in changes.items():
        setattr(campaign, name, value)
    session.add(campaign)
    session.flush()
    return campaign


def _plan(session: Session, settings: Settings, clock: FakeClock) -> CampaignPlan:
    [plan] = campaign_plans(session, settings.delivery, clock.now(), slug="calais-border")
    return plan


def test_the_plan_of_a_campaign_on_time(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    for _ in range(3):
        _confirm(api, session, letter_data())
    _confirm(api, session, letter_data(representative_id=FR_REP, postcode="91300"))
    plan = _plan(session, settings, clock)
    assert (plan.queued, len(plan.representatives)) == (4, 2)
    assert plan.worst is not None and plan.worst.key == UK_REP and plan.worst.queued == 3
    assert plan.last_send == clock.now() + 4 * MINUTE
    assert plan.raised == [] and plan.late == []
    text = render_plan(plan, clock.now())
    assert text.splitlines() == [
        "calais-border: deadline 2026-12-18 09:00 Europe/Paris (2026-12-18 08:00 UTC); "
        "every letter planned before 2026-12-18 07:30 UTC",
        "  settings: 30 letters/h per representative, round the clock; "
        "ceiling 120 per representative per 24 h",
        "  queued: 4 letters to 2 representatives",
        "  worst case: Liam Byrne (uk-1171), 3 letters at 30/h, last at 2026-11-27 12:04 UTC",
        "  projected last send: 2026-11-27 12:04 UTC, 20 d 19 h 56 min before the deadline",
        "  pace used: 30/h (as configured)",
    ]


def test_the_plan_shows_a_raised_pace(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    _campaign(session, letters_per_hour=1, deadline=clock.now() + timedelta(hours=4))
    for _ in range(8):
        _confirm(api, session, letter_data())
    plan = _plan(session, settings, clock)
    [raised] = plan.raised
    assert raised.key == UK_REP and 1 < raised.per_hour <= 5
    assert plan.late == [] and plan.last_send is not None
    assert plan.last_send < clock.now() + timedelta(hours=3, minutes=30)
    text = render_plan(plan, clock.now())
    pace = f"{raised.per_hour:.1f}".removesuffix(".0")
    assert f"raised to make the deadline for 1 representative(s), up to {pace}/h" in text
    assert "WARNING" not in text


def test_the_plan_warns_when_even_the_ceiling_cannot_make_it(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    tight = settings.model_copy(
        update={
            "delivery": settings.delivery.model_copy(update={"daily_ceiling_per_representative": 5})
        }
    )
    _campaign(session, deadline=clock.now() + timedelta(hours=4))
    for _ in range(8):
        letter_id = api.post("/api/letters", json=letter_data()).json()["id"]
        token = confirm_token_in(outbox_for(session, letter_id)[0])
        assert confirm_letter(session, tight, token, now=clock.now()).status == "queued"
    plan = _plan(session, tight, clock)
    [late] = plan.late
    assert (late.key, late.queued, late.late, late.ceiling_cannot) == (UK_REP, 8, 3, True)
    text = render_plan(plan, clock.now())
    assert "AFTER the deadline" in text
    assert (
        "  WARNING: even at the daily ceiling, 3 letter(s) to 1 representative(s) cannot be "
        "sent before the deadline; they will not be sent, and their writers will be told:"
    ) in text
    assert "    Liam Byrne (uk-1171): 3 of 8 late" in text


def test_a_settings_change_is_applied_by_re_slotting(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    campaign = _campaign(session, letters_per_hour=1)
    ids = [_confirm(api, session, letter_data()) for _ in range(10)]
    assert _letter_row(session, ids[-1]).not_before == clock.now() + timedelta(hours=9)
    # The organisers move the deadline: six letters are now planned too late, but a
    # faster pace (up to the ceiling's 5 an hour) can still make it.
    _campaign(session, deadline=clock.now() + timedelta(hours=4))
    plan = _plan(session, settings, clock)
    assert sum(rep.late for rep in plan.late) == 6 and not plan.late[0].ceiling_cannot
    assert "plan --apply" in render_plan(plan, clock.now())
    [result] = replan_campaign(session, campaign, settings.delivery, clock.now())
    assert result.raised and result.late == 0 and result.queued == 10
    assert _plan(session, settings, clock).late == []
    last = _letter_row(session, ids[-1]).not_before
    assert last is not None and last < clock.now() + timedelta(hours=3, minutes=30)


def test_letters_overdue_after_a_pause_resume_at_their_pace(
    api: TestClient, session: Session, settings: Settings, clock: FakeClock, letter_data: LetterData
) -> None:
    ids = [_confirm(api, session, letter_data()) for _ in range(4)]
    switches.pause(session, reason="a complaint", now=clock.now())
    later = clock.advance(hours=2)
    assert repace_overdue(session, settings.delivery, later) == 0  # not while paused
    switches.resume(session, now=later)
    assert repace_overdue(session, settings.delivery, later) == 1
    slots = [_letter_row(session, i).not_before for i in ids]
    assert slots == [later + n * 2 * MINUTE for n in range(4)]
    assert repace_overdue(session, settings.delivery, later) == 0


EMAIL_DOMAIN = "concurrent-pacing.example"


@pytest.fixture
def committed(engine: Engine) -> Iterator[None]:
    """Concurrent confirmations need committed letters; removed afterwards."""
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's; SQLite serialises them")
    yield
    delete_committed_letters(
        engine,
        col(Letter.email_key).endswith(EMAIL_DOMAIN),
        counters_since=START.replace(hour=0),
    )
    with Session(engine) as session:
        session.exec(delete(DeliveryPace).where(col(DeliveryPace.key) == UK_REP))
        session.commit()


def test_concurrent_confirmations_never_book_the_same_slot(
    engine: Engine, settings: Settings, committed: None
) -> None:
    tokens = []
    with Session(engine, expire_on_commit=False) as session:
        for n in range(8):
            data = LetterIn(
                campaign="calais-border",
                representative_id=UK_REP,
                name=f"Concurrent {n}",
                email=f"writer{n}@{EMAIL_DOMAIN}",
                postcode="B34 7AA",
                address=f"{n} Parallel Street",
                demands=[1],
                message=personal_paragraph(9000 + n),
                consent=True,
            )
            letter_id = submit_letter(session, settings, data, client_ip=None, now=START).id
            tokens.append(confirm_token_in(outbox_for(session, letter_id)[0]))
    start = threading.Barrier(len(tokens))
    outcomes: list[str] = []

    def confirm(token: str) -> None:
        with Session(engine, expire_on_commit=False) as session:
            start.wait()
            try:
                outcomes.append(str(confirm_letter(session, settings, token, now=START).status))
            except Exception as exc:  # anything else would be a 500
                outcomes.append(repr(exc))

    threads = [threading.Thread(target=confirm, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["queued"] * len(tokens)
    with Session(engine) as session:
        slots = sorted(
            slot
            for slot in session.exec(
                select(OutboxMessage.not_before)
                .join(Letter, col(Letter.id) == OutboxMessage.letter_id)
                .where(
                    col(Letter.email_key).endswith(EMAIL_DOMAIN),
                    OutboxMessage.kind == MessageKind.letter,
                )
            ).all()
            if slot is not None
        )
    assert slots == [START + n * 2 * MINUTE for n in range(len(tokens))]
