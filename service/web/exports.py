"""The CSV exports of a campaign, for the console and the admin API alike: aggregates per
representative, per constituency and per day (staff and up), and one row per letter with the
supporter's personal data (the export permission only, recorded in the audit log before the
first row leaves). Each returns the CSV as a stream of text chunks (service.web.csv_stream).

Composed here because the letters (letters), the seats (representatives) and the audit log
(accounts) meet nowhere lower."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from service.accounts import audit
from service.accounts.audit import Actor
from service.accounts.roles import Permission
from service.accounts.service import require
from service.campaigns.models import Campaign
from service.db import use_case
from service.letters.export_rows import LETTER_COLUMNS, letter_rows
from service.letters.tallies import STATUS_ORDER, LetterTally, letters_by_day
from service.letters.tallies import letters_by_representative as tallies_of
from service.representatives.models import Representative
from service.web.csv_stream import csv_chunks
from service.web.seat_tallies import seat_tallies


class AggregateExport(StrEnum):
    representatives = "representatives"
    constituencies = "constituencies"
    days = "days"


_COUNT_COLUMNS = ("letters", "sent", "delivered", *(f"status_{s.value}" for s in STATUS_ORDER))
REPRESENTATIVE_COLUMNS = (
    "representative_id",
    "name",
    "party",
    "chamber_id",
    "constituency_id",
    "status",
    *_COUNT_COLUMNS,
)
CONSTITUENCY_COLUMNS = (
    "constituency_id",
    "constituency",
    "chamber_id",
    "region",
    "representative_id",
    "representative",
    *_COUNT_COLUMNS,
)
_REACHED = STATUS_ORDER[1:]  # every status a letter moves into after being written
DAY_COLUMNS = ("day", "written", *(f"reached_{s.value}" for s in _REACHED))


def _counts(tally: LetterTally) -> tuple[int, ...]:
    return (
        tally.total,
        tally.sent,
        tally.delivered,
        *(tally.by_status.get(s, 0) for s in STATUS_ORDER),
    )


def aggregate_csv(session: Session, campaign: Campaign, kind: AggregateExport) -> Iterator[str]:
    """At most one row per representative, seat or day: read whole, then streamed out."""
    assert campaign.id is not None
    if kind is AggregateExport.representatives:
        tallies = tallies_of(session, campaign.id)
        members = session.exec(select(Representative).order_by(col(Representative.id))).all()
        rows: list[tuple[object, ...]] = [
            (
                m.id,
                m.name,
                m.party,
                m.chamber_id,
                m.constituency_id,
                m.status,
                *_counts(tallies.get(m.id, LetterTally())),
            )
            for m in members
        ]
        return csv_chunks(REPRESENTATIVE_COLUMNS, rows)
    if kind is AggregateExport.constituencies:
        rows = [
            (
                s.constituency_id,
                s.name,
                s.chamber_id,
                s.region,
                s.representative_id,
                s.representative,
                *_counts(s.letters),
            )
            for s in seat_tallies(session, campaign.id)
        ]
        return csv_chunks(CONSTITUENCY_COLUMNS, rows)
    rows = [
        (d.day, d.written, *(d.reached.get(s, 0) for s in _REACHED))
        for d in letters_by_day(session, campaign.id)
    ]
    return csv_chunks(DAY_COLUMNS, rows)


def letters_csv(session: Session, actor: Actor, campaign: Campaign, now: datetime) -> Iterator[str]:
    """The audit entry is committed first: an export that starts is on record even if the
    download is cut off. The rows are then read batch by batch on the request's session,
    which FastAPI keeps open until the streamed answer is finished."""
    require(actor, Permission.export_personal_data)
    assert campaign.id is not None
    campaign_id = campaign.id
    with use_case(session):
        audit.record(session, actor, "letters.exported", now, target=f"campaign:{campaign.slug}")
        session.commit()

    return csv_chunks(LETTER_COLUMNS, letter_rows(session.connection(), campaign_id))
