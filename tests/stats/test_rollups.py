"""Every figure of the dashboard equals a direct count of the rows it counts, after letters
went through every path: submitted, confirmed, held, released, rejected, sent, delivered,
bounced, deferred, blocked, reported as spam, purged unconfirmed; and provider events that
matched nothing. Also: what a rolled-back transaction counted never lands."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, func, select

from service.campaigns.models import Campaign
from service.delivery.models import OutboxMessage
from service.letters.events import FUNNEL_STEPS
from service.letters.jobs import purge_expired
from service.letters.models import Letter, LetterEvent
from service.letters.review import Decision, decide
from service.letters.states import COUNTED, LetterStatus
from service.representatives.models import Representative
from service.stats import counting
from service.stats.figures import (
    campaign_figures,
    constituency_totals,
    counted_by_country,
    seat_totals,
)
from service.stats.health import delivery_health
from service.stats.models import DomainHour, LetterHour, LetterTally, QueuedLetters
from service.stats.rebuild import (
    direct_domains,
    direct_hours,
    direct_queue,
    direct_tally,
    rebuild,
)
from service.tracking.models import ProviderEvent
from tests.stats.conftest import FR_REP, UK_REP, Story, later, provider_event


def _campaign(session: Session) -> Campaign:
    campaign = session.exec(select(Campaign).where(Campaign.slug == "calais-border")).one()
    assert campaign.id is not None
    return campaign


def _hour(moment: datetime) -> datetime:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def _live_story(story: Story) -> None:
    """Letters through every path the counters must follow."""
    ids = [story.submit(UK_REP) for _ in range(5)] + [story.submit(FR_REP) for _ in range(3)]
    empty = story.submit(UK_REP, message="")  # held: no paragraph of their own
    copied = story.submit(FR_REP, message="")
    never = [story.submit(UK_REP) for _ in range(2)]  # never confirmed
    story.clock.advance(hours=1)
    for letter_id in [*ids, empty, copied]:
        story.confirm(letter_id)
    assert story.letter(empty).status == LetterStatus.held
    story.clock.advance(hours=1)
    decide(
        story.session,
        story.settings,
        empty,
        Decision.release,
        None,
        actor="person:1",
        now=story.clock.now(),
    )
    decide(
        story.session,
        story.settings,
        copied,
        Decision.reject,
        "Please write it yourself.",
        actor="person:1",
        now=story.clock.now(),
    )
    story.session.commit()
    sent = story.send_due(story.clock.now() + timedelta(days=3))
    assert len(sent) >= 6
    at = story.clock.now() + timedelta(days=3, minutes=5)
    events = [provider_event(row, "delivered", at) for row in sent[:4]]
    events += [
        provider_event(sent[4], "bounce", at, type="bounce", reason="550 no such user"),
        provider_event(sent[5], "deferred", at, response="try later"),
        provider_event(sent[0], "spamreport", at),
        provider_event(None, "delivered", at),  # matches nothing of ours
    ]
    if len(sent) > 6:
        events.append(provider_event(sent[6], "bounce", at, type="blocked", reason="blocked"))
    story.provider_says(events, at)
    # The same events again: duplicates count once.
    story.provider_says(events[:2], at)
    # The two never confirmed expire and are purged.
    purge_expired(story.session, later(24 * 30), settings=story.settings)
    assert all(story.session.get(Letter, letter_id) is None for letter_id in never)


def _check_every_figure(session: Session, now: datetime) -> None:
    campaign = _campaign(session)
    assert campaign.id is not None
    letters = session.exec(select(Letter).where(Letter.campaign_id == campaign.id)).all()
    reps = {r.id: r for r in session.exec(select(Representative)).all()}
    figures = campaign_figures(session, campaign.id, campaign.slug, now)

    # Status now, and per representative.
    by_status = Counter(str(letter.status) for letter in letters)
    assert {k: v for k, v in figures.status.items() if v} == dict(by_status)
    seats: dict[str, Counter[str]] = {}
    for letter in letters:
        seats.setdefault(letter.representative_id, Counter())[str(letter.status)] += 1
    assert {
        rep: {s: n for s, n in counts.items() if n}
        for rep, counts in seat_totals(session, campaign.id).items()
        if any(counts.values())
    } == {rep: dict(counts) for rep, counts in seats.items()}
    # Per seat (the maps and the per-constituency export), in all and for each chamber.
    by_seat: dict[str, Counter[str]] = {}
    for letter in letters:
        seat = reps[letter.representative_id].constituency_id
        by_seat.setdefault(seat, Counter())[str(letter.status)] += 1
    for chamber in (None, "uk-commons", "fr-an"):
        expected = {
            seat: dict(counts)
            for seat, counts in by_seat.items()
            if chamber is None
            or seat in {r.constituency_id for r in reps.values() if r.chamber_id == chamber}
        }
        assert {
            seat: {s: n for s, n in counts.items() if n}
            for seat, counts in constituency_totals(session, campaign.id, chamber).items()
            if any(counts.values())
        } == expected, chamber
    assert by_seat, "the story writes letters"

    # The funnel: letters that ever reached each step.
    ids = {letter.id for letter in letters}
    history = session.exec(select(LetterEvent).where(col(LetterEvent.letter_id).in_(ids))).all()
    reached: dict[str, set[str]] = {}
    for event in history:
        if event.to_status in FUNNEL_STEPS and event.from_status != event.to_status:
            reached.setdefault(event.to_status, set()).add(event.letter_id)
    funnel = figures.funnel
    assert funnel.submitted == len(letters)
    for step in FUNNEL_STEPS:
        assert getattr(funnel, str(step)) == len(reached.get(step, set())), step
    assert funnel.submitted >= funnel.confirmed >= funnel.sent >= funnel.delivered
    # Per day: the days add up to the funnel.
    for name in ("submitted", "confirmed", "sent", "delivered"):
        assert sum(getattr(day, name) for day in figures.days) == getattr(funnel, name)
    submitted_hours = Counter(_hour(letter.created_at) for letter in letters)
    shown = {p.start: p.submitted for p in figures.hours if p.submitted}
    assert shown == {h: n for h, n in submitted_hours.items() if h in shown}

    # Groups, own words, held.
    counted = [letter for letter in letters if letter.status in COUNTED]
    by_chamber = Counter(reps[letter.representative_id].chamber_id for letter in counted)
    assert {k: v.letters for k, v in figures.by_chamber.items() if v.letters} == dict(by_chamber)
    by_party = Counter(reps[letter.representative_id].party for letter in counted)
    assert {k: v.letters for k, v in figures.by_party.items() if v.letters} == dict(by_party)
    delivered = Counter(
        reps[x.representative_id].chamber_id for x in letters if x.status == "delivered"
    )
    assert {k: v.delivered for k, v in figures.by_chamber.items() if v.delivered} == dict(delivered)
    own = [x for x in counted if (x.hold_reason or "") not in ("empty", "campaign_text", "similar")]
    assert figures.personal.letters == len(counted)
    assert figures.personal.own_words == len(own)
    assert figures.personal.copies == sum(1 for x in counted if x.hold_reason == "similar")
    held = [x for x in letters if x.status == "held" and x.hold_reason != "returned"]
    assert figures.held.letters == len(held)
    country = counted_by_country(session, campaign.id)
    assert sum(country.values()) == len(counted)
    assert country["fr"] == sum(1 for x in counted if x.representative_id.startswith("fr-"))

    # Delivery health: per domain and window, against the provider's events themselves.
    health = delivery_health(session, now)
    rows = {
        row.id: row
        for row in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "letter"))
    }
    events = session.exec(select(ProviderEvent)).all()
    since = _hour(now) - timedelta(hours=23)
    for domain in health.domains:
        mine = [
            e
            for e in events
            if e.outbox_id in rows
            and rows[e.outbox_id].to_domain == domain.domain
            and e.occurred_at >= since
        ]
        kinds = Counter(
            "blocked" if e.event == "bounce" and e.bounce_type == "blocked" else e.event
            for e in mine
        )
        assert domain.day.delivered == kinds["delivered"]
        assert domain.day.bounced == kinds["bounce"]
        assert domain.day.blocked == kinds["blocked"]
        assert domain.day.deferred == kinds["deferred"]
        sent = [
            r
            for r in rows.values()
            if r.to_domain == domain.domain and r.sent_at and r.sent_at >= since
        ]
        assert domain.day.sent == len(sent)
    assert health.unmatched_events == sum(1 for e in events if e.outbox_id is None)
    assert health.spam_reports == sum(1 for e in events if e.event == "spamreport")

    # And the rollup tables as a whole equal the plain GROUP BY queries.
    _tables_equal_direct(session)


def _tables_equal_direct(session: Session) -> None:
    tally = Counter(
        {
            (t.campaign_id, t.representative_id, t.status, t.hold_reason): t.letters
            for t in session.exec(select(LetterTally)).all()
            if t.letters
        }
    )
    assert tally == +direct_tally(session)
    hours: Counter[tuple[int, datetime, str]] = Counter()
    for row in session.exec(select(LetterHour)).all():
        hours[(row.campaign_id, _hour(row.hour), row.step)] += row.letters
    assert +hours == +direct_hours(session)
    domains: dict[tuple[str, datetime, str], list[float]] = {}
    for d in session.exec(select(DomainHour)).all():
        found = domains.setdefault((d.domain, _hour(d.hour), d.event), [0, 0, 0.0])
        found[0] += d.events
        found[1] += d.timed
        found[2] += d.seconds
    direct = direct_domains(session)
    assert {k: (v[0], v[1]) for k, v in domains.items() if v[0]} == {
        k: (v[0], v[1]) for k, v in direct.items()
    }
    for key, (_n, _t, seconds) in direct.items():
        assert abs(domains[key][2] - seconds) < 1.0
    queued = Counter(
        {
            (q.campaign_id, q.representative_id): q.letters
            for q in session.exec(select(QueuedLetters))
        }
    )
    assert +queued == +direct_queue(session)


def test_every_figure_equals_a_direct_count(story: Story) -> None:
    _live_story(story)
    now = story.clock.now() + timedelta(days=3, minutes=10)
    _check_every_figure(story.session, now)
    # Rebuilding from the rows changes nothing.
    rebuild(story.session)
    story.session.commit()
    _check_every_figure(story.session, now)


def test_what_a_rolled_back_transaction_counted_never_lands(story: Story) -> None:
    letter_id = story.submit(UK_REP)
    session = story.session
    before = +direct_tally(session)
    letter = story.letter(letter_id)
    session.begin_nested()
    counting.letters_changed(
        session,
        [
            counting.LetterChange(
                letter_id=letter.id,
                campaign_id=letter.campaign_id,
                representative_id=letter.representative_id,
                at=letter.created_at,
                created_at=letter.created_at,
                before=("pending_confirmation", None),
                after=("confirmed", None),
                reached="confirmed",
            )
        ],
    )
    session.rollback()  # the savepoint only
    session.commit()
    _tables_equal_direct(session)
    assert +direct_tally(session) == before
    count = session.exec(select(func.count()).select_from(LetterHour)).one()
    assert count >= 1
