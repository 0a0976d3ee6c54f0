"""UK lookup benchmark: NSPL import, in-process postcode lookup, and the HTTP lookup API.

    .venv/bin/python bench/lookup.py [--rows 2700000] [--database-url URL]

1. Writes an NSPL-format CSV (full May 2025 header) of --rows random valid postcodes spread
   over the 650 real constituencies, a third of them terminated as in the real file.
2. Imports it with `repmail import uk-postcodes` in a child process: wall time and that
   process's peak RSS (goals: <= 60 s, <= 500 MB).
3. Builds the local-table resolver's in-memory index here and times 100,000 lookups of
   random postcodes (goal: median <= 20 us).
4. Starts `repmail serve` on a free loopback port and times GET /api/lookup?country=uk
   (goal: p99 <= 5 ms).

SQLite in a temporary folder by default; --database-url for PostgreSQL (its uk_postcode table
is replaced: use a scratch database).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from scratch import drop_database, free_port, wait_for_server  # noqa: E402

from service.config import Settings  # noqa: E402
from service.db import create_db_engine  # noqa: E402
from service.lookup.uk_postcode_index import LocalTableResolver  # noqa: E402
from service.lookup.uk_postcodes import POSTCODE_AREAS, parse_uk_postcode  # noqa: E402

BIN = Path(sys.executable).parent
GOAL_IMPORT_SECONDS = 60.0
GOAL_IMPORT_MB = 500.0
GOAL_LOOKUP_MEDIAN_US = 20.0
GOAL_HTTP_P99_MS = 5.0

NSPL_HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa21,cty,ced,laua,ward,"
    "nhser,ctry,rgn,pcon,ttwa,itl,park,lsoa21,msoa21,wz11,sicbl,bua24,ruc21,oac11,lat,long,"
    "lep1,lep2,pfa,imd,icb"
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UNITS = [a + b for a in INWARD_LETTERS for b in INWARD_LETTERS]  # 400 per sector


def seat_codes() -> list[str]:
    path = PROJECT_ROOT / "representatives" / "uk" / "constituencies.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["id"] for row in csv.DictReader(handle)]


def write_nspl(path: Path, rows: int, seats: list[str], rng: random.Random) -> list[str]:
    """Write the file in postcode order, as ONS does; return a sample of live keys."""
    areas = sorted(POSTCODE_AREAS)
    sectors = len(areas) * 40 * 10
    per_sector = -(-rows // sectors)  # ceiling division
    sample: list[str] = []
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\r\n")
        handle.write(NSPL_HEADER + "\r\n")
        for area in areas:
            for district in range(1, 41):
                outward = f"{area}{district}"
                for sector in range(10):
                    seat = rng.choice(seats)
                    for unit in sorted(rng.sample(UNITS, per_sector)):
                        if written == rows:
                            return sample
                        written += 1
                        pcds = f"{outward} {sector}{unit}"
                        pcd = f"{outward:<4}{sector}{unit}"
                        terminated = "201206" if rng.random() < 0.33 else ""
                        code = "E99999999" if rng.random() < 0.001 else seat
                        live = not terminated and code == seat
                        if live and len(sample) < 200_000 and rng.random() < 0.15:
                            sample.append(pcds.replace(" ", ""))
                        out.writerow(
                            (
                                pcd, pcds, pcds, "198001", terminated, "0", "451234",
                                "207123", "1", "E00012345", "E99999999", "E99999999",
                                "E06000001", "E05008942", "E40000012", "E92000001",
                                "E12000001", code, "E30000047", "E06000001", "E99999999",
                                "E01011954", "E02002483", "E33004134", "E38000069",
                                "E63000001", "UN1", "7B3", "54.689147", "-1.212010",
                                "E37000034", "", "E23000013", "6510", "E54000037",
                            )
                        )  # fmt: skip
    return sample


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, peak RSS in MB of that process, exit status)."""
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 and child.stderr is not None:
        sys.stderr.write(child.stderr.read().decode(errors="replace")[-3000:])
    return elapsed, usage.ru_maxrss / 1024, child.returncode


def create_postgres_database(url: str) -> bool:
    """Create the database named in `url` unless it exists; True when this created it."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return exists is None


def time_lookups(database_url: str, sample: list[str], count: int, rng: random.Random) -> float:
    """The median in microseconds of resolver lookups against the in-memory index."""
    engine = create_db_engine(Settings(database_url=database_url))
    resolver = LocalTableResolver(engine.connect)
    started = time.perf_counter()
    size = resolver.warm_up()
    print(f"index build: {time.perf_counter() - started:.2f} s for {size:,} postcodes")
    # Mostly live postcodes, a tenth made-up ones (misses cost a full search too).
    keys = [rng.choice(sample) for _ in range(count)]
    for position in range(0, count, 10):
        keys[position] = f"ZE9{rng.randrange(10)}{rng.choice(UNITS)}"
    clock = time.perf_counter_ns
    lookup = resolver.constituency_for
    timings = []
    found = 0
    for key in keys:
        before = clock()
        seat = lookup(key)
        timings.append(clock() - before)
        found += seat is not None
    median_us = statistics.median(timings) / 1000
    p99_us = statistics.quantiles(timings, n=100)[98] / 1000
    print(f"in-process lookup: median {median_us:.2f} us, p99 {p99_us:.2f} us ({found:,} found)")
    parse_timings = []
    for key in keys[:20_000]:
        before = clock()
        lookup(parse_uk_postcode(key).key)
        parse_timings.append(clock() - before)
    print(f"parse + lookup: median {statistics.median(parse_timings) / 1000:.2f} us")
    engine.dispose()
    return median_us


class LoopbackClient:
    """One keep-alive HTTP/1.1 connection with the standard library's client, which costs
    far less per request than httpx, so the figures are the server's more than ours."""

    def __init__(self, port: int) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def lookup(self, postcode: str) -> tuple[int, bytes]:
        query = urllib.parse.urlencode({"country": "uk", "postcode": postcode})
        return self.get(f"/api/lookup?{query}")

    def get(self, path: str) -> tuple[int, bytes]:
        self._connection.request("GET", path)
        response = self._connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self._connection.close()


def time_http(env: dict[str, str], sample: list[str], count: int, rng: random.Random) -> float:
    """The p99 in milliseconds of lookups through a real server on loopback."""
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "repmail"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_server(port, server)
        # Other work on the machine moves the tail more than anything measured here.
        print(f"load average before the HTTP run: {os.getloadavg()[0]:.2f}")
        client = LoopbackClient(port)
        started = time.perf_counter()
        client.lookup(sample[0])
        first_ms = (time.perf_counter() - started) * 1000
        print(f"first HTTP lookup (builds the index in the server): {first_ms:.0f} ms")
        for key in rng.sample(sample, 500):  # warm the connection and the database cache
            client.lookup(key)
        timings: list[float] = []
        # /healthz, asked in turn with the lookups, is the floor the web stack and the
        # machine's load set for any request: it tells the lookup's own cost from theirs.
        baseline: list[float] = []
        matched = 0
        for key in (rng.choice(sample) for _ in range(count)):
            before = time.perf_counter()
            status, body = client.lookup(key)
            timings.append((time.perf_counter() - before) * 1000)
            matched += status == 200 and b'"status":"matched"' in body
            before = time.perf_counter()
            client.get("/healthz")
            baseline.append((time.perf_counter() - before) * 1000)
        client.close()
        p99 = statistics.quantiles(timings, n=100)[98]
        print(
            f"HTTP GET /api/lookup: p50 {statistics.median(timings):.2f} ms, p99 {p99:.2f} ms "
            f"({matched:,}/{count:,} matched)"
        )
        print(
            f"HTTP GET /healthz, in turn with them: p50 {statistics.median(baseline):.2f} ms, "
            f"p99 {statistics.quantiles(baseline, n=100)[98]:.2f} ms"
        )
        return p99
    finally:
        server.terminate()
        server.wait(timeout=30)


Figures = tuple[float, float, float, float]


def run_bench(
    options: argparse.Namespace, database_url: str, workdir: Path, rng: random.Random
) -> Figures | None:
    """Import time (s), import peak RSS (MB), lookup median (us), HTTP p99 (ms)."""
    env = {**os.environ, "REPMAIL_DATABASE_URL": database_url, "REPMAIL_LOG_LEVEL": "WARNING"}
    print(f"database: {make_url(database_url).get_backend_name()}, {os.cpu_count()} CPUs")

    started = time.perf_counter()
    nspl = workdir / "NSPL_BENCH_UK.csv"
    sample = write_nspl(nspl, options.rows, seat_codes(), rng)
    size_mb = nspl.stat().st_size / 1e6
    print(
        f"generated {options.rows:,} NSPL rows ({size_mb:.0f} MB) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    if run_child([str(BIN / "repmail"), "db", "upgrade"], env)[2]:
        return None
    command = [str(BIN / "repmail"), "import", "uk-postcodes", str(nspl)]
    seconds, peak_mb, status = run_child(command, env)
    if status:
        return None
    print(f"import: {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
    again, _, _ = run_child(command, env)
    print(f"re-import of the same file (nothing to do): {again:.1f} s")

    lookup_median_us = time_lookups(database_url, sample, options.lookups, rng)
    http_p99_ms = time_http(env, sample, options.requests, rng)
    return seconds, peak_mb, lookup_median_us, http_p99_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_700_000)
    parser.add_argument("--lookups", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    rng = random.Random(options.seed)

    with tempfile.TemporaryDirectory(prefix="repmail-bench-") as folder:
        workdir = Path(folder)
        database_url = options.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
        created = database_url.startswith("postgresql") and create_postgres_database(database_url)
        try:
            figures = run_bench(options, database_url, workdir, rng)
        finally:
            if created:  # a database this run made for itself goes with it
                drop_database(database_url)
    if figures is None:
        return 1
    seconds, peak_mb, lookup_median_us, http_p99_ms = figures
    goals = [
        ("import time", seconds, GOAL_IMPORT_SECONDS, "s"),
        ("import peak RSS", peak_mb, GOAL_IMPORT_MB, "MB"),
        ("lookup median", lookup_median_us, GOAL_LOOKUP_MEDIAN_US, "us"),
        ("HTTP p99", http_p99_ms, GOAL_HTTP_P99_MS, "ms"),
    ]
    for name, value, goal, unit in goals:
        verdict = "met" if value <= goal else "MISSED"
        ratio = value / goal
        print(f"goal {name}: {value:.2f} {unit} <= {goal:g} {unit}: {verdict} ({ratio:.2f}x)")
    met = all(value <= goal for _, value, goal, _ in goals)
    print("all goals met" if met else "some goals missed")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
