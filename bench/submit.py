"""Letter submission benchmark: POST /api/letters on `repmail serve` against a bare endpoint.

    .venv/bin/python bench/submit.py [--db both|sqlite|postgres] [--clients 20,50]
                                     [--warmup 3] [--duration 15] [--log-level INFO]
                                     [--postgres-url URL | --database-url URL]

For each database (SQLite in a temporary folder, and a scratch PostgreSQL database created on
127.0.0.1:5432 and dropped afterwards), two servers are measured one after the other:

- `repmail serve`, the real thing: validation, campaign and representative reads, rate-limit
  counters, the similarity check, the letter row and its event, the rendered confirmation
  email in the outbox, one transaction. On SQLite, `repmail serve` also runs its embedded
  delivery worker, which sends each confirmation email during the run through the file
  backend (an .eml file, fsynced, under a temporary REPMAIL_OUTBOX_DIR): that is part of the
  load. On PostgreSQL the worker is a separate `repmail worker` process and none runs here.
- a bare FastAPI app (in this file) taking the same JSON and doing one INSERT of a comparable
  row into a scratch table of the same database, from a sync route, on an engine made by
  service.db.create_db_engine, served by uvicorn with the options `repmail serve` uses.

A separate load-generator process (httpx, one thread and keep-alive connection per client,
each client from its own loopback address as supporters come from theirs) posts valid,
distinct letters: distinct emails, spread over every representative who can be written to,
distinct personal paragraphs, honeypot empty. After a warm-up it measures for a fixed time;
letters/s counts only 202s, p50/p99 are of the 202s, and any other status or transport error
is reported. Each client sends hundreds of letters an hour, so the servers run with the rate
limits raised (REPMAIL_LETTERS__*): the run measures throughput, not refusals. Both servers
log at REPMAIL_LOG_LEVEL (INFO, the default, unless --log-level) to a file. Each line also
gives the server process's CPU per letter, steadier than letters/s on a shared machine.

Goal: repmail's letters/s at least half the bare endpoint's, on both databases, at each
client count. The ratio is printed last.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, text
from sqlalchemy.engine import Engine, make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from scratch import (  # noqa: E402
    cpu_seconds,
    create_scratch_database,
    drop_database,
    free_port,
    wait_for_server,
)

from service.config import Settings  # noqa: E402
from service.db import create_db_engine  # noqa: E402

BIN = Path(sys.executable).parent
GOAL_RATIO = 0.5
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CAMPAIGN = "calais-border"
# What `repmail serve` passes to uvicorn (service/cli); the bare app gets the same.
UVICORN_OPTIONS: dict[str, Any] = {"workers": 1, "log_config": None, "access_log": False}
# High enough that no request of the run is refused for its rate.
RAISED_LIMITS = {
    "REPMAIL_LETTERS__LETTERS_PER_IP_PER_HOUR": "1000000000",
    "REPMAIL_LETTERS__LETTERS_PER_EMAIL_PER_DAY": "1000000000",
}

# -- the bare endpoint ----------------------------------------------------------------------

bench_metadata = MetaData()
bench_letter = Table(
    "bench_letter",
    bench_metadata,
    Column("id", String(32), primary_key=True),
    Column("campaign", String(60), nullable=False),
    Column("representative_id", String(40), nullable=False),
    Column("name", String(100), nullable=False),
    Column("email", String(254), nullable=False),
    Column("postcode", String(16), nullable=False),
    Column("address", String(300), nullable=False),
    Column("message", Text, nullable=False),
    Column("demands", String(60), nullable=False),
    Column("lang", String(2), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class BareLetterIn(BaseModel):
    """The same JSON as POST /api/letters, with no checks beyond the types."""

    campaign: str
    representative_id: str
    name: str
    email: str
    postcode: str
    address: str = ""
    demands: list[int]
    message: str = ""
    subject: str | None = None
    consent: bool
    updates: bool = False
    lang: str | None = None
    website: str | None = None


class BareOut(BaseModel):
    id: str
    status: str


def insert_bare_letter(engine: Engine, data: BareLetterIn) -> str:
    """The bare endpoint's whole work: one INSERT in its own transaction. Returns the id."""
    row_id = uuid.uuid4().hex
    with engine.begin() as connection:
        connection.execute(
            bench_letter.insert().values(
                id=row_id,
                campaign=data.campaign,
                representative_id=data.representative_id,
                name=data.name,
                email=data.email,
                postcode=data.postcode,
                address=data.address,
                message=data.message,
                demands=",".join(str(n) for n in data.demands),
                lang=data.lang,
                created_at=datetime.now(UTC),
            )
        )
    return row_id


def create_bare_app() -> FastAPI:
    """One INSERT per letter, nothing else: what the web stack and one write cost."""
    engine = create_db_engine(Settings())
    app = FastAPI(title="bare insert")

    @app.post("/api/letters", status_code=202, response_model=BareOut)
    def post_letter(data: BareLetterIn) -> BareOut:
        return BareOut(id=insert_bare_letter(engine, data), status="pending_confirmation")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_bare(host: str, port: int) -> None:
    import uvicorn

    from service.logs import configure_logging

    configure_logging(Settings().log_level)  # as `repmail serve` does
    uvicorn.run(create_bare_app, factory=True, host=host, port=port, **UVICORN_OPTIONS)


# -- the load generator (its own process) --------------------------------------------------

# fmt: off
WORDS = [
    "after", "again", "along", "asked", "autumn", "beach", "bread", "bridge", "brother", "camp",
    "careful", "children", "church", "clothes", "coast", "cold", "council", "crossing",
    "daughter", "doctor", "drop-in", "evening", "every", "family", "father", "ferry", "football",
    "friend", "garden", "grandmother", "harbour", "help", "hospital", "hungry", "kitchen",
    "language", "lessons", "library", "lorry", "lost", "mother", "neighbour", "night", "nurse",
    "parish", "police", "port", "queue", "rain", "river", "safe", "school", "shelter", "shoes",
    "sister", "soup", "station", "storm", "summer", "teacher", "tent", "town", "train",
    "volunteer", "walked", "warm", "water", "weekend", "winter", "worried", "young",
]
# fmt: on


def letter(n: int, reps: list[list[str]], run: str) -> dict[str, Any]:
    """Letter `n` of a run: its own email and paragraph, to one of many representatives."""
    rng = random.Random(n)
    rep_id, chamber = reps[n % len(reps)]
    french = chamber == "fr-an"
    picked = [
        rng.choice(WORDS) + (str(n) if i % 7 == 0 else "") for i in range(rng.randint(50, 90))
    ]
    return {
        "campaign": CAMPAIGN,
        "representative_id": rep_id,
        "name": f"Bench Supporter {n}",
        "email": f"supporter{n}.{run}@example.org",
        "postcode": "75011" if french else "B34 7AA",
        "address": f"{n} Example Road",
        "demands": sorted(rng.sample(range(1, 5), rng.randint(1, 4))),
        "message": f"I am writing as one of your constituents. {' '.join(picked)}.",
        "consent": True,
        "updates": rng.random() < 0.3,
        "lang": "fr" if french else "en",
        "website": "",
    }


@dataclass
class Sample:
    started: float
    ended: float
    status: int
    held: bool


def load(options: argparse.Namespace) -> None:
    """Closed loop: `clients` threads post back to back. Prints the measured window as JSON."""
    reps = json.loads(Path(options.reps).read_text())
    numbers = itertools.count(options.first)  # next() on a count is atomic under the GIL
    begin = time.perf_counter()
    measure_from = begin + options.warmup
    stop_at = measure_from + options.duration
    samples: list[list[Sample]] = [[] for _ in range(options.clients)]
    errors: Counter[str] = Counter()  # transport errors in the measured window
    headers = {"content-type": "application/json", "accept": "application/json"}

    def client(slot: list[Sample], address: str) -> None:
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(base_url=options.url, timeout=60, transport=transport) as http:
            while (now := time.perf_counter()) < stop_at:
                body = json.dumps(letter(next(numbers), reps, options.run)).encode()
                before = time.perf_counter()
                try:
                    response = http.post("/api/letters", content=body, headers=headers)
                except httpx.HTTPError as exc:
                    if now >= measure_from:
                        errors[f"{type(exc).__name__}: {exc}"[:80]] += 1
                    continue
                after = time.perf_counter()
                if now >= measure_from:
                    held = response.status_code == 202 and bool(response.json().get("hold_reason"))
                    slot.append(Sample(before, after, response.status_code, held))

    cpu_before = time.process_time()
    # Each client connects from its own loopback address, as supporters come from theirs
    # (the per-address rate-limit counter is then one row per client, not one for all).
    threads = [
        threading.Thread(target=client, args=(slot, f"127.0.{1 + n // 250}.{1 + n % 250}"))
        for n, slot in enumerate(samples)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - begin
    everything = [s for slot in samples for s in slot]
    ok = [s for s in everything if s.status == 202]
    window = max((s.ended for s in everything), default=stop_at) - measure_from
    latencies = sorted((s.ended - s.started) * 1000 for s in ok)
    result = {
        "ok": len(ok),
        "held": sum(s.held for s in ok),
        "other": dict(Counter(str(s.status) for s in everything if s.status != 202)),
        "errors": dict(errors),
        "rate": len(ok) / window,
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else 0.0,
        "client_cpu": (time.process_time() - cpu_before) / wall,
    }
    print(json.dumps(result))


# -- the run --------------------------------------------------------------------------------


def writable_representatives(engine: Engine) -> list[list[str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, chamber_id FROM representative "
                "WHERE status = 'active' AND email IS NOT NULL AND email <> '' ORDER BY id"
            )
        ).all()
    reps = [[row[0], row[1]] for row in rows]
    random.Random(2026).shuffle(reps)  # neighbours in the sequence write to different seats
    return reps


@dataclass
class Level:
    clients: int
    rate: float
    p50_ms: float
    p99_ms: float
    ok: int
    held: int
    other: dict[str, int]
    errors: dict[str, int]
    server_cpu: float
    client_cpu: float


def measure(
    options: argparse.Namespace,
    name: str,
    command: list[str],
    env: dict[str, str],
    workdir: Path,
    first: int,
) -> list[Level]:
    """Start one server, run every client count against it, stop it."""
    port = free_port()
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as server_log:
        server = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=workdir,  # no stray .env
            stdout=server_log,
            stderr=server_log,
        )
    levels = []
    try:
        wait_for_server(port, server)
        for index, clients in enumerate(options.clients):
            before = cpu_seconds(server.pid)
            started = time.perf_counter()
            loader = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "_load",
                    "--url",
                    f"http://127.0.0.1:{port}",
                    "--clients",
                    str(clients),
                    "--warmup",
                    str(options.warmup),
                    "--duration",
                    str(options.duration),
                    "--first",
                    str(first + index * 1_000_000),
                    "--reps",
                    str(workdir / "reps.json"),
                    "--run",
                    options.run,
                ],
                capture_output=True,
                text=True,
            )
            server_cpu = (cpu_seconds(server.pid) - before) / (time.perf_counter() - started)
            if loader.returncode:
                sys.stderr.write(loader.stderr[-3000:])
                raise SystemExit("the load generator failed")
            result = json.loads(loader.stdout)
            levels.append(
                Level(
                    clients,
                    result["rate"],
                    result["p50_ms"],
                    result["p99_ms"],
                    result["ok"],
                    result["held"],
                    result["other"],
                    result["errors"],
                    server_cpu,
                    result["client_cpu"],
                )
            )
    finally:
        server.terminate()
        server.wait(timeout=60)
        if options.logs:  # the temporary folder goes at the end of the run
            options.logs.mkdir(parents=True, exist_ok=True)
            shutil.copy(log_path, options.logs / f"{options.run}-{name}.log")
    return levels


def show(database: str, target: str, level: Level) -> None:
    failed = {**level.other, **level.errors}
    other = ", ".join(f"{n} x {what}" for what, n in sorted(failed.items())) or "none"
    # Steadier than letters/s on a shared machine: what one letter costs the server process.
    cpu_per_letter = level.server_cpu / level.rate * 1000 if level.rate else float("nan")
    print(
        f"{database:<10} {target:<7} {level.clients:>2} clients: {level.rate:7.1f} letters/s, "
        f"p50 {level.p50_ms:6.1f} ms, p99 {level.p99_ms:6.1f} ms  "
        f"({level.ok:,} x 202, {level.held:,} of them held; anything else: {other}; "
        f"CPU server {level.server_cpu:.0%} = {cpu_per_letter:.1f} ms per letter, "
        f"load generator {level.client_cpu:.0%})"
    )


def run_database(
    options: argparse.Namespace, label: str, database_url: str, workdir: Path
) -> tuple[list[Level], list[Level]]:
    outbox = workdir / "outbox"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("REPMAIL_")  # nothing from the caller's setup, no real mail
    }
    env.update(
        {
            # The servers run the code of this checkout, whatever the venv was installed from.
            "PYTHONPATH": str(PROJECT_ROOT),
            "REPMAIL_DATABASE_URL": database_url,
            "REPMAIL_EMAIL_BACKEND": "file",
            "REPMAIL_OUTBOX_DIR": str(outbox),
            "REPMAIL_LOG_LEVEL": options.log_level,
            **RAISED_LIMITS,
        }
    )
    upgrade = subprocess.run(
        [str(BIN / "repmail"), "db", "upgrade"], env=env, cwd=workdir, capture_output=True
    )
    if upgrade.returncode:
        sys.stderr.write(upgrade.stderr.decode(errors="replace")[-3000:])
        raise SystemExit("repmail db upgrade failed")
    engine = create_db_engine(Settings(database_url=database_url))
    bench_metadata.create_all(engine)
    reps = writable_representatives(engine)
    (workdir / "reps.json").write_text(json.dumps(reps))
    print(
        f"{label}: letters to {len(reps)} representatives who can be written to; "
        f"load average {os.getloadavg()[0]:.2f}"
    )

    serve = [str(BIN / "repmail"), "serve"]
    real = measure(options, f"{label}-repmail", serve, env, workdir, first=0)
    for level in real:
        show(label, "repmail", level)
    with engine.connect() as connection:
        letters = connection.execute(text("SELECT count(*) FROM letter")).scalar_one()
        queued = connection.execute(
            text("SELECT state, count(*) FROM outbox_message GROUP BY state ORDER BY state")
        ).all()
    mails = len(list(outbox.glob("*.eml"))) if outbox.is_dir() else 0
    states = ", ".join(f"{n:,} {state}" for state, n in queued)
    worker = "embedded worker" if label == "sqlite" else "no worker running"
    print(
        f"{label}: {letters:,} letter rows; confirmation emails in the outbox: {states} "
        f"({worker}: {mails:,} .eml files written during the run)"
    )

    bare_command = [sys.executable, __file__, "_serve-bare"]
    bare = measure(options, f"{label}-bare", bare_command, env, workdir, first=10_000_000)
    for level in bare:
        show(label, "bare", level)
    bench_metadata.drop_all(engine)
    engine.dispose()
    return real, bare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode")
    loader = sub.add_parser("_load", help="internal: the load generator")
    loader.add_argument("--url", required=True)
    loader.add_argument("--clients", type=int, required=True)
    loader.add_argument("--warmup", type=float, required=True)
    loader.add_argument("--duration", type=float, required=True)
    loader.add_argument("--first", type=int, required=True)
    loader.add_argument("--reps", required=True)
    loader.add_argument("--run", required=True)
    server = sub.add_parser("_serve-bare", help="internal: the bare endpoint's server")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", choices=("both", "sqlite", "postgres"), default="both")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES,
        help="server on which a scratch database is created and dropped",
    )
    parser.add_argument(
        "--database-url",
        help="measure this one database instead (a scratch one: letters are written to it)",
    )
    parser.add_argument("--clients", default="20,50", help="concurrent clients, comma-separated")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds, per client count")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds, per client count")
    parser.add_argument("--log-level", default="INFO", help="REPMAIL_LOG_LEVEL of both servers")
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this folder")
    options = parser.parse_args()
    if options.mode == "_load":
        load(options)
        return 0
    if options.mode == "_serve-bare":
        serve_bare(options.host, options.port)
        return 0
    options.clients = [int(part) for part in options.clients.split(",")]
    options.run = uuid.uuid4().hex[:8]  # in every email address: distinct from earlier runs

    # uvicorn's "auto" loop and HTTP parser, for both servers.
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; both servers: uvicorn "
        f"on 127.0.0.1, 1 worker process, loop {loop}, http {http}, no access log, "
        f"REPMAIL_LOG_LEVEL={options.log_level}; "
        f"{options.warmup:g} s warm-up + {options.duration:g} s measured per client count"
    )
    print(
        "rate limits raised for the run (" + ", ".join(f"{k}={v}" for k, v in RAISED_LIMITS.items())
        + "): this measures throughput, not refusals"
    )  # fmt: skip
    if options.database_url:
        targets = [(make_url(options.database_url).get_backend_name(), options.database_url)]
    else:
        chosen = {
            "both": ("sqlite", "postgresql"),
            "sqlite": ("sqlite",),
            "postgres": ("postgresql",),
        }
        targets = [(name, "") for name in chosen[options.db]]
    results: dict[str, tuple[list[Level], list[Level]]] = {}
    for label, given in targets:
        with tempfile.TemporaryDirectory(prefix="repmail-bench-") as folder:
            workdir = Path(folder)
            url = given or (
                f"sqlite:///{workdir / 'bench.sqlite3'}"
                if label == "sqlite"
                else create_scratch_database(options.postgres_url, "repmail_bench_submit")
            )
            try:
                results[label] = run_database(options, label, url, workdir)
            finally:
                if not given and label == "postgresql":
                    drop_database(url)

    met = True
    for label, (real, bare) in results.items():
        for mine, theirs in zip(real, bare, strict=True):
            ratio = mine.rate / theirs.rate
            verdict = "met" if ratio >= GOAL_RATIO else "MISSED"
            met = met and ratio >= GOAL_RATIO
            print(
                f"ratio {label} {mine.clients} clients: repmail/bare letters/s "
                f"{mine.rate:.1f}/{theirs.rate:.1f} = {ratio:.2f} (goal >= {GOAL_RATIO}): {verdict}"
            )
    print("all goals met" if met else "some goals missed")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
