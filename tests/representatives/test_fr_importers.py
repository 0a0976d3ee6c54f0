"""The French député importers: AMO10 JSON and the Datan CSV, parsed from small files in the
real formats (fictional people), then the real files, then applied to the database."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from service.config import get_settings
from service.errors import ImportFailed
from service.representatives.importers.fr_amo10 import parse_amo10_dir
from service.representatives.importers.fr_deputes_csv import (
    parse_deputes_csv,
)
from service.representatives.importers.fr_roster_csv import parse_roster_csv
from service.representatives.importers.fr_seats import import_parsed, seat_id
from service.representatives.models import (
    ChamberId,
    Representative,
    RepresentativeStatus,
)
from service.representatives.snapshot import (
    read_chamber_snapshot,
    write_chamber_snapshot,
)

DATAN_FILE = "fr/deputes/datan_deputes-active_2026-03-09.csv"
NEWEST_ROSTER = "fr/deputes/deputes_par_circonscription_2026-06-17.csv"
PROJECT_DATA = Path(__file__).resolve().parents[2] / "representatives"

# --- AMO10 files in the official shape ------------------------------------------------


def _mandate(kind: str, organe: str, *, end: str | None = None, legislature: str = "17",
             place: tuple[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    mandate: dict[str, Any] = {
        "@xsi:type": "MandatParlementaire_type" if place else "MandatSimple_Type",
        "uid": f"PM-{kind}-{organe}",
        "legislature": legislature,
        "typeOrgane": kind,
        "dateDebut": "2024-07-07",
        "dateFin": end,
        "organes": {"organeRef": organe},
    }
    if place:
        mandate["election"] = {
            "lieu": {"departement": "x", "numDepartement": place[0], "numCirco": place[1]},
            "causeMandat": "élections générales",
        }
    return mandate


def _mail(address: str) -> dict[str, Any]:
    return {"@xsi:type": "AdresseMail_Type", "type": "15", "typeLibelle": "Mèl", "valElec": address}


def write_acteur(
    folder: Path,
    uid: str,
    first: str,
    last: str,
    mandates: list[dict[str, Any]] | dict[str, Any],
    addresses: list[dict[str, Any]] | dict[str, Any],
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    acteur = {
        "acteur": {
            "uid": {"@xsi:type": "IdActeur_type", "#text": uid},
            "etatCivil": {"ident": {"civ": "Mme", "prenom": first, "nom": last}},
            "adresses": {"adresse": addresses},
            "mandats": {"mandat": mandates},
        }
    }
    (folder / f"{uid}.json").write_text(json.dumps(acteur), encoding="utf-8")


def write_group(folder: Path, uid: str, abbreviation: str | None, label: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    organe = {
        "organe": {
            "uid": uid,
            "codeType": "GP",
            "libelle": label,
            "libelleAbrev": abbreviation,
            "viMoDe": {"dateDebut": "2024-07-18", "dateFin": None},
        }
    }
    (folder / f"{uid}.json").write_text(json.dumps(organe), encoding="utf-8")


def _seat(dep: str, circo: str) -> dict[str, Any]:
    return _mandate("ASSEMBLEE", "PO838901", place=(dep, circo))


@pytest.fixture
def amo10_dir(tmp_path: Path) -> Path:
    root = tmp_path / "amo10" / "json"
    write_group(root / "organe", "PO900001", "ABC", "Groupe Alpha")
    write_group(root / "organe", "PO900002", None, "Groupe sans sigle")
    acteurs = root / "acteur"
    # A permanence address listed before the official one, which must win.
    write_acteur(
        acteurs, "PA900001", "Camille", "Exemple", [_seat("1", "1"),
        _mandate("GP", "PO900001")], [_mail("camille@example.org"),
        _mail("camille.exemple@assemblee-nationale.fr")],
    )  # fmt: skip
    # A list of one is a bare object in XML-converted JSON.
    write_acteur(
        acteurs, "PA900002", "Dominique", "Essai", [_seat("2A", "2"),
        _mandate("GP", "PO900002")], _mail("dominique.essai@assemblee-nationale.fr"),
    )  # fmt: skip
    # No official address: kept, but cannot be written to; no group: non-inscrit.
    write_acteur(
        acteurs, "PA900003", "Alex", "Sanscourriel", _seat("099", "3"),
        [_mail("alex@example.org")],
    )  # fmt: skip
    # A former député (mandate closed) and a député of an earlier legislature.
    write_acteur(
        acteurs, "PA900004", "Old", "Member",
        [_mandate("ASSEMBLEE", "PO1", end="2025-01-01", place=("01", "2"))], [],
    )  # fmt: skip
    write_acteur(
        acteurs, "PA900005", "Older", "Member",
        [_mandate("ASSEMBLEE", "PO2", legislature="16", place=("01", "3"))], [],
    )  # fmt: skip
    write_acteur(acteurs, "PA900006", "Île", "Outremer", [_seat("971", "4")], [])
    return tmp_path / "amo10"


def test_amo10_reads_seat_group_and_only_the_official_address(amo10_dir: Path) -> None:
    parsed = parse_amo10_dir(amo10_dir, retrieved_on=date(2025, 7, 2))
    reps = {r.id: r for r in parsed.representatives}
    assert set(reps) == {"fr-PA900001", "fr-PA900002", "fr-PA900003", "fr-PA900006"}

    camille = reps["fr-PA900001"]
    assert (camille.constituency_id, camille.name, camille.party) == (
        "01-01",
        "Camille Exemple",
        "ABC",
    )
    assert camille.email == "camille.exemple@assemblee-nationale.fr"
    assert camille.retrieved_on == date(2025, 7, 2)
    assert reps["fr-PA900002"].constituency_id == "2A-02"
    assert reps["fr-PA900002"].party == "Groupe sans sigle"
    assert reps["fr-PA900003"].constituency_id == "099-03"
    assert reps["fr-PA900003"].email is None
    assert reps["fr-PA900003"].party == "NI"
    assert reps["fr-PA900006"].constituency_id == "971-04"
    assert any("099-03" in warning for warning in parsed.warnings)

    names = {c.id: (c.name, c.region) for c in parsed.constituencies}
    assert names["01-01"] == ("Ain (1re circonscription)", "Ain")
    assert names["2A-02"] == ("Corse-du-Sud (2e circonscription)", "Corse-du-Sud")
    assert names["099-03"] == (
        "Français établis hors de France (3e circonscription)",
        "Français établis hors de France",
    )


def test_amo10_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="no AMO10 acteur"):
        parse_amo10_dir(tmp_path)
    (tmp_path / "PA1.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ImportFailed, match="PA1.json"):
        parse_amo10_dir(tmp_path)


def test_amo10_refuses_two_acteurs_on_one_seat(tmp_path: Path) -> None:
    write_acteur(tmp_path, "PA1", "A", "B", [_seat("01", "1")], [])
    write_acteur(tmp_path, "PA2", "C", "D", [_seat("01", "1")], [])
    with pytest.raises(ImportFailed, match="01-01"):
        parse_amo10_dir(tmp_path)


def test_amo10_official_sample(shared_data: Path) -> None:
    parsed = parse_amo10_dir(shared_data / "fr/deputes/amo10_samples")
    [rep] = parsed.representatives
    assert rep.id == "fr-PA842311"
    assert rep.name == "Vincent Caure"
    assert rep.constituency_id == "099-03"
    assert rep.party == "EPR"
    assert rep.email == "vincent.caure@assemblee-nationale.fr"


# --- Datan CSV ---------------------------------------------------------------------------

DATAN_COLUMNS = [
    "id", "legislature", "civ", "nom", "prenom", "groupe", "groupeAbrev", "departementNom",
    "departementCode", "circo", "mail", "dateMaj",
]  # fmt: skip


def write_datan(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, DATAN_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in DATAN_COLUMNS})
    return path


def datan_row(uid: str, dep: str, circo: str, **values: str) -> dict[str, str]:
    row = {
        "id": uid,
        "legislature": "17",
        "civ": "M.",
        "nom": "Fictif",
        "prenom": uid[-1],
        "groupe": "Groupe Alpha",
        "groupeAbrev": "ABC",
        "departementCode": dep,
        "circo": circo,
        "mail": f"{uid.lower()}@assemblee-nationale.fr",
        "dateMaj": "2026-03-09",
    }
    row.update(values)
    return row


def test_datan_csv_normalises_seats_and_keeps_only_official_addresses(tmp_path: Path) -> None:
    path = write_datan(
        tmp_path / "deputes.csv",
        [
            datan_row("PA1", "2a", "1"),
            datan_row("PA2", "099", "11", mail="someone@example.org"),
            datan_row("PA3", "1", "4", groupeAbrev="", groupe="Sans sigle"),
            datan_row("PA4", "75", "2", legislature="16"),
        ],
    )
    parsed = parse_deputes_csv(path)
    reps = {r.id: r for r in parsed.representatives}
    assert set(reps) == {"fr-PA1", "fr-PA2", "fr-PA3"}
    assert reps["fr-PA1"].constituency_id == "2A-01"
    assert reps["fr-PA1"].email == "pa1@assemblee-nationale.fr"
    assert reps["fr-PA2"].constituency_id == "099-11"
    assert reps["fr-PA2"].email is None
    assert reps["fr-PA3"].constituency_id == "01-04"
    assert reps["fr-PA3"].party == "Sans sigle"
    assert parsed.retrieved_on == date(2026, 3, 9)
    assert len(parsed.warnings) == 2  # the outside address, the other legislature


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([datan_row("PA1", "01", "1"), datan_row("PA2", "01", "1")], "twice"),
        ([datan_row("PA1", "01", "1", dateMaj="9 mars")], "dateMaj"),
        ([datan_row("PA1", "00", "1")], "département"),
        ([datan_row("PA1", "01", "x")], "line 2"),
        ([datan_row("X1", "01", "1")], "acteur id"),
        ([datan_row("PA1", "01", "1", legislature="16")], "no député"),
    ],
)
def test_datan_csv_refusals(tmp_path: Path, rows: list[dict[str, str]], message: str) -> None:
    with pytest.raises(ImportFailed, match=message):
        parse_deputes_csv(write_datan(tmp_path / "deputes.csv", rows))


def test_datan_csv_needs_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="departementCode"):
        parse_deputes_csv(path)


@pytest.mark.parametrize(
    ("dep", "circo", "expected"),
    [("1", "1", "01-01"), ("2b", "02", "2B-02"), ("99", "3", "099-03"), ("977", "1", "977-01")],
)
def test_seat_ids_follow_the_assemblee_numbering(dep: str, circo: str, expected: str) -> None:
    assert seat_id(dep, circo) == expected


# --- the real files ---------------------------------------------------------------------


def test_real_datan_file_has_every_seat(shared_data: Path) -> None:
    parsed = parse_deputes_csv(shared_data / DATAN_FILE)
    seats = {r.constituency_id for r in parsed.representatives}
    assert len(parsed.representatives) == len(seats) == 577
    assert {s for s in seats if s.startswith("099-")} == {f"099-{n:02d}" for n in range(1, 12)}
    assert {"2A-01", "2B-02", "977-01", "988-02", "75-18"} <= seats
    assert all(r.email and r.email.endswith("@assemblee-nationale.fr")
               for r in parsed.representatives)  # fmt: skip
    assert parsed.warnings == []
    [uk_seat] = [r for r in parsed.representatives if r.constituency_id == "099-03"]
    assert uk_seat.id == "fr-PA842311"


def test_both_sources_name_a_seat_the_same_way(shared_data: Path) -> None:
    amo10 = parse_amo10_dir(shared_data / "fr/deputes/amo10_samples")
    datan = parse_deputes_csv(shared_data / DATAN_FILE)
    [from_amo10] = amo10.constituencies
    [from_datan] = [c for c in datan.constituencies if c.id == from_amo10.id]
    assert from_amo10 == from_datan


def test_snapshot_round_trip(shared_data: Path, tmp_path: Path) -> None:
    parsed = parse_deputes_csv(shared_data / DATAN_FILE)
    write_chamber_snapshot(tmp_path, ChamberId.fr_an, parsed.constituencies,
                           parsed.representatives)  # fmt: skip
    constituencies, representatives = read_chamber_snapshot(tmp_path, ChamberId.fr_an)
    assert sorted(constituencies, key=lambda c: c.id) == sorted(
        parsed.constituencies, key=lambda c: c.id
    )
    assert sorted(representatives, key=lambda r: r.id) == sorted(
        parsed.representatives, key=lambda r: r.id
    )


def test_bundled_snapshot_is_the_newest_roster(shared_data: Path, tmp_path: Path) -> None:
    """The committed representatives/fr/ files are exactly what the importer writes from the
    newest roster (2026-06-17)."""
    parsed = parse_roster_csv(shared_data / NEWEST_ROSTER)
    write_chamber_snapshot(tmp_path, ChamberId.fr_an, parsed.constituencies,
                           parsed.representatives)  # fmt: skip
    for name in ("constituencies.csv", "representatives.csv", "snapshot.csv"):
        assert (tmp_path / "fr" / name).read_bytes() == (PROJECT_DATA / "fr" / name).read_bytes()


# --- applied to the database --------------------------------------------------------------


def _fr_reps(session: Session) -> dict[str, Representative]:
    rows = session.exec(select(Representative).where(Representative.chamber_id == "fr-an"))
    return {rep.id: rep for rep in rows}


def test_amo10_import_is_idempotent_and_vacates_seats_that_vanish(
    session: Session, amo10_dir: Path
) -> None:
    parsed = parse_amo10_dir(amo10_dir, retrieved_on=date(2025, 7, 2))
    first = import_parsed(session, parsed)
    assert first.created == 4
    # Everyone from the bundled snapshot is not in this small dump: their seats are vacant.
    assert first.vacated == 577

    again = import_parsed(session, parse_amo10_dir(amo10_dir, retrieved_on=date(2025, 7, 2)))
    assert (again.created, again.updated, again.vacated, again.unchanged) == (0, 0, 0, 4)

    acteur = amo10_dir / "json" / "acteur"
    write_acteur(acteur, "PA900001", "Camille", "Exemple", [_seat("01", "1")],
                 [_mail("camille.e@assemblee-nationale.fr")])  # fmt: skip
    (acteur / "PA900002.json").unlink()
    changed = import_parsed(session, parse_amo10_dir(amo10_dir, retrieved_on=date(2025, 8, 1)))
    assert changed.updated == 3  # a new address; the others carry the new data date
    assert changed.vacated == 1
    reps = _fr_reps(session)
    assert reps["fr-PA900001"].email == "camille.e@assemblee-nationale.fr"
    assert reps["fr-PA900001"].party == "NI"
    assert reps["fr-PA900002"].status == RepresentativeStatus.vacant
    assert not reps["fr-PA900003"].can_write  # no official address


def test_datan_import_partial_marks_nobody_vacant(session: Session, tmp_path: Path) -> None:
    path = write_datan(tmp_path / "d.csv", [datan_row("PA1", "01", "1")])
    report = import_parsed(session, parse_deputes_csv(path), complete=False)
    assert report.vacated == 1  # only the member who sat for 01-01 before
    reps = _fr_reps(session)
    assert reps["fr-PA1"].constituency_id == "01-01"
    sitting = [r for r in reps.values() if r.status == RepresentativeStatus.active]
    assert len(sitting) == 577


def test_bundled_data_is_current_for_the_real_file(session: Session, shared_data: Path) -> None:
    report = import_parsed(session, parse_roster_csv(shared_data / NEWEST_ROSTER))
    assert (report.created, report.updated, report.vacated) == (0, 0, 0)
    assert report.unchanged == 577


# --- the commands ----------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("REPMAIL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("REPMAIL_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _cli() -> Any:
    import typer

    from service.representatives.importers import fr_commands

    app = typer.Typer()
    fr_commands.register(app)
    return app


def test_cli_imports_the_csv_and_writes_the_snapshot(cli_env: Path, shared_data: Path) -> None:
    datan = CliRunner().invoke(_cli(), ["fr-deputes-csv", str(shared_data / DATAN_FILE)])
    assert datan.exit_code == 0, datan.output
    result = CliRunner().invoke(
        _cli(), ["fr-roster-csv", str(shared_data / NEWEST_ROSTER), "--write-snapshot"]
    )
    assert result.exit_code == 0, result.output
    assert "23 seats now vacant" in result.output
    written = (cli_env / "data" / "fr" / "representatives.csv").read_bytes()
    assert written == (PROJECT_DATA / "fr" / "representatives.csv").read_bytes()


def test_cli_refuses_a_fragment_unless_told(cli_env: Path, amo10_dir: Path) -> None:
    refused = CliRunner().invoke(_cli(), ["fr-amo10", str(amo10_dir)])
    assert refused.exit_code == 1
    assert "--partial" in refused.output
    accepted = CliRunner().invoke(_cli(), ["fr-amo10", str(amo10_dir), "--partial"])
    assert accepted.exit_code == 0, accepted.output
    assert "4 new" in accepted.output
