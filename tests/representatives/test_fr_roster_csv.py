"""Rosters by circonscription (AMO10-derived CSVs): newcomers without an official address,
the date from the file name, refusals, and the newest roster winning."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest
import typer
from sqlmodel import Session
from typer.testing import CliRunner

from service.config import get_settings
from service.errors import ImportFailed
from service.representatives.importers import fr_commands
from service.representatives.importers.fr_roster_csv import parse_roster_csv
from service.representatives.importers.fr_seats import import_parsed
from service.representatives.models import Representative, RepresentativeStatus

HEADER = "circonscription,id_an,civ,prenom,nom,groupe_abrev,groupe,email"


def write_roster(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_newcomer_without_an_official_address_cannot_be_written_to(
    session: Session, tmp_path: Path
) -> None:
    roster = write_roster(
        tmp_path / "roster_2026-06-17.csv",
        [
            "75-07,PA999001,Mme,Dora,Nouvelle,SOC,Socialistes,",
            "91-06,PA1567,M.,Jérôme,Guedj,SOC,Socialistes,jerome.guedj@assemblee-nationale.fr",
            "33-04,PA1008,M.,Alain,David,SOC,Socialistes,alain.david@example.org",
        ],
    )
    parsed = parse_roster_csv(roster)
    assert parsed.retrieved_on == date(2026, 6, 17)
    assert [r.email for r in parsed.representatives] == [
        None,
        "jerome.guedj@assemblee-nationale.fr",
        None,
    ]
    assert any("not an Assemblée address" in w for w in parsed.warnings)
    report = import_parsed(session, parsed, complete=False)
    newcomer = session.get(Representative, "fr-PA999001")
    assert newcomer is not None and not newcomer.can_write
    assert newcomer.retrieved_on == date(2026, 6, 17)
    assert report.vacated == 1  # the former member for 75-07
    [departed] = report.departed
    left = session.get(Representative, departed)
    assert left is not None and left.status == RepresentativeStatus.vacant
    assert left.constituency_id == "75-07"


def test_a_roster_needs_a_date_and_its_columns(tmp_path: Path) -> None:
    undated = write_roster(tmp_path / "roster.csv", ["75-07,PA999001,Mme,Dora,N,SOC,S,"])
    with pytest.raises(ImportFailed, match="--data-date"):
        parse_roster_csv(undated)
    assert parse_roster_csv(undated, roster_date=date(2026, 1, 2)).retrieved_on == date(2026, 1, 2)
    no_email = write_roster(
        tmp_path / "r_2026-01-01.csv",
        ["75-07,PA9,M.,A,B,X"],
        "circonscription,id_an,civ,prenom,nom,groupe_abrev",
    )
    with pytest.raises(ImportFailed, match="email column"):
        parse_roster_csv(no_email)
    bad_seat = write_roster(tmp_path / "r_2026-01-01.csv", ["Paris 7,PA9,M.,A,B,X,Y,"])
    with pytest.raises(ImportFailed, match="not a seat id"):
        parse_roster_csv(bad_seat)
    twice = write_roster(
        tmp_path / "r_2026-01-01.csv", ["75-07,PA9,M.,A,B,X,Y,", "75-07,PA8,M.,C,D,X,Y,"]
    )
    with pytest.raises(ImportFailed, match="appears twice"):
        parse_roster_csv(twice)


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[typer.Typer, list[list[str]]]]:
    monkeypatch.setenv("REPMAIL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("REPMAIL_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    departures: list[list[str]] = []

    def listener(session: Session, representative_ids: Sequence[str]) -> list[str]:
        departures.append(list(representative_ids))
        return [f"held for {', '.join(representative_ids)}"]

    app = typer.Typer()
    fr_commands.register(app, listener)
    yield app, departures
    fr_commands.register(typer.Typer())
    get_settings.cache_clear()


def test_the_newest_roster_wins_and_departures_are_told(
    cli: tuple[typer.Typer, list[list[str]]], tmp_path: Path
) -> None:
    app, departures = cli
    older = write_roster(tmp_path / "roster_2026-04-10.csv", ["75-07,PA1,M.,Old,Member,SOC,S,"])
    newer = write_roster(tmp_path / "roster_2026-06-17.csv", ["75-07,PA2,Mme,New,Member,SOC,S,"])
    runner = CliRunner()
    first = runner.invoke(app, ["fr-roster-csv", str(older), "--partial"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["fr-roster-csv", str(newer), "--partial"])
    assert second.exit_code == 0, second.output
    assert "held for fr-PA1" in second.output
    assert departures == [[], ["fr-PA1"]]
    again = runner.invoke(app, ["fr-roster-csv", str(older), "--partial"])
    assert again.exit_code == 1
    assert "would bring back députés who have left" in " ".join(again.output.split())


def test_a_dry_run_shows_the_diff_writes_nothing_and_holds_nobody(
    cli: tuple[typer.Typer, list[list[str]]], tmp_path: Path
) -> None:
    app, departures = cli
    first = write_roster(
        tmp_path / "roster_2026-04-10.csv",
        [
            "75-07,PA1,M.,Old,Member,SOC,S,old.member@assemblee-nationale.fr",
            "75-08,PA3,Mme,Same,Seat,EPR,E,same.seat@assemblee-nationale.fr",
        ],
    )
    later = write_roster(
        tmp_path / "roster_2026-06-17.csv",
        [
            "75-07,PA2,Mme,New,Member,SOC,S,",
            "75-08,PA3,Mme,Same,Seat,DEM,D,seat.same@assemblee-nationale.fr",
        ],
    )
    runner = CliRunner()
    assert runner.invoke(app, ["fr-roster-csv", str(first), "--partial"]).exit_code == 0
    dry = runner.invoke(app, ["fr-roster-csv", str(later), "--partial", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    said = " ".join(dry.output.split())
    assert "added: 75-07 New Member (fr-PA2)" in said
    assert "vacated: 75-07 Old Member (fr-PA1)" in said
    assert "changed: 75-08 Same Seat (fr-PA3): party EPR -> DEM; email" in said
    assert "Dry run: nothing was written." in said
    assert departures == [[]]  # nobody's letters held by a dry run
    again = runner.invoke(app, ["fr-roster-csv", str(later), "--partial", "--dry-run"])
    assert "added: 75-07 New Member" in " ".join(again.output.split())  # still not applied
    applied = runner.invoke(app, ["fr-roster-csv", str(later), "--partial"])
    assert applied.exit_code == 0, applied.output
    assert departures == [[], ["fr-PA1"]]
