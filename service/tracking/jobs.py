"""Tracking's periodic job, added to the workers' list at start-up (app and cli): batches a
crash or an error left unprocessed are applied once they are reprocess_after_seconds old."""

from __future__ import annotations

from service.config import Settings
from service.delivery.jobs import Periodic
from service.tracking.listeners import LetterOutcomes
from service.tracking.service import process_pending


def with_tracking(periodic: Periodic, settings: Settings, letters: LetterOutcomes) -> Periodic:
    return Periodic(
        jobs=(
            *periodic.jobs,
            (
                "webhook_batches",
                lambda session, now: process_pending(session, letters, settings.tracking, now=now),
            ),
        ),
        interval_seconds=periodic.interval_seconds,
    )
