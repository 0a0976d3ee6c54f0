"""Dashboard benchmark: every figure of the control room read from the rollups, against the
same figures computed by plain GROUP BY queries over the letters and events tables, on
PostgreSQL with a campaign's worth of data.

    .venv/bin/python bench/stats.py [--letters 1000000] [--events 5000000] [--runs 40]
                                    [--naive-runs 5] [--postgres-url URL] [--keep]

A scratch database is created on 127.0.0.1:5432 (dropped afterwards unless --keep), migrated,
the bundled representatives (1,227) and the seeded campaign loaded. Then, by INSERT ...
SELECT generate_series, it gets --letters letters over every representative and the last 14
days, in every status (pending, expired, rejected, held, queued, sent, delivered, bounced),
their status history (letter_event), an outbox row for each letter that reached the queue,
and --events provider events on the rows sent (processed, delivered, bounce, blocked,
deferred, opens, spam reports, and events that matched nothing). The rollups are filled the
way the migration backfills them (service.stats.rebuild), timed.

Timed (--runs each, p50 and p95 in ms): every figure the control room reads, the public
counters, the deadline projection, and the pages: GET /api/admin/stats (staff token), GET
/console/control-room and both GET /console/maps (staff session) and the public campaign
page, each asked of `repmail serve` (a process of its own, as in production, started on
the scratch database once its start-up work is over) over one kept-alive connection: what
a browser waits for, the network aside. In the same run, the
same figures by naive GROUP BY queries (--naive-runs each), and a naive page: all of them in
a row. Printed: both, the ratio, whether each figure equals its naive twin; goals: every page
p95 <= 200 ms, and >= 10x faster than the naive queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from scratch import (  # noqa: E402
    create_scratch_database,
    drop_database,
    free_port,
    start,
    stop,
    wait_until_idle,
)
from sqlmodel import Session  # noqa: E402

from service.accounts import credentials, service, signin  # noqa: E402
from service.accounts.audit import CLI_ACTOR, Actor  # noqa: E402
from service.accounts.roles import Role  # noqa: E402
from service.bootstrap import prepare_database  # noqa: E402
from service.config import Environment, Settings  # noqa: E402
from service.db import create_db_engine  # noqa: E402
from service.letters.plan import campaign_plans  # noqa: E402
from service.stats.figures import (  # noqa: E402
    COUNTED,
    NOT_OWN_WORDS,
    campaign_figures,
    constituency_totals,
    counted_by_country,
    seat_totals,
)
from service.stats.health import delivery_health  # noqa: E402
from service.stats.rebuild import direct_domains, direct_hours, rebuild  # noqa: E402
from service.web.dashboard import control_room  # noqa: E402

PASSWORD = "bench-password-long-enough-1"
ROLLUPS = ("stats_letter_tally", "stats_letter_hour", "stats_domain_hour", "stats_queued_letters")
SLUG = "calais-border"


# ---------------------------------------------------------------- data
LETTERS_SQL = """
INSERT INTO letter (id, campaign_id, representative_id, status, language, ui_lang, name, email,
  email_key, postcode, address, message, demands, subject, subject_is_own, consent_at, updates,
  hold_reason, similarity, fingerprint, confirm_token_hash, confirm_expires_at,
  confirmation_sent_at, confirmed_at, created_at, updated_at)
SELECT md5('l' || g), :campaign, reps.id,
  CASE WHEN r < 40 THEN 'pending_confirmation' WHEN r < 60 THEN 'expired'
       WHEN r < 80 THEN 'rejected' WHEN r < 110 THEN 'held' WHEN r < 310 THEN 'queued'
       WHEN r < 460 THEN 'sent' WHEN r < 960 THEN 'delivered' ELSE 'bounced' END,
  'en', 'en', 'Bench Writer', 'w' || g || '@example.org', 'w' || g || '@example.org',
  'B34 7AA', '1 Bench Street', 'A paragraph of my own about the summit.', '1,2',
  'The summit', false, created, false,
  CASE WHEN r >= 80 AND r < 110 THEN (CASE WHEN g % 2 = 0 THEN 'similar' ELSE 'empty' END)
       WHEN g % 17 = 0 AND r >= 110 THEN 'similar' END,
  0.0, '\\x00'::bytea, md5('t' || g), created + interval '2 days', created,
  CASE WHEN r >= 80 THEN created + interval '1 hour' END, created, created
FROM (
  SELECT g, (g::bigint * 7919) % 1000 AS r,
         :start + (g::bigint * :span / :total) * interval '1 second' AS created,
         g % (SELECT count(*) FROM representative) AS k
  FROM generate_series(0, :total - 1) AS g
) AS s
JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM representative) AS reps
  ON reps.k = s.k
"""

EVENTS_SQL = """
INSERT INTO letter_event (letter_id, at, from_status, to_status, actor)
SELECT id, created_at, NULL, 'pending_confirmation', 'supporter' FROM letter
UNION ALL SELECT id, created_at + interval '1 hour', 'pending_confirmation', 'confirmed',
  'supporter' FROM letter WHERE status IN ('held','queued','sent','delivered','bounced')
UNION ALL SELECT id, created_at + interval '1 hour', 'confirmed', 'held', 'system'
  FROM letter WHERE status = 'held'
UNION ALL SELECT id, created_at + interval '1 hour', 'confirmed', 'queued', 'supporter'
  FROM letter WHERE status IN ('queued','sent','delivered','bounced')
UNION ALL SELECT id, created_at + interval '2 hours', 'queued', 'sent', 'system'
  FROM letter WHERE status IN ('sent','delivered','bounced')
UNION ALL SELECT id, created_at + interval '2 hours 5 minutes', 'sent', status, 'provider'
  FROM letter WHERE status IN ('delivered','bounced')
UNION ALL SELECT id, created_at + interval '2 days', 'pending_confirmation', 'expired', 'system'
  FROM letter WHERE status = 'expired'
UNION ALL SELECT id, created_at + interval '1 hour', 'pending_confirmation', 'rejected',
  'system' FROM letter WHERE status = 'rejected'
"""

OUTBOX_SQL = """
INSERT INTO outbox_message (id, kind, priority, state, letter_id, campaign_id, pace_key,
  to_domain, sender_email, to_email, subject, text_body, headers, attempts, not_before,
  next_attempt_at, expires_at, created_at, updated_at, sent_at)
SELECT md5(l.id || 'o'), 'letter', 5, l.status, l.id, l.campaign_id, l.representative_id,
  CASE WHEN r.chamber_id = 'uk-commons' THEN 'parliament.uk'
       ELSE 'assemblee-nationale.fr' END,
  'bench@example.org', 'office@example.org', 'The summit', 'Dear member', '{}',
  CASE WHEN l.status = 'queued' THEN 0 ELSE 1 END,
  CASE WHEN l.status = 'queued' THEN :now + (row_number() OVER (PARTITION BY
       l.representative_id ORDER BY l.id)) * interval '6 minutes'
       ELSE l.created_at + interval '2 hours' END,
  CASE WHEN l.status = 'queued' THEN :now + interval '1 hour' END,
  :deadline, l.created_at + interval '1 hour', l.created_at + interval '1 hour',
  CASE WHEN l.status <> 'queued' THEN l.created_at + interval '2 hours' END
FROM letter l JOIN representative r ON r.id = l.representative_id
WHERE l.status IN ('queued','sent','delivered','bounced')
"""

SENT_ROWS_SQL = """
CREATE TEMP TABLE sent_rows AS
SELECT (row_number() OVER (ORDER BY id))::int AS n, id, state, sent_at
FROM outbox_message WHERE sent_at IS NOT NULL;
CREATE UNIQUE INDEX ON sent_rows (n);
ANALYZE sent_rows;
"""

PROVIDER_SQL = """
INSERT INTO provider_event (sg_event_id, batch_id, outbox_id, event, bounce_type, reason,
  occurred_at)
SELECT 'b' || g, g / 1000,
  CASE WHEN g % 1000 = 999 THEN NULL ELSE s.id END,
  CASE WHEN g % 1000 = 999 THEN 'delivered'
       WHEN k = 0 THEN 'processed'
       WHEN k = 1 THEN CASE s.state WHEN 'delivered' THEN 'delivered'
                                    WHEN 'bounced' THEN 'bounce' ELSE 'deferred' END
       WHEN k = 2 THEN CASE WHEN s.n % 10 = 0 THEN 'deferred' ELSE 'open' END
       WHEN s.n % 997 = 0 THEN 'spamreport'
       ELSE CASE WHEN k % 2 = 0 THEN 'open' ELSE 'click' END END,
  CASE WHEN k = 1 AND s.state = 'bounced' THEN
       CASE WHEN s.n % 5 = 0 THEN 'blocked' ELSE 'bounce' END END,
  NULL,
  s.sent_at + (k * 3 + 1 + s.n % 7) * interval '1 minute'
FROM (SELECT g, g / :rows AS k, 1 + g % :rows AS j FROM generate_series(0, :total - 1) g) x
JOIN sent_rows s ON s.n = x.j
"""


def generate(engine: Engine, letters: int, events: int, now: datetime, deadline: datetime) -> None:
    start = now - timedelta(days=14)
    span = int(timedelta(days=14).total_seconds()) - 4 * 3600
    with engine.begin() as c:
        campaign = c.execute(text("SELECT id FROM campaign WHERE slug = :s"), {"s": SLUG}).scalar()
        # The campaign's deadline moved to the bench's future, so the projection has room.
        c.execute(
            text("UPDATE campaign SET deadline = :d WHERE id = :c"), {"d": deadline, "c": campaign}
        )
        _step(c, "letters", LETTERS_SQL, campaign=campaign, start=start, span=span, total=letters)
        _step(c, "letter events", EVENTS_SQL)
        _step(c, "outbox rows", OUTBOX_SQL, now=now, deadline=deadline)
        c.exec_driver_sql(SENT_ROWS_SQL)
        rows = c.execute(text("SELECT count(*) FROM sent_rows")).scalar_one()
        _step(c, "provider events", PROVIDER_SQL, rows=rows, total=events)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM ANALYZE")


def _step(c: Any, what: str, sql: str, **params: Any) -> None:
    began = time.perf_counter()
    result = c.execute(text(sql), params)
    print(f"  {what}: {result.rowcount:,} rows in {time.perf_counter() - began:.1f} s", flush=True)


# ---------------------------------------------------------------- naive figures
def naive_status(s: Session, cid: int) -> dict[str, int]:
    rows = s.execute(
        text("SELECT status, count(*) FROM letter WHERE campaign_id = :c GROUP BY status"),
        {"c": cid},
    )
    return dict(rows.all())


def naive_by_seat(
    engine: Engine, per_representative: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    """The naive per-representative counts summed over the seat each one sat for."""
    with Session(engine) as s:
        seat_of = dict(s.execute(text("SELECT id, constituency_id FROM representative")).all())
    seats: dict[str, Counter[str]] = defaultdict(Counter)
    for rep, counts in per_representative.items():
        seats[seat_of[rep]].update(counts)
    return {seat: dict(counts) for seat, counts in seats.items()}


def naive_seats(s: Session, cid: int) -> dict[str, dict[str, int]]:
    rows = s.execute(
        text(
            "SELECT representative_id, status, count(*) FROM letter WHERE campaign_id = :c "
            "GROUP BY representative_id, status"
        ),
        {"c": cid},
    )
    seats: dict[str, dict[str, int]] = defaultdict(dict)
    for rep, status, n in rows:
        seats[rep][status] = n
    return seats


def naive_groups(s: Session, cid: int) -> dict[str, Counter[str]]:
    rows = s.execute(
        text(
            "SELECT r.chamber_id, CASE WHEN r.chamber_id = 'uk-commons' THEN c.region "
            "WHEN r.constituency_id LIKE '099-%' THEN 'abroad' ELSE 'France' END, r.party, "
            "count(*) FROM letter l JOIN representative r ON r.id = l.representative_id "
            "JOIN constituency c ON c.id = r.constituency_id "
            "WHERE l.campaign_id = :c AND l.status = ANY(:counted) GROUP BY 1, 2, 3"
        ),
        {"c": cid, "counted": sorted(COUNTED)},
    )
    groups: dict[str, Counter[str]] = {
        "chamber": Counter(),
        "nation": Counter(),
        "party": Counter(),
    }
    for chamber, nation, party, n in rows:
        groups["chamber"][chamber] += n
        groups["nation"][nation] += n
        groups["party"][party] += n
    return groups


def naive_own_words(s: Session, cid: int) -> tuple[int, int, int]:
    rows = s.execute(
        text(
            "SELECT coalesce(hold_reason, ''), count(*) FROM letter WHERE campaign_id = :c "
            "AND status = ANY(:counted) GROUP BY 1"
        ),
        {"c": cid, "counted": sorted(COUNTED)},
    )
    found = dict(rows.all())
    letters = sum(found.values())
    own = sum(n for hold, n in found.items() if hold not in NOT_OWN_WORDS)
    return letters, own, found.get("similar", 0)


def naive_counters(s: Session, cid: int) -> dict[str, int]:
    rows = s.execute(
        text(
            "SELECT CASE WHEN r.chamber_id = 'uk-commons' THEN 'uk' WHEN r.constituency_id "
            "LIKE '099-%' THEN 'abroad' ELSE 'fr' END, count(*) FROM letter l JOIN "
            "representative r ON r.id = l.representative_id WHERE l.campaign_id = :c AND "
            "l.status = ANY(:counted) GROUP BY 1"
        ),
        {"c": cid, "counted": sorted(COUNTED)},
    )
    return {"uk": 0, "fr": 0, "abroad": 0, **dict(rows.all())}


def naive_funnel(s: Session, cid: int) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for (_c, _h, step), n in direct_hours(s, cid).items():
        totals[step] += n
    return dict(totals)


def naive_health(s: Session, now: datetime) -> dict[str, dict[str, int]]:
    since = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (domain, _h, event), (n, _t, _sec) in direct_domains(s, since=since).items():
        if domain:
            found[domain][event] += n
    return found


def naive_deadline(s: Session, cid: int) -> list[tuple[str, datetime | None]]:
    """The projection as it was read before: every queued row loaded (counted in Python by
    naive_queues)."""
    rows = s.execute(
        text(
            "SELECT pace_key, not_before FROM outbox_message WHERE campaign_id = :c AND "
            "kind = 'letter' AND state = 'queued' AND pace_key IS NOT NULL"
        ),
        {"c": cid},
    )
    return [(key, slot) for key, slot in rows]


def naive_queues(
    rows: list[tuple[str, datetime | None]], plan_before: datetime
) -> dict[str, tuple[int, datetime | None, int]]:
    """Per representative: letters queued, the last slot, the slots not before plan_before."""
    found: dict[str, tuple[int, datetime | None, int]] = {}
    for key, slot in rows:
        queued, last, late = found.get(key, (0, None, 0))
        if slot is not None and slot.tzinfo is None:
            slot = slot.replace(tzinfo=UTC)
        later = max(last, slot) if last and slot else (last or slot)
        found[key] = (queued + 1, later, late + (1 if slot and slot >= plan_before else 0))
    return found


# ---------------------------------------------------------------- timing
def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - began) * 1000)
    return times, result


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def line(name: str, fast: list[float], slow: list[float] | None) -> None:
    ratio = f"{p95(slow) / p95(fast):8.1f}x" if slow else "        -"
    naive = f"{p95(slow):10.1f}" if slow else "         -"
    print(
        f"  {name:<34} p50 {statistics.median(fast):7.2f}  p95 {p95(fast):7.2f}   "
        f"naive p95 {naive}   {ratio}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--naive-runs", type=int, default=5)
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse", metavar="URL", help="time again on a database a --keep run left (no generation)"
    )
    args = parser.parse_args()

    url = args.reuse or create_scratch_database(args.postgres_url, "repmail_bench_stats")
    print(f"scratch database {url.rsplit('/', 1)[-1]}")
    settings = Settings(
        env=Environment.test,
        database_url=url,
        secret_key="bench-secret-key-long-enough-for-the-bench",
    )
    engine = create_db_engine(settings)
    try:
        run(engine, settings, args)
    finally:
        engine.dispose()
        if not args.keep and not args.reuse:
            drop_database(url)


def run(engine: Engine, settings: Settings, args: argparse.Namespace) -> None:
    now = datetime.now(UTC)
    with Session(engine) as s:
        if not args.reuse:
            prepare_database(engine, settings)
            print(f"generating {args.letters:,} letters and {args.events:,} provider events ...")
            generate(engine, args.letters, args.events, now, now + timedelta(days=12))
            began = time.perf_counter()
            rebuild(s)
            s.commit()
            took = time.perf_counter() - began
            print(f"  rollups backfilled (service.stats.rebuild) in {took:.1f} s")
            # What autovacuum does after such a backfill on a server (the scratch server may
            # run without it): the planner then knows the rollups' sizes.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("ANALYZE " + ", ".join(ROLLUPS))
        counts = s.execute(
            text("SELECT (SELECT count(*) FROM letter), (SELECT count(*) FROM provider_event)")
        ).one()
        print(f"  {counts[0]:,} letters, {counts[1]:,} provider events")
        cid = s.execute(text("SELECT id FROM campaign WHERE slug = :s"), {"s": SLUG}).scalar_one()
        staff = service.create_account(
            s,
            CLI_ACTOR,
            f"staff{now:%H%M%S}@example.org",
            Role.staff,
            PASSWORD,
            settings.accounts,
            now,
        )
        actor = Actor(id=staff.id, email=staff.email, role=staff.role)
        token = credentials.create_token(s, actor, "bench", now)[1]
        _signed, cookie = signin.sign_in(
            s,
            staff.email,
            PASSWORD,
            signin.Client("127.0.0.1"),
            settings.accounts,
            settings.secret_key,
            now,
        )
        s.commit()

    from service.accounts.current import SESSION_COOKIE

    workdir = Path(tempfile.mkdtemp(prefix="repmail-bench-stats-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPMAIL_")}
    env.update(
        {
            "PYTHONPATH": str(PROJECT_ROOT),
            "REPMAIL_ENV": settings.env.value,
            "REPMAIL_DATABASE_URL": str(settings.database_url),
            "REPMAIL_SECRET_KEY": settings.secret_key,
            "REPMAIL_EMAIL_BACKEND": "file",
            "REPMAIL_OUTBOX_DIR": str(workdir / "outbox"),
        }
    )
    port = free_port()
    repmail = str(Path(sys.executable).parent / "repmail")
    server = start([repmail, "serve"], port, env, workdir, "repmail")
    try:
        wait_until_idle(server.pid)
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"cookie": f"{SESSION_COOKIE}={cookie}"},
            timeout=120,
        ) as client:
            measure(engine, settings, args, now, cid, client, {"authorization": f"Bearer {token}"})
    finally:
        stop(server)


def measure(
    engine: Engine,
    settings: Settings,
    args: argparse.Namespace,
    now: datetime,
    cid: int,
    client: httpx.Client,
    api_headers: dict[str, str],
) -> None:
    def fresh(fn: Callable[[Session], Any]) -> Callable[[], Any]:
        def call() -> Any:
            with Session(engine) as s:
                return fn(s)

        return call

    print(f"\nfigures, ms ({args.runs} runs; naive {args.naive_runs} runs)")
    figures_t, figures = timed(fresh(lambda s: campaign_figures(s, cid, SLUG, now)), args.runs)
    seats_t, seats = timed(fresh(lambda s: seat_totals(s, cid)), args.runs)
    by_seat_t, by_seat = timed(fresh(lambda s: constituency_totals(s, cid)), args.runs)
    counters_t, counters = timed(fresh(lambda s: counted_by_country(s, cid)), args.runs)
    health_t, health = timed(fresh(lambda s: delivery_health(s, now)), args.runs)
    plan_t, plans = timed(
        fresh(lambda s: campaign_plans(s, settings.delivery, now, slug=SLUG)), args.runs
    )
    room_t, _room = timed(fresh(lambda s: control_room(s, settings, SLUG, now)), args.runs)

    n = args.naive_runs
    status_n, status = timed(fresh(lambda s: naive_status(s, cid)), n)
    funnel_n, funnel = timed(fresh(lambda s: naive_funnel(s, cid)), n)
    groups_n, groups = timed(fresh(lambda s: naive_groups(s, cid)), n)
    own_n, own = timed(fresh(lambda s: naive_own_words(s, cid)), n)
    seats_n, seats_naive = timed(fresh(lambda s: naive_seats(s, cid)), n)
    counters_n, counters_naive = timed(fresh(lambda s: naive_counters(s, cid)), n)
    health_n, health_naive = timed(fresh(lambda s: naive_health(s, now)), n)
    plan_n, plan_naive = timed(fresh(lambda s: naive_deadline(s, cid)), n)
    naive_figures = [
        a + b + c + d for a, b, c, d in zip(status_n, funnel_n, groups_n, own_n, strict=True)
    ]
    line("campaign figures (funnel, status,", figures_t, naive_figures)
    print("    hours, days, groups, own words)")
    line("representative totals", seats_t, seats_n)
    line("seat totals (maps, exports)", by_seat_t, seats_n)
    line("public counters", counters_t, counters_n)
    line("delivery health per domain", health_t, health_n)
    line("deadline projection", plan_t, plan_n)
    naive_room = [
        sum(parts)
        for parts in zip(status_n, funnel_n, groups_n, own_n, health_n, plan_n, strict=True)
    ]
    line("control room, all figures", room_t, naive_room)

    print(f"\npages, ms ({args.runs} runs)")
    api_t, api = timed(
        lambda: client.get(f"/api/admin/stats?campaign={SLUG}", headers=api_headers), args.runs
    )
    page_t, page = timed(
        lambda: client.get(
            f"/console/control-room?campaign={SLUG}", headers={"accept": "text/html"}
        ),
        args.runs,
    )
    public_t, public = timed(lambda: client.get(f"/campaigns/{SLUG}"), args.runs)
    maps = {
        chamber: timed(
            lambda chamber=chamber: client.get(
                f"/console/maps?campaign={SLUG}&chamber={chamber}",
                headers={"accept": "text/html"},
            ),
            args.runs,
        )
        for chamber in ("uk-commons", "fr-an")
    }
    answers = [api, page, public, *(response for _t, response in maps.values())]
    assert all(r.status_code == 200 for r in answers), [r.status_code for r in answers]
    line("GET /api/admin/stats", api_t, naive_room)
    line("GET /console/control-room", page_t, naive_room)
    line("GET /campaigns/{slug} (counters)", public_t, counters_n)
    for chamber, (map_t, _response) in maps.items():
        line(f"GET /console/maps ({chamber})", map_t, seats_n)

    print("\nfigures equal to the naive queries:")
    queues = naive_queues(plan_naive, plans[0].plan_before)
    checks = {
        "status": {k: v for k, v in figures.status.items() if v} == status,
        "funnel": {k: v for k, v in figures.funnel.model_dump().items() if v} == funnel,
        "by chamber": {k: v.letters for k, v in figures.by_chamber.items() if v.letters}
        == dict(groups["chamber"]),
        "by nation": {k: v.letters for k, v in figures.by_nation.items() if v.letters}
        == dict(groups["nation"]),
        "by party": {k: v.letters for k, v in figures.by_party.items() if v.letters}
        == dict(groups["party"]),
        "own words": (figures.personal.letters, figures.personal.own_words, figures.personal.copies)
        == own,
        "representatives": {r: {k: v for k, v in c.items() if v} for r, c in seats.items()}
        == dict(seats_naive),
        "seat totals": {r: {k: v for k, v in c.items() if v} for r, c in by_seat.items()}
        == naive_by_seat(engine, seats_naive),
        "public counters": counters == counters_naive,
        "delivery health": all(
            (d.day.sent, d.day.delivered, d.day.deferred, d.day.bounced, d.day.blocked)
            == tuple(
                health_naive[d.domain].get(e, 0)
                for e in ("sent", "delivered", "deferred", "bounce", "blocked")
            )
            for d in health.domains
        )
        and len(health.domains) == len(health_naive),
        "deadline queued": {r.key: r.queued for r in plans[0].representatives}
        == {key: queued for key, (queued, _last, _late) in queues.items()},
        "deadline slots": {r.key: (r.last_slot, r.late) for r in plans[0].representatives}
        == {key: (last, late) for key, (_queued, last, late) in queues.items()},
    }
    for name, ok in checks.items():
        print(f"  {name:<18} {'equal' if ok else 'DIFFERENT'}")
    # Each page against the naive queries that would compute its figures.
    pages = {
        "control room (JSON)": (p95(api_t), p95(naive_room)),
        "control room": (p95(page_t), p95(naive_room)),
        "public page": (p95(public_t), p95(counters_n)),
        **{f"map {c}": (p95(t), p95(seats_n)) for c, (t, _r) in maps.items()},
    }
    worst = max(pages, key=lambda name: pages[name][0])
    slowest = min(pages, key=lambda name: pages[name][1] / pages[name][0])
    ratio = pages[slowest][1] / pages[slowest][0]
    print(
        f"\nworst page p95 {pages[worst][0]:.1f} ms, {worst} (goal <= 200); least gain "
        f"{ratio:.1f}x over the naive queries, {slowest} (goal >= 10); figures "
        f"{'all equal' if all(checks.values()) else 'DIFFER'}"
    )


if __name__ == "__main__":
    main()
