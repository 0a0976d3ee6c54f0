"""UK importers: the MP list CSV (the bundled snapshot's source) and a saved Members API
download, checked against the real data and through apply_import (idempotent re-runs,
changed members, vacated seats), plus the `repmail import uk-...` commands."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from service.config import PROJECT_ROOT, get_settings
from service.errors import ImportFailed
from service.representatives.importers.uk_commands import known_constituencies
from service.representatives.importers.uk_members_api import choose_email, parse_members_api
from service.representatives.importers.uk_mps_csv import SOURCE_DESCRIPTION, parse_uk_mps_csv
from service.representatives.models import (
    ChamberId,
    DatasetLoad,
    Representative,
    RepresentativeStatus,
    UkPostcode,
)
from service.representatives.service import apply_import, representatives_for
from service.representatives.snapshot import read_chamber_snapshot, write_chamber_snapshot
from tests.fakes.members_api import FakeMember, write_download
from tests.representatives.test_nspl_import import LIVE, write_nspl

SNAPSHOT_DATE = date(2026, 6, 27)


@pytest.fixture(scope="module")
def mps_csv(shared_data: Path) -> Path:
    return shared_data / "uk" / "mps_current.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- the MP list CSV, on the real file ------------------------------------------------------


def test_mp_list_csv_reads_all_650_seats(mps_csv: Path) -> None:
    parsed = parse_uk_mps_csv(mps_csv)
    assert len(parsed.constituencies) == len(parsed.representatives) == 650
    assert Counter(c.id[:3] for c in parsed.constituencies) == {
        "E14": 543,
        "S14": 57,
        "W07": 32,
        "N05": 18,
    }
    assert Counter(c.region for c in parsed.constituencies)["Northern Ireland"] == 18
    assert sum(1 for r in parsed.representatives if r.email) == 646
    assert parsed.retrieved_on == SNAPSHOT_DATE
    assert parsed.warnings == []
    by_id = {r.id: r for r in parsed.representatives}
    assert by_id["uk-5173"].constituency_id == "E14001063"
    assert by_id["uk-3924"].email is None  # publishes no address: never made up
    assert {r.source for r in parsed.representatives} == {SOURCE_DESCRIPTION}
    welsh = {c.id: c.name_cy for c in parsed.constituencies if c.id.startswith("W07")}
    assert welsh["W07000112"] == "Ynys Môn"
    assert welsh["W07000097"] is None  # ONS publishes no Welsh name for Gower
    assert all(c.name_cy is None for c in parsed.constituencies if c.id[0] != "W")


def test_committed_snapshot_is_what_the_importer_writes(mps_csv: Path) -> None:
    parsed = parse_uk_mps_csv(mps_csv)
    bundled = read_chamber_snapshot(PROJECT_ROOT / "representatives", ChamberId.uk_commons)
    assert sorted(bundled[0], key=lambda c: c.id) == sorted(
        parsed.constituencies, key=lambda c: c.id
    )
    assert sorted(bundled[1], key=lambda r: r.id) == sorted(
        parsed.representatives, key=lambda r: r.id
    )


def test_snapshot_round_trip(mps_csv: Path, tmp_path: Path) -> None:
    parsed = parse_uk_mps_csv(mps_csv)
    write_chamber_snapshot(
        tmp_path, ChamberId.uk_commons, parsed.constituencies, parsed.representatives
    )
    first_bytes = (tmp_path / "uk" / "representatives.csv").read_bytes()
    constituencies, representatives = read_chamber_snapshot(tmp_path, ChamberId.uk_commons)
    assert set(constituencies) == set(parsed.constituencies)
    assert set(representatives) == set(parsed.representatives)
    write_chamber_snapshot(tmp_path, ChamberId.uk_commons, constituencies, representatives)
    assert (tmp_path / "uk" / "representatives.csv").read_bytes() == first_bytes


def test_every_2024_seat_has_a_constituency_and_an_mp(session: Session, shared_data: Path) -> None:
    codes = [row["pcon24cd"] for row in _rows(shared_data / "uk" / "pcon24_names_codes.csv")]
    assert len(set(codes)) == 650
    described = representatives_for(session, codes)
    assert [rep.constituency.id for rep in described] == codes
    assert all(rep.chamber == "uk-commons" and rep.id.startswith("uk-") for rep in described)
    assert sum(rep.can_write for rep in described) == 646


# --- the MP list CSV through apply_import ---------------------------------------------------


def test_rerunning_the_bundled_csv_changes_nothing(session: Session, mps_csv: Path) -> None:
    parsed = parse_uk_mps_csv(mps_csv)
    report = apply_import(
        session, ChamberId.uk_commons, parsed.constituencies, parsed.representatives
    )
    assert not report.changed
    assert report.unchanged == 650


def test_a_changed_mp_is_updated_and_a_vanished_seat_vacated(
    session: Session, mps_csv: Path, tmp_path: Path
) -> None:
    rows = _rows(mps_csv)
    changed = next(r for r in rows if r["pcon24cd"] == "E14001063")
    changed["party"] = "Independent"
    changed["email"] = ""
    gone = next(r for r in rows if r["pcon24cd"] == "E14001064")
    rows.remove(gone)
    parsed = parse_uk_mps_csv(_write_rows(tmp_path / "mps.csv", rows))
    report = apply_import(
        session, ChamberId.uk_commons, parsed.constituencies, parsed.representatives
    )
    assert (report.updated, report.vacated, report.created) == (1, 1, 0)
    aldershot = session.get(Representative, "uk-5173")
    assert aldershot is not None
    assert (aldershot.party, aldershot.email) == ("Independent", None)
    vacated = session.get(Representative, f"uk-{gone['member_id']}")
    assert vacated is not None and vacated.status == RepresentativeStatus.vacant


@pytest.mark.parametrize(
    ("edit", "wording"),
    [
        (lambda rows: [{k: v for k, v in r.items() if k != "email"} for r in rows], "email"),
        (lambda rows: [{**rows[0], "pcon24cd": "E1400106"}, *rows[1:]], "2024 seat code"),
        (lambda rows: [rows[0], *rows], "appears twice"),
        (lambda rows: [{**rows[0], "member_id": ""}, *rows[1:]], "member id"),
        (lambda rows: [{**rows[0], "snapshot_date": "last June"}, *rows[1:]], "not a date"),
    ],
    ids=["no-email-column", "old-code", "duplicate", "no-member-id", "bad-date"],
)
def test_faulty_mp_lists_are_refused(
    mps_csv: Path, tmp_path: Path, edit: object, wording: str
) -> None:
    rows = edit(_rows(mps_csv))  # type: ignore[operator]
    with pytest.raises(ImportFailed, match=wording):
        parse_uk_mps_csv(_write_rows(tmp_path / "mps.csv", rows))


def test_a_value_that_is_not_an_email_is_left_blank(mps_csv: Path, tmp_path: Path) -> None:
    rows = _rows(mps_csv)
    rows[0]["email"] = "No email found"
    parsed = parse_uk_mps_csv(_write_rows(tmp_path / "mps.csv", rows))
    assert parsed.representatives[0].email is None
    assert "not an email address" in parsed.warnings[0]


# --- the Members API ------------------------------------------------------------------------


def _chamber_as_members_api(mps_csv: Path) -> list[FakeMember]:
    """The whole chamber as the API would list it: Parliament's spelling of the seats."""
    return [
        FakeMember(
            id=int(row["member_id"]),
            name=row["name_display"],
            constituency=row["pcon_name_parliament"],
            party=row["party"],
            emails=[(row["email"], False)] if row["email"] else [],
        )
        for row in _rows(mps_csv)
    ]


def test_members_api_download_maps_every_seat_by_name(
    session: Session, mps_csv: Path, tmp_path: Path
) -> None:
    download = write_download(tmp_path / "api", _chamber_as_members_api(mps_csv))
    parsed = parse_members_api(
        download, known_constituencies(session), retrieved_on=date(2026, 11, 27)
    )
    assert parsed.warnings == [] and parsed.complete
    assert len(parsed.representatives) == 650
    csv_seats = {
        r.id: (r.constituency_id, r.email) for r in parse_uk_mps_csv(mps_csv).representatives
    }
    assert {r.id: (r.constituency_id, r.email) for r in parsed.representatives} == csv_seats


def test_members_api_import_is_idempotent_and_follows_a_by_election(
    session: Session, mps_csv: Path, tmp_path: Path
) -> None:
    members = _chamber_as_members_api(mps_csv)
    seats = known_constituencies(session)
    when = date(2026, 11, 27)

    def run(directory: Path) -> tuple[int, int, int, int]:
        parsed = parse_members_api(directory, seats, retrieved_on=when)
        report = apply_import(
            session,
            ChamberId.uk_commons,
            parsed.constituencies,
            parsed.representatives,
            complete=parsed.complete,
        )
        assert report.constituencies_created == report.constituencies_updated == 0
        return report.created, report.updated, report.unchanged, report.vacated

    first = run(write_download(tmp_path / "one", members))
    assert first == (0, 650, 0, 0)  # same people, newer source and date
    assert run(tmp_path / "one") == (0, 0, 650, 0)

    aldershot = next(m for m in members if m.constituency == "Aldershot")
    newcomer = FakeMember(
        99001, "Sam Example", "Aldershot", "Green Party", [("sam@example.org", True)]
    )
    after = [m for m in members if m is not aldershot] + [newcomer]
    assert run(write_download(tmp_path / "two", after)) == (1, 0, 649, 1)
    [mp] = representatives_for(session, ["E14001063"])
    assert (mp.id, mp.name, mp.can_write) == ("uk-99001", "Sam Example", True)


def test_email_choice_prefers_preferred_then_parliament_then_first() -> None:
    def entries(*emails: tuple[str | None, bool]) -> list[dict[str, object]]:
        return [{"email": e, "isPreferred": p} for e, p in emails]

    assert choose_email(entries(("a@x.org", False), ("b@y.org", True))) == "b@y.org"
    assert (
        choose_email(entries(("a@x.org", False), ("b.mp@parliament.uk", False)))
        == "b.mp@parliament.uk"
    )
    assert choose_email(entries((None, True), ("", False), ("a@x.org", False))) == "a@x.org"
    assert choose_email(entries(("not an address", True))) is None
    assert choose_email([]) is None


def test_unmatched_names_are_reported_never_guessed(session: Session, tmp_path: Path) -> None:
    members = [
        FakeMember(1, "Ada Example", "Ynys Mon", emails=[("ada@parliament.uk", False)]),
        FakeMember(2, "Bo Example", "Montgomeryshire and Glyndŵr"),
        FakeMember(3, "Cy Example", "Aldershot North"),
    ]
    parsed = parse_members_api(
        write_download(tmp_path, members), known_constituencies(session), retrieved_on=date.today()
    )
    assert {r.id: r.constituency_id for r in parsed.representatives} == {
        "uk-1": "W07000112",
        "uk-2": "W07000102",
    }
    assert not parsed.complete
    assert any("'Aldershot North'" in w for w in parsed.warnings)


def test_non_sitting_members_are_left_out(session: Session, tmp_path: Path) -> None:
    members = [
        FakeMember(1, "Ada Example", "Aldershot"),
        FakeMember(2, "Bo Example", "Bath", ended="2026-05-01T00:00:00"),
        FakeMember(3, "Lord Example", "Life peer", house=2),
        FakeMember(4, "Cy Example", "Bolton South and Walkden", active=False),
    ]
    parsed = parse_members_api(
        write_download(tmp_path, members), known_constituencies(session), retrieved_on=date.today()
    )
    assert sorted(r.id for r in parsed.representatives) == ["uk-1", "uk-4"]
    assert parsed.complete
    assert any("Suspended" in w for w in parsed.warnings)


def test_contact_files_are_matched_by_link_or_file_name(session: Session, tmp_path: Path) -> None:
    members = [FakeMember(7, "Ada Example", "Aldershot", emails=[("ada@parliament.uk", False)])]
    for named_by_link in (True, False):
        download = write_download(
            tmp_path / str(named_by_link), members, contacts_named_by_link=named_by_link
        )
        parsed = parse_members_api(
            download, known_constituencies(session), retrieved_on=date.today()
        )
        assert parsed.representatives[0].email == "ada@parliament.uk"


def test_missing_search_pages_are_refused(session: Session, tmp_path: Path) -> None:
    members = [FakeMember(1, "Ada Example", "Aldershot")]
    download = write_download(tmp_path, members, total=650)
    with pytest.raises(ImportFailed, match="pages are missing"):
        parse_members_api(download, known_constituencies(session), retrieved_on=date.today())


def test_a_member_without_contact_file_has_no_email(session: Session, tmp_path: Path) -> None:
    download = write_download(
        tmp_path, [FakeMember(1, "Ada Example", "Aldershot", emails=[("a@b.c", True)])]
    )
    shutil.rmtree(download / "contact")
    parsed = parse_members_api(download, known_constituencies(session), retrieved_on=date.today())
    assert parsed.representatives[0].email is None
    assert "no contact file" in parsed.warnings[0]


@pytest.mark.parametrize("content", ["{not json", '{"items": []}'])
def test_unreadable_downloads_are_refused(session: Session, tmp_path: Path, content: str) -> None:
    (tmp_path / "page.json").write_text(content)
    with pytest.raises(ImportFailed):
        parse_members_api(tmp_path, known_constituencies(session), retrieved_on=date.today())


# --- the commands ---------------------------------------------------------------------------


def test_import_commands_on_a_fresh_database(
    tmp_path: Path, mps_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli import app

    monkeypatch.setenv("REPMAIL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("REPMAIL_DATA_DIR", str(tmp_path / "data"))
    shutil.copytree(PROJECT_ROOT / "representatives", tmp_path / "data")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        nspl = write_nspl(tmp_path / "nspl.csv")
        first = runner.invoke(app, ["import", "uk-postcodes", str(nspl)])
        assert first.exit_code == 0, first.output
        assert "5 live postcodes imported" in first.output
        again = runner.invoke(app, ["import", "uk-postcodes", str(nspl)])
        assert "already imported" in again.output

        missing = runner.invoke(app, ["import", "uk-postcodes", str(tmp_path / "none.csv")])
        assert missing.exit_code == 1
        assert "Nothing imported" in missing.output

        snapshot = runner.invoke(app, ["import", "uk-mps-csv", str(mps_csv), "--write-snapshot"])
        assert snapshot.exit_code == 0, snapshot.output
        assert "650 MPs read (646 with an email)" in snapshot.output
        assert (tmp_path / "data" / "uk" / "representatives.csv").read_bytes() == (
            PROJECT_ROOT / "representatives" / "uk" / "representatives.csv"
        ).read_bytes()

        download = write_download(tmp_path / "api", _chamber_as_members_api(mps_csv))
        api = runner.invoke(
            app, ["import", "uk-members-api", str(download), "--retrieved-on", "2026-11-27"]
        )
        assert api.exit_code == 0, api.output
        assert "650 updated" in api.output
    finally:
        get_settings.cache_clear()

    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    with Session(engine) as check:
        assert {p.postcode for p in check.exec(select(UkPostcode))} == set(LIVE)
        reps = check.exec(select(Representative).where(Representative.chamber_id == "uk-commons"))
        assert {r.source for r in reps} == {"UK Parliament Members API"}
        # The chamber's data as a whole now says it comes from the API, as of its download.
        record = check.get(DatasetLoad, "uk-commons")
        assert record is not None
        assert (record.source, record.source_date) == (
            "UK Parliament Members API",
            date(2026, 11, 27),
        )
    engine.dispose()


def test_a_dry_run_shows_the_changes_and_writes_nothing(
    tmp_path: Path, mps_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli import app

    monkeypatch.setenv("REPMAIL_DATABASE_URL", f"sqlite:///{tmp_path / 'dry.sqlite3'}")
    monkeypatch.setenv("REPMAIL_DATA_DIR", str(tmp_path / "data"))
    shutil.copytree(PROJECT_ROOT / "representatives", tmp_path / "data")
    get_settings.cache_clear()
    rows = _rows(mps_csv)
    changed = next(r for r in rows if r["pcon24cd"] == "E14001063")
    changed["party"] = "Independent"
    gone = next(r for r in rows if r["pcon24cd"] == "E14001064")
    rows.remove(gone)
    edited = _write_rows(tmp_path / "mps.csv", rows)
    runner = CliRunner()
    try:
        first = runner.invoke(app, ["import", "uk-mps-csv", str(mps_csv)])
        assert first.exit_code == 0, first.output
        dry = runner.invoke(app, ["import", "uk-mps-csv", str(edited), "--dry-run"])
        assert dry.exit_code == 0, dry.output
        said = " ".join(dry.output.split())  # the console wraps long lines
        assert "0 new, 1 updated, 648 unchanged, 1 seats vacated" in said
        assert f"vacated: E14001064 {gone['name_display']} (uk-{gone['member_id']})" in said
        assert "changed: E14001063" in said and "party Labour -> Independent" in said
        assert "Dry run: nothing was written." in dry.output
        applied = runner.invoke(app, ["import", "uk-mps-csv", str(edited)])
        assert "1 seats vacated" in " ".join(applied.output.split())
    finally:
        get_settings.cache_clear()

    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'dry.sqlite3'}")
    with Session(engine) as check:
        aldershot = check.get(Representative, "uk-5173")
        assert aldershot is not None and aldershot.party == "Independent"
    engine.dispose()
