"""The letter's state machine: every status a supporter's letter can have, and the only moves
between them. Anything not in TRANSITIONS raises InvalidTransition."""

from __future__ import annotations

from enum import StrEnum

from service.errors import Conflict


class LetterStatus(StrEnum):
    pending_confirmation = "pending_confirmation"  # waiting for the supporter's click
    confirmed = "confirmed"  # clicked; passing on to the outbox (or to review)
    queued = "queued"  # in the outbox, paced towards the representative
    sent = "sent"  # the email provider accepted it
    delivered = "delivered"  # the representative's mail server accepted it
    bounced = "bounced"  # the representative's mail server refused it
    held = "held"  # kept back for an organiser's review (too similar, empty paragraph, ...)
    expired = "expired"  # never confirmed in time
    rejected = "rejected"  # too late for the deadline, or refused on review


class HoldReason(StrEnum):
    similar = "similar"  # the personal paragraph reads like other letters to the same person
    empty = "empty"  # no personal paragraph (or too short to be one)
    campaign_text = "campaign_text"  # the paragraph repeats the campaign's own texts
    representative_unavailable = "representative_unavailable"  # seat vacated since writing
    # A moderator sent it back for the supporter to rewrite in their own words.
    returned = "returned"


S = LetterStatus

TRANSITIONS: dict[LetterStatus, frozenset[LetterStatus]] = {
    S.pending_confirmation: frozenset({S.confirmed, S.expired, S.rejected}),
    S.confirmed: frozenset({S.queued, S.held, S.rejected}),
    S.held: frozenset({S.queued, S.rejected}),
    # held: its representative left the seat before it went out (letters.departures).
    S.queued: frozenset({S.sent, S.rejected, S.bounced, S.held}),
    S.sent: frozenset({S.delivered, S.bounced}),
    S.delivered: frozenset({S.bounced}),  # asynchronous bounces arrive after "delivered"
    S.bounced: frozenset(),
    S.expired: frozenset(),
    S.rejected: frozenset(),
}

# Letters that count towards the campaign's goal: the supporter confirmed them.
COUNTED = frozenset({S.confirmed, S.queued, S.sent, S.delivered, S.bounced, S.held})
# Letters that never went anywhere; they neither block a new letter's similarity check nor
# count as another copy.
DEAD = frozenset({S.expired, S.rejected})


class InvalidTransition(Conflict):
    code = "invalid_transition"


def require_move(current: LetterStatus, target: LetterStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"A letter cannot go from {current} to {target}.", field="status")


# A supporter may still change the personal paragraph of these.
EDITABLE = frozenset({S.pending_confirmation, S.held})
