"""The one interface every email backend implements, and the two ways a send can fail."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from service.delivery.schemas import OutgoingEmail


class SendError(Exception):
    """Base of what a backend may raise. `reason` is stored on the outbox row: keep personal
    data out of it (status codes and provider messages, not addresses)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:500]


class TransientSendError(SendError):
    """Try again later: 429, 5xx, a connection that never carried the request.

    `retry_after` (seconds) or `retry_at` (an absolute time, e.g. from X-RateLimit-Reset)
    say when; otherwise the worker backs off exponentially. `rate_limited` errors are the
    account's, not the message's: they do not use up the message's attempts."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        retry_at: datetime | None = None,
        rate_limited: bool = False,
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.retry_at = retry_at
        self.rate_limited = rate_limited


class AmbiguousSendError(TransientSendError):
    """The request left, and no answer came back (a read timeout, a reset connection): the
    provider may have accepted it. The worker waits for evidence before sending again."""


class PermanentSendError(SendError):
    """Never retry (400, 413, a refused recipient). `account_level` errors (401, 403, a
    refused login or sender) concern every message, so the worker also pauses delivery."""

    def __init__(self, reason: str, *, account_level: bool = False) -> None:
        super().__init__(reason)
        self.account_level = account_level


class EmailBackend(Protocol):
    name: str

    def send(self, email: OutgoingEmail, *, outbox_id: str) -> str:
        """Hand one email to the provider; return the provider's message id. Raises
        TransientSendError (incl. AmbiguousSendError) or PermanentSendError. Called from
        several threads at once."""
        ...

    def close(self) -> None: ...
