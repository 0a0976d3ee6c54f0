"""UK nearby table benchmark: reading the bundled table and looking postcodes up in it.

    .venv/bin/python bench/nearby.py

1. Reads representatives/uk/postcode_nearby.csv.gz into the lookup's in-memory index, as the
   service does at start-up: wall time and the memory the index adds (goal: <= 5 s).
2. Times 100,000 lookups of postcodes drawn from the table and of outward codes alone
   (goal: median <= 20 us, the same goal as the exact index).
3. Prints the share of listed postcodes by number of candidates.

The build itself prints its own figures: `repmail import uk-nearby --boundaries ...
--districts ...` (see README, Performance).
"""

from __future__ import annotations

import gzip
import random
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from service.representatives.uk_nearby import NEARBY_FILE, read_nearby  # noqa: E402

GOAL_LOAD_SECONDS = 5.0
GOAL_LOOKUP_MEDIAN_US = 20.0
SAMPLES = 100_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    path = PROJECT_ROOT / "representatives" / NEARBY_FILE
    before = _rss_mb()
    started = time.perf_counter()
    index = read_nearby(path)
    load_seconds = time.perf_counter() - started
    print(
        f"read {path.name} ({path.stat().st_size / 1e6:.2f} MB): {load_seconds:.2f} s, "
        f"peak RSS +{_rss_mb() - before:.0f} MB; {index.districts:,} districts, "
        f"{index.postcodes_listed:,} postcodes listed individually"
    )

    keys: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            district, _, inwards = line.rstrip("\n").split(",")
            if inwards != "*":
                keys += [district + inwards[i : i + 3] for i in range(0, len(inwards), 3)]
    rng = random.Random(15)
    sample = rng.sample(keys, SAMPLES)
    sizes = Counter(len(index.for_postcode(key)) for key in keys)
    timings = []
    for key in sample:
        t0 = time.perf_counter_ns()
        index.for_postcode(key)
        timings.append(time.perf_counter_ns() - t0)
    timings.sort()
    median_us = statistics.median(timings) / 1000
    print(
        f"lookup of a listed postcode: median {median_us:.2f} us, "
        f"p99 {timings[int(len(timings) * 0.99)] / 1000:.2f} us"
    )
    outwards = [key[:-3] for key in sample[:10_000]]
    t0 = time.perf_counter_ns()
    for outward in outwards:
        index.for_district(outward)
    print(f"outward code alone: {(time.perf_counter_ns() - t0) / len(outwards) / 1000:.2f} us each")
    total = sum(sizes.values())
    print(
        "listed postcodes by candidates: "
        + ", ".join(f"{n}: {count / total:.1%}" for n, count in sorted(sizes.items()))
    )
    met = load_seconds <= GOAL_LOAD_SECONDS and median_us <= GOAL_LOOKUP_MEDIAN_US
    print(f"goal read time: {load_seconds:.2f} s <= {GOAL_LOAD_SECONDS} s")
    print(f"goal lookup median: {median_us:.2f} us <= {GOAL_LOOKUP_MEDIAN_US} us")
    print("all goals met" if met else "some goals missed")


if __name__ == "__main__":
    main()
