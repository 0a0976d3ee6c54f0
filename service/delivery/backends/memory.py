"""Keeps what it was given, for tests; can be told to fail or to take its time."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from service.delivery.schemas import OutgoingEmail


@dataclass(frozen=True, slots=True)
class SentEmail:
    outbox_id: str
    email: OutgoingEmail
    provider_message_id: str


class MemoryBackend:
    name = "memory"

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.sent: list[SentEmail] = []
        self.calls = 0
        self._script: deque[BaseException | None] = deque()
        self._lock = threading.Lock()

    def fail_next(self, *errors: BaseException | None) -> None:
        """The next sends raise these, in order (None: that one succeeds)."""
        with self._lock:
            self._script.extend(errors)

    def send(self, email: OutgoingEmail, *, outbox_id: str) -> str:
        with self._lock:
            self.calls += 1
            scripted = self._script.popleft() if self._script else None
            number = self.calls
        if self.latency:
            time.sleep(self.latency)
        if scripted is not None:
            raise scripted
        provider_id = f"memory-{number}"
        with self._lock:
            self.sent.append(SentEmail(outbox_id, email, provider_id))
        return provider_id

    def close(self) -> None:
        return None
