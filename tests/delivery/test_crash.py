"""The outbox's promise, shown with real `repmail worker` processes on PostgreSQL against the
fake SendGrid (in this process, 5-20 ms per request):

1. Workers SIGKILLed at random moments (seeded) and replaced: every letter reaches SendGrid,
   every row ends sent, and a letter goes out twice only if a killed worker held it (it
   died with that send in flight or unrecorded, so its lease ran out and, with no provider
   event within the ambiguity window, it was sent again). A fifth of the mail is
   supporters' confirmations, whose duplicates are reported apart
   (supporter_mail_duplicates; their window is REPMAIL_DELIVERY__SUPPORTER_AMBIGUITY_WINDOW_
   SECONDS, a minute by default against a quarter of an hour for letters).
2. The database server stopped and started under running workers: they back off, reconnect
   and finish; nothing is sent twice.
3. 20% of requests failing (5xx, 429 with X-RateLimit-Reset, timeouts): every row ends sent;
   a letter goes out twice only if SendGrid took a request it never answered (timeout).

Leases, windows and backoff are seconds here (REPMAIL_DELIVERY__*) so recovery happens
within the test. On SQLite they are skipped: there one worker runs inside `repmail serve`."""

from __future__ import annotations

import contextlib
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.clock import SystemClock
from service.config import PROJECT_ROOT, Environment, Settings
from service.db import create_db_engine
from service.delivery import service as delivery
from service.delivery.models import OutboxMessage
from service.delivery.schemas import Address, MessageKind
from service.delivery.states import OutboxState
from service.migrate import upgrade_database
from tests.conftest import DatabaseFactory, _missing_dependency
from tests.delivery.support import make_email, queue_emails
from tests.fakes.sendgrid_server import FakeSendGrid

pytestmark = pytest.mark.postgres

SEED = int(os.environ.get("REPMAIL_CRASH_SEED", "20261127"))
LETTERS = 1000
LATENCY = (0.005, 0.02)
S = OutboxState

# Short enough that a dead worker's rows come back within seconds; a lease must outlive two
# send timeouts (DeliverySettings checks it).
FAST_RECOVERY = {
    "LEASE_SECONDS": "5",
    "SEND_TIMEOUT_SECONDS": "2",
    "AMBIGUITY_WINDOW_SECONDS": "1",
    "SUPPORTER_AMBIGUITY_WINDOW_SECONDS": "1",
    "POLL_INTERVAL_SECONDS": "0.05",
    "BACKOFF_BASE_SECONDS": "0.1",
    "BACKOFF_CAP_SECONDS": "1",
    "RATE_LIMIT_CAP_SECONDS": "1",
    "SHUTDOWN_GRACE_SECONDS": "5",
}


@pytest.fixture
def postgres_only(databases: DatabaseFactory) -> None:
    if databases.backend == "sqlite":
        pytest.skip(
            "several worker processes share the outbox on PostgreSQL only; SQLite runs one "
            "in-process worker by design"
        )


@pytest.fixture
def fresh_db(postgres_only: None, databases: DatabaseFactory) -> Iterator[tuple[str, Engine]]:
    """A new database on the shared server, so nothing else touches these rows."""
    url = databases.create()
    engine = create_db_engine(Settings(env=Environment.test, database_url=url))
    upgrade_database(engine)
    yield url, engine
    engine.dispose()


class ScratchPostgres:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, a free port):
    it can be stopped and started under the workers without cutting off anyone else using
    the shared server (other tests, other people's runs)."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        initdb = shutil.which("initdb") or (str(found[-1]) if found else None)
        if initdb is None:
            _missing_dependency("the PostgreSQL server programs (initdb, pg_ctl) are not installed")
        self.bin = Path(str(initdb)).resolve().parent  # Debian links some into PATH
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                _missing_dependency("running as root and there is no postgres account")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="repmail-pg-"))
        if self.as_user:
            os.chown(self.dir, account.pw_uid, account.pw_gid)
        self.data = self.dir / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = [*self.as_user, str(self.bin / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if check and done.returncode:
            pytest.fail(f"{program} failed: {done.stdout}{done.stderr}")

    def init(self) -> ScratchPostgres:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        return self

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c full_page_writes=off -c max_connections=100"
        )
        log = str(self.dir / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast", *, check: bool = True) -> None:
        """fast: what a restart does; sessions are cut off, transactions rolled back."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=check)

    def ready(self) -> bool:
        command = [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(command, capture_output=True).returncode == 0

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def scratch_postgres(postgres_only: None) -> Iterator[ScratchPostgres]:
    server = ScratchPostgres().init()
    try:
        server.start()
        yield server
    finally:
        server.remove()


# -- worker processes --------------------------------------------------------------------------


@dataclass
class Workers:
    """`repmail worker` processes: start, SIGKILL, stop; each one's output in a log file."""

    database_url: str
    fake: FakeSendGrid
    logs: Path
    settings: dict[str, str]
    concurrency: int = 4
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)
    exited: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REPMAIL_")}
        env |= {
            "REPMAIL_ENV": "test",
            "REPMAIL_DATABASE_URL": self.database_url,
            "REPMAIL_SENDGRID_API_KEY": self.fake.api_key,
            "REPMAIL_SENDGRID_HOST": self.fake.url,
            "REPMAIL_LOG_LEVEL": "WARNING",
            "REPMAIL_DELIVERY__CONCURRENCY": str(self.concurrency),
        }
        env |= {f"REPMAIL_DELIVERY__{name}": value for name, value in self.settings.items()}
        return env

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            n = len(self.running) + len(self.exited) + 1
            with (self.logs / f"worker-{n}.log").open("wb") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", "service.cli", "worker"],
                    cwd=PROJECT_ROOT,
                    env=self.env(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            self.running.append(process)

    def kill(self, rng: random.Random) -> int:
        """SIGKILL one running worker at random (no chance to finish or record anything)."""
        process = rng.choice(self.running)
        process.kill()
        process.wait(10)
        self.running.remove(process)
        self.exited.append(process)
        return process.pid

    def check_alive(self) -> None:
        """Fail if a worker exited that the test did not kill (it must never give up)."""
        for process in self.running:
            if process.poll() is not None:
                pytest.fail(f"a worker exited on its own ({process.returncode}):\n{self.tail()}")

    def stop(self) -> None:
        for process in self.running:
            process.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        self.exited.extend(self.running)
        self.running = []

    def tail(self, lines: int = 15) -> str:
        out = []
        for path in sorted(self.logs.glob("worker-*.log")):
            out.append(f"--- {path.name}")
            out.extend(path.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(out)

    def logged(self, event: str) -> list[int]:
        """How often each worker logged `event`, in the order they were started."""
        paths = sorted(self.logs.glob("worker-*.log"), key=lambda p: int(p.stem.split("-")[1]))
        return [p.read_text(errors="replace").count(f'"event": "{event}"') for p in paths]


@contextlib.contextmanager
def workers(
    url: str, fake: FakeSendGrid, tmp_path: Path, settings: dict[str, str], concurrency: int = 4
) -> Iterator[Workers]:
    logs = tmp_path / "logs"
    logs.mkdir(exist_ok=True)
    pool = Workers(url, fake, logs, settings, concurrency)
    try:
        yield pool
    finally:
        pool.stop()


# -- the database and the fake's view ----------------------------------------------------------


def states(engine: Engine) -> Counter[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage.state, func.count()).group_by(col(OutboxMessage.state))
        ).all()
    return Counter({str(state): int(count) for state, count in rows})


def leased_to(engine: Engine, pid: int) -> set[str]:
    """Letter ids of the rows a (dead) worker process still holds: worker ids are
    host:pid:random."""
    with Session(engine) as session:
        return {
            str(letter_id)
            for letter_id in session.exec(
                select(OutboxMessage.letter_id).where(
                    OutboxMessage.state == S.sending,
                    col(OutboxMessage.lease_owner).like(f"%:{pid}:%"),
                )
            ).all()
        }


def wait_until(
    done: Callable[[], bool], pool: Workers, timeout: float, what: str, engine: Engine
) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        pool.check_alive()
        if time.monotonic() > deadline:
            outbox = dict(states(engine))
            pytest.fail(f"timed out waiting for {what}; outbox {outbox}\n{pool.tail()}")
        time.sleep(0.1)


def all_sent(engine: Engine, count: int) -> Callable[[], bool]:
    return lambda: states(engine)[S.sent] == count


def letters_received(fake: FakeSendGrid) -> Counter[str]:
    return Counter(r.body["personalizations"][0]["custom_args"]["letter_id"] for r in fake.received)


def letter_ids(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return {str(i) for i in session.exec(select(OutboxMessage.letter_id)).all()}


def assert_every_letter_sent_once_at_least(
    engine: Engine, fake: FakeSendGrid, count: int
) -> Counter[str]:
    assert states(engine) == Counter({S.sent: count})  # none lost, failed or stuck
    received = letters_received(fake)
    assert set(received) == letter_ids(engine)  # every letter reached SendGrid
    with Session(engine) as session:
        recorded = set(session.exec(select(OutboxMessage.provider_message_id)).all())
    assert recorded <= {r.message_id for r in fake.received}  # ids SendGrid really gave
    assert all(not row.lease_owner for row in _rows(engine))
    return received


def _rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(OutboxMessage)).all())


def report(request: pytest.FixtureRequest, **numbers: object) -> None:
    """Shown by `pytest -rA` / `-s` and kept in the JUnit XML."""
    for name, value in numbers.items():
        request.node.user_properties.append((name, value))
    print(" ".join(f"{name}={value}" for name, value in numbers.items()))


# -- 1. crashes --------------------------------------------------------------------------------

# Part of the mail is to supporters (confirmations): the duplicates a crash causes are counted
# for them apart (supporter_mail_duplicates); they are bound by the same rule as letters.
SUPPORTER_MAILS = 200
SUPPORTER_PREFIX = "supporter-"


def queue_supporter_mail(engine: Engine, count: int) -> None:
    now = SystemClock().now()
    with Session(engine) as session, session.begin():
        for n in range(1, count + 1):
            email = make_email(
                n,
                kind=MessageKind.confirmation,
                to=Address(f"supporter{n}@mail.example", f"Supporter {n}"),
                reply_to=None,
                letter_id=f"{SUPPORTER_PREFIX}{n:05d}",
            )
            delivery.enqueue(session, email, now=now)


def test_workers_killed_at_random_lose_nothing(
    fresh_db: tuple[str, Engine], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url, engine = fresh_db
    queue_emails(engine, SystemClock(), LETTERS - SUPPORTER_MAILS)  # type: ignore[arg-type]
    queue_supporter_mail(engine, SUPPORTER_MAILS)
    rng = random.Random(SEED)
    at_risk: Counter[str] = Counter()  # letter id -> kills that found it leased to the dead
    kills = 0
    started = time.monotonic()
    with (
        FakeSendGrid(latency=LATENCY, seed=SEED) as fake,
        # One send in flight per worker: then a kill can take at most one unrecorded send
        # with it, and the bound (duplicates <= kills) is exact. With N in flight the
        # bound is N per kill, which the per-letter assertions below cover.
        workers(url, fake, tmp_path, FAST_RECOVERY, concurrency=1) as pool,
    ):
        pool.start(3)
        wait_until(lambda: len(fake.received) > 20, pool, 60, "the first sends", engine)
        # Kill while the queue is still there, so kills land mid-work.
        while kills < 20 and states(engine)[S.queued] > LETTERS // 10:
            time.sleep(rng.uniform(0.1, 0.7))
            pool.check_alive()
            pid = pool.kill(rng)
            kills += 1
            at_risk.update(leased_to(engine, pid))
            pool.start()
        wait_until(all_sent(engine, LETTERS), pool, 120, "every row sent", engine)
        pool.check_alive()
    elapsed = time.monotonic() - started

    received = assert_every_letter_sent_once_at_least(engine, fake, LETTERS)
    duplicates = {letter: n - 1 for letter, n in received.items() if n > 1}
    supporter_duplicates = sum(
        extra for letter, extra in duplicates.items() if letter.startswith(SUPPORTER_PREFIX)
    )
    report(
        request,
        kills=kills,
        rows_held_by_killed_workers=sum(at_risk.values()),
        duplicates=sum(duplicates.values()),
        supporter_mail_duplicates=supporter_duplicates,
        requests=fake.requests,
        seconds=round(elapsed, 1),
    )
    assert kills >= 3 and at_risk, "the kills must land while workers hold rows"
    # A second copy only ever comes from a send a killed worker took with it ...
    assert set(duplicates) <= set(at_risk)
    # ... and at most one per kill that caught that letter.
    assert all(extra <= at_risk[letter] for letter, extra in duplicates.items())
    assert sum(duplicates.values()) <= sum(at_risk.values())
    assert sum(duplicates.values()) <= kills


# -- 2. the database restarted -------------------------------------------------------------


def test_workers_ride_out_a_database_restart(
    scratch_postgres: ScratchPostgres, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = scratch_postgres.url
    engine = create_db_engine(Settings(env=Environment.test, database_url=url))
    upgrade_database(engine)
    queue_emails(engine, SystemClock(), LETTERS)  # type: ignore[arg-type]
    # A lease outlives the outage, so no row is taken over while its worker is cut off.
    settings = FAST_RECOVERY | {"LEASE_SECONDS": "20"}
    started = time.monotonic()
    with (
        FakeSendGrid(latency=LATENCY, seed=SEED) as fake,
        workers(url, fake, tmp_path, settings, concurrency=2) as pool,
    ):
        pool.start(3)
        wait_until(lambda: len(fake.received) > LETTERS // 5, pool, 60, "sending", engine)
        engine.dispose()
        scratch_postgres.stop()
        down = time.monotonic()
        time.sleep(2)  # the workers find no server, again and again
        pool.check_alive()
        assert not scratch_postgres.ready()
        scratch_postgres.start()
        wait_until(scratch_postgres.ready, pool, 30, "pg_isready", engine)
        outage = time.monotonic() - down
        sent_before = len(fake.received)
        wait_until(all_sent(engine, LETTERS), pool, 90, "every row sent", engine)
        pool.check_alive()
    elapsed = time.monotonic() - started
    try:
        received = assert_every_letter_sent_once_at_least(engine, fake, LETTERS)
    finally:
        # Its pool's connections go before the scratch server does: a connection left open
        # when the server is removed is only found (and warned about) by the collector.
        engine.dispose()
    errors = pool.logged("worker database error")
    report(
        request,
        outage_seconds=round(outage, 1),
        sent_before_restart=sent_before,
        database_errors_per_worker=errors,
        duplicates=sum(n - 1 for n in received.values()),
        seconds=round(elapsed, 1),
    )
    assert sent_before < LETTERS, "the restart must come while there is work left"
    # Each worker saw the outage, backed off (retrying every 50 ms would be ~40 tries in
    # 2 s; doubling waits make it a handful) and came back by itself.
    assert all(1 <= n <= 12 for n in errors), errors
    assert all(pool.logged("worker database back")), pool.tail()
    assert max(received.values()) == 1  # an outage costs time, never a second copy


# -- 3. a fifth of all requests failing --------------------------------------------------------


def test_every_letter_is_sent_through_a_fifth_of_requests_failing(
    fresh_db: tuple[str, Engine], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url, engine = fresh_db
    queue_emails(engine, SystemClock(), LETTERS)  # type: ignore[arg-type]
    started = time.monotonic()
    settings = FAST_RECOVERY | {"SEND_TIMEOUT_SECONDS": "1", "MAX_ATTEMPTS": "12"}
    with (
        FakeSendGrid(
            latency=LATENCY,
            hang=1.5,  # "timeout": taken, but answered after the client gave up (1 s)
            fault_rate=0.2,
            fault_mix=(500, 502, 503, 429, 429, "timeout", "timeout"),
            seed=SEED,
        ) as fake,
        workers(url, fake, tmp_path, settings, concurrency=8) as pool,
    ):
        pool.start(3)
        wait_until(all_sent(engine, LETTERS), pool, 150, "every row sent", engine)
        pool.check_alive()
    elapsed = time.monotonic() - started

    received = assert_every_letter_sent_once_at_least(engine, fake, LETTERS)
    injected = fake.injected
    timed_out = Counter(
        r.body["personalizations"][0]["custom_args"]["letter_id"]
        for r in fake.received
        if r.fault == "timeout"
    )
    duplicates = {letter: n - 1 for letter, n in received.items() if n > 1}
    report(
        request,
        requests=fake.requests,
        failure_share=round(sum(injected.values()) / fake.requests, 3),
        injected=dict(sorted((str(k), v) for k, v in injected.items())),
        duplicates=sum(duplicates.values()),
        seconds=round(elapsed, 1),
    )
    assert all(injected[kind] for kind in (500, 502, 503, 429, "timeout"))
    # Only a request SendGrid took without telling us is ever sent again, once per such request.
    assert all(extra <= timed_out[letter] for letter, extra in duplicates.items())
