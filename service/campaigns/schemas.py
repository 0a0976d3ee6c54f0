"""Read models of a campaign, in one language, for the letters and the pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class DemandView:
    number: int
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class CampaignView:
    """A campaign's rows, resolved into one language."""

    id: int
    slug: str
    lang: str
    title: str
    summary: str
    letter_intro: str
    letter_closing: str
    subjects: tuple[str, ...]
    # The demands offered to new letters, in the order organisers set.
    demands: tuple[DemandView, ...]
    sender_name: str
    sender_email: str
    timezone: str
    deadline: datetime
    closes_at: datetime
    goal: int
    # The campaign's updated_at when this view was read: the revision it shows.
    updated_at: datetime
    # Demands no longer offered, still there for the letters that chose them.
    retired: tuple[DemandView, ...] = ()

    def demand(self, number: int) -> DemandView | None:
        """Demand `number`, retired or not: what a letter already written shows."""
        return next((d for d in (*self.demands, *self.retired) if d.number == number), None)

    def offers(self, number: int) -> bool:
        """Whether a new letter may choose demand `number`."""
        return any(d.number == number for d in self.demands)

    def in_order(self, numbers: Iterable[int]) -> tuple[int, ...]:
        """The offered demands among `numbers`, in the campaign's order."""
        wanted = set(numbers)
        return tuple(d.number for d in self.demands if d.number in wanted)


class DemandOut(BaseModel):
    number: int
    title: str
    body: str


class CampaignOut(BaseModel):
    slug: str
    lang: str
    title: str
    summary: str
    demands: list[DemandOut]
    deadline: datetime
    closes_at: datetime
    open: bool
    goal: int
    # Letters confirmed so far (held ones included).
    letters: int


class OpenCampaignOut(BaseModel):
    """A campaign taking letters now: what a supporter (or a partner's site) needs to choose
    it; its page is /campaigns/{slug}, and POST /api/letters names it by `slug`."""

    slug: str
    lang: str
    title: str
    summary: str
    deadline: datetime
    closes_at: datetime
