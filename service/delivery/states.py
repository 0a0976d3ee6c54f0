"""The outbox state machine: every state an outgoing email can be in, and the only moves
between them. Anything not in TRANSITIONS raises InvalidTransition."""

from __future__ import annotations

from enum import StrEnum

from service.errors import Conflict


class OutboxState(StrEnum):
    queued = "queued"  # waiting for next_attempt_at; a worker may claim it
    held = "held"  # kept back on purpose (moderation, a paused representative); not claimable
    sending = "sending"  # leased by a worker, or sent with an unknown outcome (ambiguous_since)
    sent = "sent"  # the provider accepted it (SendGrid 202, SMTP 250, file written)
    delivered = "delivered"  # the receiving server accepted it (provider event)
    deferred = "deferred"  # the provider is retrying delivery (provider event)
    bounced = "bounced"  # the receiving server refused it (provider event)
    dropped = "dropped"  # the provider refused to deliver it (provider event)
    failed = "failed"  # we gave up: permanent error, or too many attempts; see last_error
    cancelled = "cancelled"  # withdrawn before it was sent
    expired = "expired"  # not sent before its deadline


S = OutboxState

# from-state -> the states it may move to. None is "the row does not exist yet".
TRANSITIONS: dict[OutboxState | None, frozenset[OutboxState]] = {
    None: frozenset({S.queued, S.held}),
    S.queued: frozenset({S.sending, S.held, S.cancelled, S.expired}),
    S.held: frozenset({S.queued, S.cancelled, S.expired}),
    S.sending: frozenset(
        {
            S.sending,  # lease lost, or a timeout after the request left: outcome unknown
            S.sent,
            S.queued,  # transient error, released at shutdown, or no evidence after the window
            S.failed,
            # provider evidence that an ambiguous send did go out
            S.delivered,
            S.deferred,
            S.bounced,
            S.dropped,
        }
    ),
    S.sent: frozenset({S.delivered, S.deferred, S.bounced, S.dropped}),
    S.deferred: frozenset({S.deferred, S.delivered, S.bounced, S.dropped}),
    S.delivered: frozenset({S.bounced}),  # asynchronous bounces arrive after "delivered"
    S.failed: frozenset({S.queued}),  # an operator retries it after fixing the cause
    S.bounced: frozenset(),
    S.dropped: frozenset(),
    S.cancelled: frozenset(),
    S.expired: frozenset(),
}

# States in which the provider has (or may have) the message: never send it again from here.
PROVIDER_STATES = frozenset({S.sent, S.delivered, S.deferred, S.bounced, S.dropped})
FINAL_STATES = frozenset(state for state, moves in TRANSITIONS.items() if state and not moves)


class InvalidTransition(Conflict):
    code = "invalid_transition"

    def __init__(self, current: OutboxState | None, target: OutboxState) -> None:
        super().__init__(f"an outbox message cannot go from {current or 'nothing'} to {target}")
        self.current = current
        self.target = target


def can_move(current: OutboxState | None, target: OutboxState) -> bool:
    return target in TRANSITIONS[current]


def require_move(current: OutboxState | None, target: OutboxState) -> None:
    if not can_move(current, target):
        raise InvalidTransition(current, target)
