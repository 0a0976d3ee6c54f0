"""The bundled, normalised snapshot under representatives/: written by the importers,
loaded into the database on first start (and again only when the files change)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
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
)
# Snapshot folder per chamber.
CHAMBER_FOLDERS = {ChamberId.uk_commons: "uk", ChamberId.fr_an: "fr"}


def write_chamber_snapshot(
    data_dir: Path,
    chamber_id: ChamberId,
    constituencies: Sequence[ConstituencyRecord],
    representatives: Sequence[RepresentativeRecord],
) -> None:
    folder = data_dir / CHAMBER_FOLDERS[chamber_id]
    write_csv(
        folder / "constituencies.csv",
        CONSTITUENCY_COLUMNS,
        ((c.id, c.name, c.name_cy, c.region) for c in constituencies),
    )
    write_csv(
        folder / "representatives.csv",
        REPRESENTATIVE_COLUMNS,
        (
            (r.id, r.constituency_id, r.name, r.party, r.email, r.source, r.retrieved_on)
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
        )
        for row in read_csv(folder / "representatives.csv")
    ]
    return constituencies, representatives


@dataclass(frozen=True)
class BundledDataset:
    """A group of snapshot files loaded together by one function."""

    name: str
    files: tuple[str, ...]
    load: Callable[[Session, Path], int]


def _chamber_loader(chamber_id: ChamberId) -> Callable[[Session, Path], int]:
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
        apply_import(session, chamber_id, constituencies, representatives)
        return len(representatives)

    return load


def bundled_datasets() -> list[BundledDataset]:
    # In this order: the geography tables refer to the constituencies loaded before them.
    return [
        BundledDataset(
            "uk-commons",
            ("uk/constituencies.csv", "uk/representatives.csv"),
            _chamber_loader(ChamberId.uk_commons),
        ),
        BundledDataset(
            "fr-an",
            ("fr/constituencies.csv", "fr/representatives.csv"),
            _chamber_loader(ChamberId.fr_an),
        ),
        BundledDataset("fr-geography", FR_GEOGRAPHY_FILES, load_fr_geography),
    ]


def files_checksum(data_dir: Path, files: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode())
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()


def load_bundled(session: Session, data_dir: Path) -> dict[str, int | None]:
    """Load every bundled dataset whose files changed since the last load.

    Returns rows loaded per dataset (None where it was already current). One transaction:
    the caller commits.
    """
    loaded: dict[str, int | None] = {}
    for dataset in bundled_datasets():
        checksum = files_checksum(data_dir, dataset.files)
        current = session.get(DatasetLoad, dataset.name)
        if current is not None and current.checksum == checksum:
            loaded[dataset.name] = None
            continue
        rows = dataset.load(session, data_dir)
        record_load(session, dataset.name, checksum, rows)
        loaded[dataset.name] = rows
    return loaded


def record_load(session: Session, name: str, checksum: str, rows: int) -> None:
    current = session.get(DatasetLoad, name) or DatasetLoad(
        name=name, checksum=checksum, rows=rows, loaded_at=datetime.now(UTC)
    )
    current.checksum = checksum
    current.rows = rows
    current.loaded_at = datetime.now(UTC)
    session.add(current)
    session.flush()
