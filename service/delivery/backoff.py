"""When a send that failed for now is tried again."""

from __future__ import annotations

import random
from datetime import datetime

from service.config import DeliverySettings
from service.delivery.backends import TransientSendError
from service.delivery.schemas import MessageKind


def retry_delay(
    error: TransientSendError,
    attempt: int,
    *,
    now: datetime,
    settings: DeliverySettings,
    rng: random.Random,
    kind: MessageKind = MessageKind.letter,
) -> float:
    """Seconds until the next try: the provider's hint (X-RateLimit-Reset) when it gave one,
    capped; else, for mail a supporter is waiting for, the quick delays first; else
    exponential backoff. All with jitter so workers do not retry in step."""
    if error.retry_at is not None or error.retry_after is not None:
        hinted = (
            (error.retry_at - now).total_seconds()
            if error.retry_at is not None
            else float(error.retry_after or 0)
        )
        hinted = min(max(hinted, 0.0), settings.rate_limit_cap_seconds)
        return hinted + rng.uniform(0, min(5.0, settings.backoff_base_seconds))
    if kind is not MessageKind.letter:
        quick = settings.supporter_retry_seconds
        if 1 <= attempt <= len(quick):
            delay = quick[attempt - 1]
            return delay / 2 + rng.uniform(0, delay / 2)
        attempt -= len(quick)  # then the usual backoff, from its first step
    exponential = settings.backoff_base_seconds * 2 ** max(attempt - 1, 0)
    capped = min(settings.backoff_cap_seconds, exponential)
    return capped / 2 + rng.uniform(0, capped / 2)  # "equal jitter"
