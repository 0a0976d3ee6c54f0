"""The deadline projection's queued letters per representative (QueuedLetters, kept as rows
join and leave the queue) equal a direct count of the outbox after every path a row can
take: queued at confirmation, claimed by a worker, given back unsent, sent, held with its
representative and released (re-slotted), re-slotted after a settings change, readdressed,
cancelled, expired; what a rolled-back savepoint moved never lands; and `repmail db
rebuild-stats` (rebuild) puts drifted counts right. The projection's last slot and late
slots are held against the rows too."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, delete, select

from service.campaigns.models import Campaign
from service.delivery import queue, recipients
from service.delivery import service as delivery
from service.delivery.models import OutboxMessage
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.letters.hooks import tell_letters
from service.letters.plan import campaign_plans, replan_campaign
from service.letters.recipient_changes import queue_pacing
from service.stats.models import QueuedLetters
from service.stats.rebuild import direct_queue, rebuild
from tests.stats.conftest import FR_REP, UK_REP, Story

SLUG = "calais-border"


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _queued_rows(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboxMessage).where(
                OutboxMessage.kind == MessageKind.letter,
                OutboxMessage.state == OutboxState.queued,
                col(OutboxMessage.pace_key).is_not(None),
            )
        ).all()
    )


def _counters(session: Session) -> Counter[tuple[int, str]]:
    return +Counter(
        {
            (q.campaign_id, q.representative_id): q.letters
            for q in session.exec(select(QueuedLetters))
        }
    )


def _check(story: Story) -> dict[str, int]:
    """The counters and the projection against the outbox rows themselves; returns the
    letters queued per representative."""
    session, now = story.session, story.clock.now()
    rows = _queued_rows(session)
    direct = Counter((row.campaign_id, row.pace_key or "") for row in rows)
    assert _counters(session) == direct
    assert +direct_queue(session) == direct
    [plan] = campaign_plans(session, story.settings.delivery, now, slug=SLUG)
    expected: dict[str, tuple[int, datetime | None, int]] = {}
    for row in rows:
        key = row.pace_key or ""
        queued, last, late = expected.get(key, (0, None, 0))
        slot = _aware(row.not_before)
        expected[key] = (
            queued + 1,
            max(filter(None, (last, slot)), default=None),
            late + (1 if slot is not None and slot >= plan.plan_before else 0),
        )
    assert {r.key: (r.queued, r.last_slot, r.late) for r in plan.representatives} == expected
    assert plan.queued == len(rows)
    return {key: queued for key, (queued, _last, _late) in expected.items()}


def _campaign(session: Session) -> Campaign:
    return session.exec(select(Campaign).where(Campaign.slug == SLUG)).one()


def test_queued_letters_follow_every_move_of_the_queue(story: Story) -> None:
    session, settings, clock = story.session, story.settings, story.clock
    for rep in (UK_REP, UK_REP, UK_REP, UK_REP, FR_REP, FR_REP):
        story.confirm(story.submit(rep))
    assert _check(story) == {UK_REP: 4, FR_REP: 2}

    # A worker claims every due row; gives one back unsent (shutdown) and sends the rest.
    at = clock.now() + timedelta(days=3)
    jobs = queue.claim(session, worker_id="w1", limit=500, now=at, lease_seconds=60)
    session.commit()
    letters = [job for job in jobs if job.email.kind == MessageKind.letter]
    assert len(letters) == 6 and _check(story) == {}
    assert queue.release(session, letters[:1], worker_id="w1", now=at) == 1
    session.commit()
    assert sum(_check(story).values()) == 1
    queue.record(
        session,
        [queue.Outcome(job, provider_message_id=uuid.uuid4().hex) for job in letters[1:]],
        worker_id="w1",
        backend="memory",
        now=at,
        settings=settings.delivery,
        rng=random.Random(1),
        on_sent=tell_letters,
    )
    session.commit()
    assert sum(_check(story).values()) == 1

    # More letters; the UK representative paused (held) and resumed (re-slotted).
    for rep in (UK_REP, UK_REP, FR_REP):
        story.confirm(story.submit(rep))
    before = _check(story)
    assert recipients.hold_recipient(session, UK_REP, "paused", actor="t", now=clock.now()) >= 2
    session.commit()
    assert UK_REP not in _check(story)
    pacing = queue_pacing(session, settings, UK_REP)
    released = recipients.release_recipient(
        session, UK_REP, actor="t", now=clock.now(), pacing=pacing
    )
    session.commit()
    assert released >= 2 and _check(story) == before

    # Re-slotted after the pace changed; a corrected address moves nothing in the counts.
    campaign = _campaign(session)
    campaign.letters_per_hour = 1
    session.add(campaign)
    replan_campaign(session, campaign, settings.delivery, clock.now())
    session.commit()
    assert _check(story) == before
    recipients.readdress_recipient(
        session, FR_REP, _queued_rows(session)[0].to_email, "new@example.org", actor="t",
        now=clock.now(),
    )  # fmt: skip
    session.commit()
    assert _check(story) == before

    # The deadline so near that some slots are late: the projection says which.
    campaign = _campaign(session)
    campaign.deadline = clock.now() + timedelta(hours=2)
    session.add(campaign)
    session.commit()
    [plan] = campaign_plans(session, settings.delivery, clock.now(), slug=SLUG)
    assert any(rep.late for rep in plan.representatives)
    _check(story)

    # One cancelled; what a rolled-back savepoint held never lands.
    first = _queued_rows(session)[0]
    delivery.cancel(session, first.id, "withdrawn", now=clock.now())
    session.commit()
    after_cancel = _check(story)
    assert sum(after_cancel.values()) == sum(before.values()) - 1
    session.begin_nested()
    recipients.hold_recipient(session, FR_REP, "spam report", actor="t", now=clock.now())
    session.rollback()
    session.commit()
    assert _check(story) == after_cancel

    # Past the deadline the rest expire.
    queue.reap(session, now=clock.now() + timedelta(days=60), settings=settings.delivery, actor="t")
    session.commit()
    assert _check(story) == {}


def test_rebuild_puts_drifted_counts_right(story: Story) -> None:
    session = story.session
    for rep in (UK_REP, FR_REP, FR_REP):
        story.confirm(story.submit(rep))
    expected = _check(story)
    # Something wrote around the listeners: a count lost, another made up.
    session.exec(delete(QueuedLetters).where(col(QueuedLetters.representative_id) == FR_REP))
    session.add(
        QueuedLetters(campaign_id=_campaign(session).id or 0, representative_id="x", letters=3)
    )
    session.commit()
    assert _counters(session) != +direct_queue(session)
    rebuild(session)
    session.commit()
    assert _check(story) == expected
