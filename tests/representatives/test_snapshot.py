"""The bundled snapshot: loaded once, re-loaded when it changes, never rolling back newer data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session

from service.config import Settings
from service.representatives.models import ChamberId, DatasetLoad, Representative
from service.representatives.schemas import ConstituencyRecord, RepresentativeRecord
from service.representatives.service import apply_import
from service.representatives.snapshot import load_bundled, read_chamber_snapshot


def test_a_second_load_of_unchanged_files_does_nothing(
    session: Session, settings: Settings
) -> None:
    loaded = load_bundled(session, settings.data_dir)
    assert set(loaded) == {"uk-commons", "fr-an", "fr-geography"}
    assert all(rows is None for rows in loaded.values())


def test_changed_files_are_loaded_again(session: Session, settings: Settings) -> None:
    row = session.get(DatasetLoad, "fr-an")
    assert row is not None
    row.checksum = "stale"
    session.add(row)
    session.flush()
    assert load_bundled(session, settings.data_dir)["fr-an"] == 577


def test_an_older_snapshot_does_not_undo_a_newer_import(
    session: Session, settings: Settings
) -> None:
    newer = RepresentativeRecord(
        id="uk-99999",
        constituency_id="E14001063",
        name="Newly Elected",
        party="Independent",
        email="newly.elected.mp@parliament.uk",
        source="Members API",
        retrieved_on=date(2099, 1, 1),
    )
    seat = ConstituencyRecord(id="E14001063", name="Aldershot", region="England")
    apply_import(session, ChamberId.uk_commons, [seat], [newer], complete=False)
    row = session.get(DatasetLoad, "uk-commons")
    assert row is not None
    row.checksum = "stale"
    session.add(row)
    session.flush()

    assert load_bundled(session, settings.data_dir)["uk-commons"] == 0
    rep = session.get(Representative, "uk-99999")
    assert rep is not None and rep.status == "active"


def test_the_snapshot_covers_both_chambers(settings: Settings) -> None:
    data_dir: Path = settings.data_dir
    uk_seats, uk_members = read_chamber_snapshot(data_dir, ChamberId.uk_commons)
    fr_seats, fr_members = read_chamber_snapshot(data_dir, ChamberId.fr_an)
    assert (len(uk_seats), len(uk_members)) == (650, 650)
    assert (len(fr_seats), len(fr_members)) == (577, 577)
