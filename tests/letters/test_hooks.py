"""What letters give the delivery worker at start-up: its periodic jobs."""

from __future__ import annotations

from datetime import timedelta

from service.config import Environment, Settings
from service.letters.hooks import letter_jobs


def test_the_workers_jobs_are_the_letters_and_the_overdue_sweep() -> None:
    settings = Settings(env=Environment.test)
    periodic = letter_jobs(settings)
    assert [name for name, _ in periodic.jobs] == [
        "reminders",
        "missed_deadlines",
        "purge",
        "overdue",
        "retention",
    ]
    assert periodic.interval_seconds == settings.delivery.jobs_interval_seconds == 60
    assert timedelta(seconds=periodic.interval_seconds) == timedelta(minutes=1)
