"""The figures as the admin API gives them (GET /api/admin/stats) and the control room shows
them: the same objects, so the page and its JSON twin cannot disagree."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class Funnel(BaseModel):
    """Letters that reached each step, whatever came after (each at most the one before it,
    held aside: not every letter is held)."""

    submitted: int = 0
    confirmed: int = 0
    held: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0


class Period(BaseModel):
    """Letters reaching each step in one hour or one day (UTC)."""

    start: datetime | date
    submitted: int = 0
    confirmed: int = 0
    held: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0


class GroupCount(BaseModel):
    """Letters of one chamber, nation or party: those that count towards the goal
    (confirmed by their supporter), and those delivered or bounced now."""

    letters: int = 0
    delivered: int = 0
    bounced: int = 0


class OwnWords(BaseModel):
    """Of the letters that count: those whose paragraph is the supporter's own (not empty,
    not the campaign's text, not held as a copy of other letters), and those held as copies."""

    letters: int = 0
    own_words: int = 0
    copies: int = 0
    share: float | None = None  # own_words / letters


class HeldWaiting(BaseModel):
    letters: int = 0  # held and waiting for a moderator's decision
    returned: int = 0  # sent back to their supporter to rewrite
    oldest_since: datetime | None = None  # when the oldest letter still held was written


class CampaignFigures(BaseModel):
    campaign: str
    funnel: Funnel
    status: dict[str, int]
    failed: int  # letters whose email we gave up sending (outbox failed)
    hours: list[Period]  # the last 48 hours
    days: list[Period]  # every day with letters
    by_chamber: dict[str, GroupCount]
    by_nation: dict[str, GroupCount]
    by_party: dict[str, GroupCount]
    personal: OwnWords
    held: HeldWaiting


class WindowHealth(BaseModel):
    """What happened to letters sent to one receiving domain in a window: counts of sends and
    provider events, rates against the sends, and the mean time from send to delivered."""

    sent: int = 0
    delivered: int = 0
    deferred: int = 0
    bounced: int = 0
    blocked: int = 0
    dropped: int = 0
    spam_reports: int = 0
    accepted_rate: float | None = None
    deferred_rate: float | None = None
    bounced_rate: float | None = None
    blocked_rate: float | None = None
    seconds_to_delivered: float | None = None


class DomainHealth(BaseModel):
    domain: str
    day: WindowHealth  # the last 24 hours, this one included (UTC hours)
    hour: WindowHealth  # this hour (UTC)


class DeliveryHealth(BaseModel):
    since: datetime  # the first hour of the day's window
    domains: list[DomainHealth]  # the parliaments' first, then by letters sent
    spam_reports: int  # ever
    unmatched_events: int  # provider events that matched no email of ours, ever
