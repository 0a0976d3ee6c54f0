"""The periodic jobs the workers run: one worker at a time (a lease row), once per
interval whatever the number of workers, taken over when a worker dies holding the lease; a
failing job does not stop the others; the run loop calls them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.clock import FakeClock, SystemClock
from service.delivery.jobs import Periodic, acquire
from service.delivery.worker import Worker

MakeWorker = Callable[..., Worker]


def recording(calls: list[str], name: str = "job") -> Callable[[Session, datetime], object]:
    def job(_session: Session, _now: datetime) -> int:
        calls.append(name)
        return len(calls)

    return job


def test_one_run_per_interval_whatever_the_number_of_workers(db: Engine, clock: FakeClock) -> None:
    calls: list[str] = []
    periodic = Periodic(jobs=[("count", recording(calls))], interval_seconds=60)
    assert periodic.run(db, owner="w1", clock=clock) == {"count": 1}
    assert periodic.run(db, owner="w2", clock=clock) is None  # ran less than a minute ago
    clock.advance(seconds=30)
    assert periodic.run(db, owner="w1", clock=clock) is None
    clock.advance(seconds=30)
    assert periodic.run(db, owner="w2", clock=clock) == {"count": 2}
    assert calls == ["job", "job"]


def test_a_lease_held_by_a_dead_worker_is_taken_over(db: Engine, clock: FakeClock) -> None:
    assert acquire(db, owner="dead", now=clock.now(), interval=60)  # and never released
    clock.advance(minutes=5)
    assert not acquire(db, owner="w2", now=clock.now(), interval=60)  # the lease still holds
    clock.advance(minutes=6)
    assert acquire(db, owner="w2", now=clock.now(), interval=60)


def test_a_failing_job_does_not_stop_the_others(
    db: Engine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def broken(_session: Session, _now: datetime) -> None:
        raise RuntimeError("boom with alex@example.org")  # never logged: only its type

    periodic = Periodic(
        jobs=[("broken", broken), ("after", recording(calls, "after"))], interval_seconds=60
    )
    with caplog.at_level(logging.ERROR, logger="repmail.delivery.jobs"):
        assert periodic.run(db, owner="w1", clock=clock) == {"broken": None, "after": 1}
    [failed] = caplog.records
    assert failed.job == "broken" and failed.error == "RuntimeError"  # type: ignore[attr-defined]
    assert "alex@" not in caplog.text
    clock.advance(minutes=1)
    assert periodic.run(db, owner="w1", clock=clock) is not None  # the lease was released


def test_only_one_of_many_simultaneous_workers_runs_the_jobs(db: Engine, clock: FakeClock) -> None:
    calls: list[str] = []
    periodic = Periodic(jobs=[("count", recording(calls))], interval_seconds=60)
    start = threading.Barrier(6)
    results: list[object] = []

    def run(owner: str) -> None:
        start.wait()
        results.append(periodic.run(db, owner=owner, clock=clock))

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["job"]
    assert sum(1 for result in results if result is not None) == 1


def test_the_run_loop_calls_the_periodic_jobs(db: Engine, make_worker: MakeWorker) -> None:
    calls: list[str] = []
    periodic = Periodic(jobs=[("count", recording(calls))], interval_seconds=0.05)
    worker = make_worker(clock=SystemClock(), periodic=periodic)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 10
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    thread.join(10)
    assert len(calls) >= 3
