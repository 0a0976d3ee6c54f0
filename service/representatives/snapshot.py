"""The bundled, normalised snapshot under representatives/: written by the importers,
loaded into the database on first start (and again only when the files change)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from service.representatives.importers.fr_geography_snapshot import (
    FR_GEOGRAPHY_FILES,
    load_fr_geography,
)
from service.representatives.models import ChamberId, DatasetLoad, Representative
from service.representatives.schemas import (
    ConstituencyRecord,
    RepresentativeRecord,
)
from service.representatives.service import apply_import
from service.representatives.snapshot_csv import read_csv, write_csv

log = logging.getLogger("repmail.snapshot")

CONSTITUENCY_COLUMNS = ("id", "name", "name_cy", "region")
REPRESENTATIVE_COLUMNS = (
    "id",
    "constituency_id",
    "name",
    "party",
    "email",
    "source",
    "retrieved_on",
    "civility",
)
SNAPSHOT_INFO_COLUMNS = ("source", "source_date", "checked_on")
# Snapshot folder per chamber.
CHAMBER_FOLDERS = {ChamberId.uk_commons: "uk", ChamberId.fr_an: "fr"}
# The dataset_load row of each chamber's members (bundled snapshot or import).
CHAMBER_DATASETS = {ChamberId.uk_commons: "uk-commons", ChamberId.fr_an: "fr-an"}


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a dataset as a whole comes from and the date its source describes."""

    source: str
    source_date: date | None
    # The last date a check against a fresher source found the data unchanged, if later.
    checked_on: date | None = None

    @classmethod
    def of_records(
        cls, representatives: Sequence[RepresentativeRecord], checked_on: date | None = None
    ) -> SourceInfo:
        sources = sorted({r.source for r in representatives})
        newest = max((r.retrieved_on for r in representatives), default=None)
        return cls("; ".join(sources), newest, checked_on)


def write_chamber_snapshot(
    data_dir: Path,
    chamber_id: ChamberId,
    constituencies: Sequence[ConstituencyRecord],
    representatives: Sequence[RepresentativeRecord],
    *,
    checked_on: date | None = None,
) -> None:
    folder = data_dir / CHAMBER_FOLDERS[chamber_id]
    info = SourceInfo.of_records(representatives, checked_on)
    write_csv(
        folder / "snapshot.csv",
        SNAPSHOT_INFO_COLUMNS,
        [(info.source, info.source_date, info.checked_on)],
    )
    write_csv(
        folder / "constituencies.csv",
        CONSTITUENCY_COLUMNS,
        ((c.id, c.name, c.name_cy, c.region) for c in constituencies),
    )
    # The civility column only for a chamber whose source gives it (the Assemblée's does).
    with_civility = any(r.civility for r in representatives)
    columns = REPRESENTATIVE_COLUMNS if with_civility else REPRESENTATIVE_COLUMNS[:-1]
    write_csv(
        folder / "representatives.csv",
        columns,
        (
            (r.id, r.constituency_id, r.name, r.party, r.email, r.source, r.retrieved_on)
            + ((r.civility,) if with_civility else ())
            for r in representatives
        ),
    )


def read_chamber_snapshot(
    data_dir: Path, chamber_id: ChamberId
) -> tuple[list[ConstituencyRecord], list[RepresentativeRecord]]:
    folder = data_dir / CHAMBER_FOLDERS[chamber_id]
    constituencies = [
        ConstituencyRecord(
            id=row["id"], name=row["name"], name_cy=row["name_cy"] or None, region=row["region"]
        )
        for row in read_csv(folder / "constituencies.csv")
    ]
    representatives = [
        RepresentativeRecord(
            id=row["id"],
            constituency_id=row["constituency_id"],
            name=row["name"],
            party=row["party"],
            email=row["email"] or None,
            source=row["source"],
            retrieved_on=date.fromisoformat(row["retrieved_on"]),
            civility=row.get("civility") or None,
        )
        for row in read_csv(folder / "representatives.csv")
    ]
    return constituencies, representatives


def read_source_info(data_dir: Path, *, chamber_id: ChamberId) -> SourceInfo:
    [row] = read_csv(data_dir / CHAMBER_FOLDERS[chamber_id] / "snapshot.csv")
    return SourceInfo(
        source=row["source"],
        source_date=date.fromisoformat(row["source_date"]) if row["source_date"] else None,
        checked_on=date.fromisoformat(row["checked_on"]) if row["checked_on"] else None,
    )


@dataclass(frozen=True)
class BundledDataset:
    """A group of snapshot files loaded together by one function."""

    name: str
    files: tuple[str, ...]
    load: Callable[[Session, Path], int]
    # What the dataset's own files say about its source, recorded with the load.
    describe: Callable[[Path], SourceInfo] | None = None


# Told which members a load took off their seat (inside the load's transaction).
DeparturesHook = Callable[[Session, Sequence[str]], object]


def _ignore_departures(session: Session, representative_ids: Sequence[str]) -> None:
    return None


def _chamber_loader(
    chamber_id: ChamberId, on_departures: DeparturesHook
) -> Callable[[Session, Path], int]:
    def load(session: Session, data_dir: Path) -> int:
        constituencies, representatives = read_chamber_snapshot(data_dir, chamber_id)
        # A deployment may have imported fresher data (Members API, AMO10) than the snapshot
        # a later release ships: an older snapshot must not roll that back.
        newest_loaded = session.exec(
            select(func.max(Representative.retrieved_on)).where(
                Representative.chamber_id == chamber_id
            )
        ).one()
        snapshot_date = max((r.retrieved_on for r in representatives), default=None)
        if newest_loaded and snapshot_date and snapshot_date < newest_loaded:
            log.info(
                "bundled snapshot older than the data in the database; kept the database",
                extra={"chamber": chamber_id.value, "snapshot": str(snapshot_date)},
            )
            return 0
        report = apply_import(session, chamber_id, constituencies, representatives)
        if report.departed:
            on_departures(session, report.departed)
        return len(representatives)

    return load


def chamber_files(chamber_id: ChamberId) -> tuple[str, ...]:
    folder = CHAMBER_FOLDERS[chamber_id]
    return (
        f"{folder}/constituencies.csv",
        f"{folder}/representatives.csv",
        f"{folder}/snapshot.csv",
    )


def bundled_datasets(on_departures: DeparturesHook = _ignore_departures) -> list[BundledDataset]:
    # In this order: the geography tables refer to the constituencies loaded before them.
    return [
        *(
            BundledDataset(
                CHAMBER_DATASETS[chamber_id],
                chamber_files(chamber_id),
                _chamber_loader(chamber_id, on_departures),
                partial(read_source_info, chamber_id=chamber_id),
            )
            for chamber_id in (ChamberId.uk_commons, ChamberId.fr_an)
        ),
        BundledDataset("fr-geography", FR_GEOGRAPHY_FILES, load_fr_geography),
    ]


def files_checksum(data_dir: Path, files: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode())
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()


def load_bundled(
    session: Session, data_dir: Path, on_departures: DeparturesHook = _ignore_departures
) -> dict[str, int | None]:
    """Load every bundled dataset whose files changed since the last load.

    Returns rows loaded per dataset (None where it was already current). One transaction:
    the caller commits.
    """
    loaded: dict[str, int | None] = {}
    for dataset in bundled_datasets(on_departures):
        checksum = files_checksum(data_dir, dataset.files)
        current = session.get(DatasetLoad, dataset.name)
        if current is not None and current.checksum == checksum:
            loaded[dataset.name] = None
            continue
        rows = dataset.load(session, data_dir)
        # A snapshot older than the database's data loads nothing, and says nothing either.
        info = dataset.describe(data_dir) if dataset.describe and rows else None
        record_load(session, dataset.name, checksum, rows, info)
        loaded[dataset.name] = rows
    return loaded


def record_load(
    session: Session, name: str, checksum: str, rows: int, info: SourceInfo | None = None
) -> None:
    current = session.get(DatasetLoad, name) or DatasetLoad(
        name=name, checksum=checksum, rows=rows, loaded_at=datetime.now(UTC)
    )
    current.checksum = checksum
    current.rows = rows
    current.loaded_at = datetime.now(UTC)
    if info is not None:
        current.source = info.source[:200]
        current.source_date = info.source_date
        current.checked_on = info.checked_on
    session.add(current)
    session.flush()


def record_source(session: Session, name: str, info: SourceInfo, rows: int) -> None:
    """Say where a dataset's data now comes from (an import) without touching the checksum
    of the bundled files it was last loaded from."""
    current = session.get(DatasetLoad, name) or DatasetLoad(
        name=name, checksum="", rows=rows, loaded_at=datetime.now(UTC)
    )
    current.source = info.source[:200]
    current.source_date = info.source_date
    current.checked_on = info.checked_on
    session.add(current)
    session.flush()
