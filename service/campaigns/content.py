"""A campaign's words as organisers edit them: its texts in English and French side by side,
and its demands, added, reordered and retired. Applied to the rows of a campaign whose row
the caller has locked; nothing here commits.

A demand's number is what letters record, so it never changes and is never reused: reordering
moves `position`, and retiring keeps the rows (letters already written still show the demand)
while new letters can no longer choose it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from service.campaigns.lifecycle import LANGUAGES, CampaignStatus
from service.campaigns.models import Campaign, CampaignDemand, CampaignText
from service.errors import Conflict, InvalidInput, NotFound

# (field, longest, required) of a campaign's text in one language.
TEXT_LIMITS: tuple[tuple[str, int, bool], ...] = (
    ("title", 200, True),
    ("sender_name", 100, False),
    ("summary", 2000, False),
    ("letter_intro", 4000, False),
    ("letter_closing", 4000, False),
)
MAX_SUBJECTS = 10
SUBJECT_LENGTH = 200
DEMAND_TITLE_LENGTH = 120
DEMAND_BODY_LENGTH = 2000

_TOO_LONG = {
    100: "Keep this to 100 characters.",
    200: "Keep this to 200 characters.",
    2000: "Keep this to 2,000 characters.",
    4000: "Keep this to 4,000 characters.",
}


class TextsRefused(InvalidInput):
    """Every field that was refused, keyed "<lang>_<field>", with its reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors = errors


@dataclass(frozen=True, slots=True)
class TextsIn:
    """A campaign's words in one language, as typed."""

    title: str
    summary: str = ""
    letter_intro: str = ""
    letter_closing: str = ""
    sender_name: str = ""
    subjects: list[str] = field(default_factory=list)


_SPACES = re.compile(r"[^\S\u00a0\u202f]+")


def _clean(value: str) -> str:
    return value.replace("\r\n", "\n").strip()


def _check(lang: str, texts: TextsIn, errors: dict[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, longest, required in TEXT_LIMITS:
        value = _clean(getattr(texts, name))
        if required and not value:
            errors[f"{lang}_{name}"] = "Write this text: it cannot be empty."
        elif len(value) > longest:
            errors[f"{lang}_{name}"] = _TOO_LONG[longest]
        values[name] = value
    # Runs of spaces squeezed, but no-break spaces kept (French: « Calais\u202f: … »).
    subjects = [s for s in (_SPACES.sub(" ", line).strip() for line in texts.subjects) if s]
    if len(subjects) > MAX_SUBJECTS:
        errors[f"{lang}_subjects"] = "Give at most 10 subject lines."
    elif any(len(s) > SUBJECT_LENGTH for s in subjects):
        errors[f"{lang}_subjects"] = "Keep each subject line to 200 characters."
    values["subjects"] = subjects
    values["sender_name"] = values["sender_name"] or None
    return values


def texts_of(session: Session, campaign: Campaign) -> dict[str, CampaignText]:
    rows = session.exec(select(CampaignText).where(CampaignText.campaign_id == campaign.id))
    return {row.lang: row for row in rows}


def set_texts(
    session: Session, campaign: Campaign, texts: dict[str, TextsIn]
) -> dict[str, list[str]]:
    """Writes the texts of each language given; returns the fields changed per language."""
    errors: dict[str, str] = {}
    checked = {lang: _check(lang, texts[lang], errors) for lang in LANGUAGES if lang in texts}
    if errors:
        raise TextsRefused(errors)
    assert campaign.id is not None
    rows = texts_of(session, campaign)
    changed: dict[str, list[str]] = {}
    for lang, values in checked.items():
        row = rows.get(lang) or CampaignText(
            campaign_id=campaign.id,
            lang=lang,
            title="",
            summary="",
            letter_intro="",
            letter_closing="",
            subjects=[],
        )
        names = [name for name, value in values.items() if getattr(row, name) != value]
        for name in names:
            setattr(row, name, values[name])
        if names or lang not in rows:
            session.add(row)
            changed[lang] = names
    session.flush()
    return changed


@dataclass(frozen=True, slots=True)
class DemandIn:
    """A demand in one language, as typed."""

    title: str
    body: str


@dataclass(frozen=True, slots=True)
class Demand:
    """A demand in every language, for the console."""

    number: int
    position: int  # 1-based among the offered demands; 0 when retired
    retired_at: datetime | None
    texts: dict[str, DemandIn]


def demands_of(session: Session, campaign: Campaign) -> list[Demand]:
    """Offered demands in their order, then retired ones."""
    rows = session.exec(
        select(CampaignDemand)
        .where(CampaignDemand.campaign_id == campaign.id)
        .order_by(col(CampaignDemand.position), col(CampaignDemand.number))
    ).all()
    by_number: dict[int, list[CampaignDemand]] = {}
    for row in rows:
        by_number.setdefault(row.number, []).append(row)
    offered = [n for n, group in by_number.items() if group[0].retired_at is None]
    retired = sorted(n for n in by_number if n not in offered)
    return [
        Demand(
            number=number,
            position=offered.index(number) + 1 if number in offered else 0,
            retired_at=by_number[number][0].retired_at,
            texts={row.lang: DemandIn(row.title, row.body) for row in by_number[number]},
        )
        for number in (*offered, *retired)
    ]


def add_demand(session: Session, campaign: Campaign, texts: dict[str, DemandIn]) -> int:
    """A new demand, last in the order, in every language; returns its number."""
    errors: dict[str, str] = {}
    for lang in LANGUAGES:
        given = texts.get(lang, DemandIn("", ""))
        title, body = _clean(given.title), _clean(given.body)
        if not title:
            errors[f"{lang}_title"] = "Write this text: it cannot be empty."
        elif len(title) > DEMAND_TITLE_LENGTH:
            errors[f"{lang}_title"] = "Keep a demand's title to 120 characters."
        if not body:
            errors[f"{lang}_body"] = "Write this text: it cannot be empty."
        elif len(body) > DEMAND_BODY_LENGTH:
            errors[f"{lang}_body"] = _TOO_LONG[DEMAND_BODY_LENGTH]
    if errors:
        raise TextsRefused(errors)
    assert campaign.id is not None
    highest = session.exec(
        select(func.max(CampaignDemand.number), func.max(CampaignDemand.position)).where(
            CampaignDemand.campaign_id == campaign.id
        )
    ).one()
    number = (highest[0] or 0) + 1
    position = max(highest[1] or 0, number - 1) + 1
    for lang in LANGUAGES:
        session.add(
            CampaignDemand(
                campaign_id=campaign.id,
                number=number,
                lang=lang,
                title=_clean(texts[lang].title),
                body=_clean(texts[lang].body),
                position=position,
            )
        )
    session.flush()
    return number


def _rows(session: Session, campaign: Campaign, number: int) -> list[CampaignDemand]:
    rows = list(
        session.exec(
            select(CampaignDemand).where(
                CampaignDemand.campaign_id == campaign.id, CampaignDemand.number == number
            )
        )
    )
    if not rows:
        raise NotFound("This campaign has no such demand.", field="demand")
    return rows


def move_demand(session: Session, campaign: Campaign, number: int, position: int) -> int:
    """Puts offered demand `number` at `position` (1-based) among the offered ones; returns
    the position it had."""
    order = [d.number for d in demands_of(session, campaign) if d.retired_at is None]
    _rows(session, campaign, number)
    if number not in order:
        raise Conflict("A retired demand has no place in the order.", field="demand")
    if not 1 <= position <= len(order):
        raise InvalidInput("That position is outside the list of demands.", field="position")
    before = order.index(number) + 1
    order.remove(number)
    order.insert(position - 1, number)
    places = {n: i for i, n in enumerate(order, start=1)}
    all_rows = session.exec(
        select(CampaignDemand).where(
            CampaignDemand.campaign_id == campaign.id, col(CampaignDemand.retired_at).is_(None)
        )
    ).all()
    for row in all_rows:
        if row.position != places[row.number]:
            row.position = places[row.number]
            session.add(row)
    session.flush()
    return before


def retire_demand(session: Session, campaign: Campaign, number: int, now: datetime) -> None:
    rows = _rows(session, campaign, number)
    if rows[0].retired_at is not None:
        raise Conflict("This demand is already retired.", field="demand")
    offered = {d.number for d in demands_of(session, campaign) if d.retired_at is None}
    if campaign.status == CampaignStatus.open and offered == {number}:
        raise Conflict(
            "An open campaign needs at least one demand: add another before retiring this one.",
            field="demand",
        )
    for row in rows:
        row.retired_at = now
        session.add(row)
    session.flush()
