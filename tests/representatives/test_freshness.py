"""How fresh the data is: the source and date each bundled chamber carries, the counts per
chamber, `repmail data status`, and departures reported by a newer bundled roster."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from service.config import PROJECT_ROOT, get_settings
from service.representatives.freshness import chamber_freshness
from service.representatives.models import (
    ChamberId,
    DatasetLoad,
    Representative,
    RepresentativeStatus,
)
from service.representatives.snapshot import (
    load_bundled,
    read_chamber_snapshot,
    write_chamber_snapshot,
)


def test_bundled_chambers_carry_their_source_date(session: Session) -> None:
    uk = session.get(DatasetLoad, "uk-commons")
    fr = session.get(DatasetLoad, "fr-an")
    assert uk is not None and fr is not None
    assert (uk.source_date, uk.checked_on) == (date(2026, 6, 27), date(2026, 8, 22))
    assert fr.source_date == date(2026, 6, 17)
    assert "roster" in fr.source


def test_counts_per_chamber(session: Session) -> None:
    by_chamber = {c.chamber_id: c for c in chamber_freshness(session)}
    fr = by_chamber[ChamberId.fr_an]
    assert (fr.seats, fr.written_to, fr.no_address, fr.vacant, fr.paused) == (577, 560, 17, 0, 0)
    uk = by_chamber[ChamberId.uk_commons]
    assert (uk.seats, uk.written_to, uk.no_address) == (650, 646, 4)
    assert uk.current_as_of == date(2026, 8, 22)

    paused = session.get(Representative, "uk-1171")
    vacant = session.get(Representative, "uk-5173")
    assert paused is not None and vacant is not None
    paused.status = RepresentativeStatus.paused
    vacant.status = RepresentativeStatus.vacant
    session.add_all([paused, vacant])
    session.flush()
    uk = {c.chamber_id: c for c in chamber_freshness(session)}[ChamberId.uk_commons]
    assert (uk.written_to, uk.vacant, uk.paused) == (644, 1, 1)


def test_staleness_counts_from_the_newest_date(session: Session) -> None:
    uk = {c.chamber_id: c for c in chamber_freshness(session)}[ChamberId.uk_commons]
    assert not uk.is_stale(date(2026, 8, 22) + timedelta(days=60), 60)
    assert uk.is_stale(date(2026, 8, 22) + timedelta(days=61), 60)
    unknown = dataclasses.replace(uk, source_date=None, checked_on=None)
    assert unknown.is_stale(date(2026, 8, 22), 60)


def test_data_status_prints_and_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.cli import app

    monkeypatch.setenv("REPMAIL_DATABASE_URL", f"sqlite:///{tmp_path / 'status.sqlite3'}")
    get_settings.cache_clear()
    try:
        stale = CliRunner().invoke(app, ["data", "status"])
        monkeypatch.setenv("REPMAIL_REPRESENTATIVES__STALE_AFTER_DAYS", "3650")
        get_settings.cache_clear()
        fresh = CliRunner().invoke(app, ["data", "status"])
    finally:
        get_settings.cache_clear()
    assert stale.exit_code == 2, stale.output
    text = " ".join(stale.output.split())
    assert "Assemblée nationale (fr-an)" in text
    assert "source date: 2026-06-17" in text
    assert "seats: 577; written to: 560; no address yet: 17; vacant: 0; paused: 0" in text
    assert "checked unchanged on 2026-08-22" in text
    assert "warning: this data is" in text
    assert fresh.exit_code == 0, fresh.output
    assert "warning" not in fresh.output


def test_a_newer_bundled_roster_reports_who_left(session: Session, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "representatives", data)
    constituencies, representatives = read_chamber_snapshot(data, ChamberId.fr_an)
    newer = [
        dataclasses.replace(r, retrieved_on=date(2026, 7, 1))
        if r.constituency_id != "75-07"
        else dataclasses.replace(
            r, id="fr-PA999999", name="Nouvelle Députée", email=None, retrieved_on=date(2026, 7, 1)
        )
        for r in representatives
    ]
    write_chamber_snapshot(data, ChamberId.fr_an, constituencies, newer)
    told: list[str] = []

    def hook(session: Session, ids: Sequence[str]) -> None:
        told.extend(ids)

    loaded = load_bundled(session, data, hook)
    assert loaded["fr-an"] == 577
    assert told == ["fr-PA840175"]  # Dorine Bregman's seat changed hands in this copy
    record = session.get(DatasetLoad, "fr-an")
    assert record is not None and record.source_date == date(2026, 7, 1)
