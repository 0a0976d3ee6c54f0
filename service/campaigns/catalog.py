"""Campaigns resolved into a language, and their templates, kept across requests.

Every letter needs its campaign's texts, demands and templates, up to three times (the letter,
then the supporter's email around it). Read from the database on each use, they cost more
than the rest of a submission, yet they change only when organisers edit the campaign. So each
process keeps them, keyed by the campaign's id and `updated_at`: the campaign row itself is
still read by every use case (to check that it is open), and that read is what tells a process
that another one has changed the campaign.

The campaign row itself comes from `current_campaign`: one plain read of the row, turned into a
`Campaign` only when its revision is new to the process. Those snapshots are shared by every
request, so nothing may change them or add them to a session: code that edits a campaign loads
it through the ORM (campaigns.service.get_campaign).

The key is sound because `updated_at` moves forward whenever a campaign, or one of its texts,
demands or templates, changes through the ORM (`_move_revision` below, before every flush).
Code that writes those tables without the ORM must move it too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, event, select
from sqlalchemy.orm import Session

from service.campaigns.models import Campaign, CampaignDemand, CampaignTemplate, CampaignText
from service.campaigns.schemas import CampaignView

T = TypeVar("T")
_CONTENT = (CampaignText, CampaignDemand, CampaignTemplate)
_TICK = timedelta(microseconds=1)


class _Memo:
    """A small thread-safe LRU map. Two threads missing the same key at once both compute it;
    the values are equal, so either may win."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                found: T = self._items[key]
                return found
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


# A few campaigns at once, two languages each, and the revisions just replaced.
_VIEWS = _Memo(size=64)
_TEMPLATES = _Memo(size=64)
_CAMPAIGNS = _Memo(size=64)

_ROW = Campaign.__table__  # type: ignore[attr-defined]
_BY_SLUG: Select[Any] = select(_ROW).where(_ROW.c.slug == bindparam("key"))
_BY_ID: Select[Any] = select(_ROW).where(_ROW.c.id == bindparam("key"))


def current_campaign(
    session: Session, *, slug: str | None = None, id: int | None = None
) -> Campaign | None:
    """The campaign named `slug` (or numbered `id`) as it is now: a read-only snapshot (see the
    module's docstring), or None when there is no such campaign."""
    statement, key = (_BY_SLUG, slug) if slug is not None else (_BY_ID, id)
    row = session.connection().execute(statement, {"key": key}).first()
    if row is None:
        return None
    found: Campaign = _CAMPAIGNS.get(
        (row.id, row.updated_at), lambda: Campaign.model_validate(row._mapping)
    )
    return found


def campaign_view(campaign: Campaign, lang: str, read: Callable[[], CampaignView]) -> CampaignView:
    """The campaign in `lang` at its current revision; `read` reads it on a miss."""
    return _VIEWS.get((campaign.id, campaign.updated_at, lang), read)


def campaign_templates(view: CampaignView, lang: str, read: Callable[[], T]) -> T:
    """The templates of `view`'s campaign in `lang`; `read` reads them on a miss."""
    return _TEMPLATES.get((view.id, view.updated_at, lang), read)


def forget_all() -> None:
    """Empty the caches (after a bulk change made without the ORM)."""
    _VIEWS.clear()
    _TEMPLATES.clear()
    _CAMPAIGNS.clear()


def _later(previous: datetime | None) -> datetime:
    now = datetime.now(UTC)
    if previous is None:
        return now
    if previous.tzinfo is None:
        previous = previous.replace(tzinfo=UTC)
    return max(now, previous + _TICK)  # strictly later, even with a clock set back


@event.listens_for(Session, "before_flush")
def _move_revision(session: Session, _context: Any, _instances: Any) -> None:
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _CONTENT):
            touched.add(obj.campaign_id)
        elif isinstance(obj, Campaign) and obj.id is not None and session.is_modified(obj):
            touched.add(obj.id)
    if not touched:
        return
    with session.no_autoflush:
        for campaign_id in touched:
            campaign = session.get(Campaign, campaign_id)
            if campaign is not None:
                campaign.updated_at = _later(campaign.updated_at)
