"""Use cases over the representatives directory: apply an import, search, describe."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from service.representatives.models import (
    Chamber,
    ChamberId,
    Constituency,
    Representative,
    RepresentativeStatus,
)
from service.representatives.names import search_key, shown_name
from service.representatives.schemas import (
    ConstituencyOut,
    ConstituencyRecord,
    ImportReport,
    RepresentativeOut,
    RepresentativeRecord,
)

CHAMBERS: tuple[Chamber, ...] = (
    Chamber(
        id=ChamberId.uk_commons,
        name="House of Commons",
        country="uk",
        timezone="Europe/London",
        language="en",
    ),
    Chamber(
        id=ChamberId.fr_an,
        name="Assemblée nationale",
        country="fr",
        timezone="Europe/Paris",
        language="fr",
    ),
)

Progress = Callable[[int], None]


def ensure_chambers(session: Session) -> None:
    for chamber in CHAMBERS:
        if session.get(Chamber, chamber.id) is None:
            session.add(Chamber.model_validate(chamber.model_dump()))
    session.flush()


def apply_import(
    session: Session,
    chamber_id: ChamberId,
    constituencies: Sequence[ConstituencyRecord],
    representatives: Sequence[RepresentativeRecord],
    *,
    complete: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Bring the directory in line with one source's records, idempotently.

    A changed member is updated; a member who no longer sits (or whose seat left the data,
    when `complete` says the records are the whole chamber) becomes vacant. A member an
    organiser paused stays paused. The caller owns the transaction.
    """
    report = ImportReport()
    ensure_chambers(session)
    _apply_constituencies(session, chamber_id, constituencies, report)

    existing = {
        rep.id: rep
        for rep in session.exec(
            select(Representative).where(Representative.chamber_id == chamber_id)
        )
    }
    seen: set[str] = set()
    sitting_by_seat: dict[str, str] = {}
    now = datetime.now(UTC)
    for record in representatives:
        if record.constituency_id in sitting_by_seat:
            report.warnings.append(
                f"{record.constituency_id}: two members in the data "
                f"({sitting_by_seat[record.constituency_id]}, {record.id}); kept the first"
            )
            continue
        sitting_by_seat[record.constituency_id] = record.id
        seen.add(record.id)
        _apply_representative(session, chamber_id, record, existing.get(record.id), now, report)
        if progress:
            progress(1)

    for rep in existing.values():
        if rep.status == RepresentativeStatus.vacant:
            continue
        replaced = sitting_by_seat.get(rep.constituency_id, rep.id) != rep.id
        vanished = complete and rep.id not in seen
        if replaced or vanished:
            rep.status = RepresentativeStatus.vacant
            rep.updated_at = now
            session.add(rep)
            report.vacated += 1
            report.departed.append(rep.id)
    session.flush()
    return report


def _apply_constituencies(
    session: Session,
    chamber_id: ChamberId,
    records: Iterable[ConstituencyRecord],
    report: ImportReport,
) -> None:
    existing = {
        c.id: c
        for c in session.exec(select(Constituency).where(Constituency.chamber_id == chamber_id))
    }
    for record in records:
        values: dict[str, Any] = {
            "name": record.name,
            "name_cy": record.name_cy,
            "region": record.region,
            "search_key": search_key(record.name),
        }
        row = existing.get(record.id)
        if row is None:
            session.add(Constituency(id=record.id, chamber_id=chamber_id, **values))
            report.constituencies_created += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            session.add(row)
            report.constituencies_updated += 1
    session.flush()


def _apply_representative(
    session: Session,
    chamber_id: ChamberId,
    record: RepresentativeRecord,
    row: Representative | None,
    now: datetime,
    report: ImportReport,
) -> None:
    values: dict[str, Any] = {
        "constituency_id": record.constituency_id,
        "name": record.name,
        "party": record.party,
        "email": record.email or None,
        "civility": record.civility,
        "source": record.source,
        "retrieved_on": record.retrieved_on,
        "search_key": search_key(record.name),
    }
    if row is None:
        session.add(
            Representative(
                id=record.id,
                chamber_id=chamber_id,
                status=RepresentativeStatus.active,
                updated_at=now,
                **values,
            )
        )
        report.created += 1
        return
    came_back = row.status == RepresentativeStatus.vacant
    if not came_back and all(getattr(row, key) == value for key, value in values.items()):
        report.unchanged += 1
        return
    for key, value in values.items():
        setattr(row, key, value)
    if came_back:
        row.status = RepresentativeStatus.active
    row.updated_at = now
    session.add(row)
    report.updated += 1


def describe(rep: Representative, constituency: Constituency) -> RepresentativeOut:
    return RepresentativeOut(
        id=rep.id,
        name=rep.name,
        party=rep.party,
        chamber=rep.chamber_id,
        constituency=ConstituencyOut(id=constituency.id, name=shown_name(constituency.name)),
        can_write=rep.can_write,
    )


def representatives_for(
    session: Session, constituency_ids: Sequence[str]
) -> list[RepresentativeOut]:
    """The sitting member of each constituency, in the order given; a seat with no sitting
    member is described by its last member, marked as not writable."""
    if not constituency_ids:
        return []
    rows = session.exec(
        select(Representative, Constituency)
        .join(Constituency, col(Constituency.id) == Representative.constituency_id)
        .where(col(Representative.constituency_id).in_(constituency_ids))
        .order_by(col(Representative.updated_at).desc())
    ).all()
    best: dict[str, tuple[Representative, Constituency]] = {}
    for rep, constituency in rows:
        current = best.get(constituency.id)
        if current is None or (
            current[0].status == RepresentativeStatus.vacant
            and rep.status != RepresentativeStatus.vacant
        ):
            best[constituency.id] = (rep, constituency)
    return [describe(*best[cid]) for cid in constituency_ids if cid in best]


def seats_in_region(session: Session, chamber_id: ChamberId, region: str) -> list[str]:
    """Constituency ids of one region of a chamber (a UK nation), by constituency name."""
    return list(
        session.exec(
            select(Constituency.id)
            .where(Constituency.chamber_id == chamber_id, Constituency.region == region)
            .order_by(Constituency.name)
        ).all()
    )


def search_constituencies(
    session: Session, chamber_id: ChamberId, query: str, *, limit: int = 20
) -> list[RepresentativeOut]:
    """Pick-by-name: constituencies whose name, or whose member's name, contains the query."""
    key = search_key(query)
    if not key:
        return []
    pattern = f"%{key}%"
    matches = session.exec(
        select(Constituency.id)
        .join(
            Representative,
            col(Representative.constituency_id) == Constituency.id,
            isouter=True,
        )
        .where(Constituency.chamber_id == chamber_id)
        .where(
            or_(
                col(Constituency.search_key).like(pattern),
                col(Representative.search_key).like(pattern),
            )
        )
        .distinct()
        .order_by(Constituency.id)
    ).all()
    reps = representatives_for(session, list(matches))
    # Seats whose name starts with the query come first ("Bath" before "Bathgate and ...").
    reps.sort(
        key=lambda rep: (
            not search_key(rep.constituency.name).startswith(key),
            rep.constituency.name,
        )
    )
    return reps[:limit]
