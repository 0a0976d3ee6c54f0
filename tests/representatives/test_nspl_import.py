"""The NSPL/ONSPD importer, on small files written here in the real formats: the NSPL header,
an ONSPD header with year-suffixed names, quoted CSV, the published zip (main CSV or
multi_csv), terminated rows, pseudo codes, Northern Ireland, unknown and duplicate rows."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import pytest
from sqlmodel import Session, select

from service.errors import ImportFailed
from service.representatives.importers.nspl_import import find_csv_sources, import_uk_postcodes
from service.representatives.models import DatasetLoad, UkPostcode

NSPL_HEADER_LINE = (
    "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa21,cty,ced,laua,ward,"
    "nhser,ctry,rgn,pcon,ttwa,itl,park,lsoa21,msoa21,wz11,sicbl,bua24,ruc21,oac11,lat,long,"
    "lep1,lep2,pfa,imd,icb"
)
# Newer ONSPD releases put the boundary year in the column names.
ONSPD_2025_HEADER_LINE = (
    "pcd7,pcd8,pcds,dointr,doterm,usrtypind,east1m,north1m,gridind,oa21cd,cty25cd,ced25cd,"
    "lad25cd,wd25cd,nhser24cd,ctry25cd,rgn25cd,pcon24cd,eer20cd,ttwa15cd,itl25cd,npark16cd,"
    "lsoa21cd,msoa21cd,wz11cd,sicbl24cd,icb24cd,lat,long,pfa23cd,imd20ind"
)
NSPL_HEADER = next(csv.reader([NSPL_HEADER_LINE]))
ONSPD_2025_HEADER = next(csv.reader([ONSPD_2025_HEADER_LINE]))

ALDERSHOT, BOLTON_SOUTH = "E14001063", "E14001111"
EDINBURGH_EAST, YNYS_MON, BELFAST_SOUTH = "S14000078", "W07000112", "N05000003"

# (pcds, constituency code, doterm)
ROWS = [
    ("GU11 1AA", ALDERSHOT, ""),
    ("GU11 1AB", ALDERSHOT, "201803"),  # terminated
    ("BL3 1AA", BOLTON_SOUTH, ""),
    ("EH7 5AA", EDINBURGH_EAST, ""),
    ("LL77 7AA", YNYS_MON, ""),
    ("BT9 5AA", BELFAST_SOUTH, ""),  # Northern Ireland
    ("JE2 3AB", "L99999999", ""),  # Jersey: pseudo code
    ("ZE1 0AA", "S99999999", ""),  # no grid reference: pseudo code
    ("GU12 4AA", "", ""),  # no constituency at all
    ("GU14 6AA", "E14000530", ""),  # a pre-2024 code: unknown to the directory
    ("NOT A PC", ALDERSHOT, ""),  # malformed postcode
    ("GU11 1AA", ALDERSHOT, ""),  # the same postcode twice
]
LIVE = {
    "GU111AA": ALDERSHOT,
    "BL31AA": BOLTON_SOUTH,
    "EH75AA": EDINBURGH_EAST,
    "LL777AA": YNYS_MON,
    "BT95AA": BELFAST_SOUTH,
}


def _pcd7(pcds: str) -> str:
    outward, _, inward = pcds.partition(" ")
    return f"{outward:<4}{inward}"[:7] if len(outward) < 4 else outward + inward


def nspl_rows(header: list[str], rows: Iterable[tuple[str, str, str]]) -> list[list[str]]:
    """Full-width rows with plausible filler, the interesting columns set by name."""
    filler = {
        "dointr": "198001",
        "usertype": "0",
        "usrtypind": "0",
        "oseast1m": "486210",
        "east1m": "486210",
        "osnrth1m": "150120",
        "north1m": "150120",
        "osgrdind": "1",
        "gridind": "1",
        "ctry": "E92000001",
        "ctry25cd": "E92000001",
        "lat": "51.249071",
        "long": "-0.760381",
    }
    out = []
    for pcds, code, doterm in rows:
        values = {
            "pcd": _pcd7(pcds),
            "pcd7": _pcd7(pcds),
            "pcd2": pcds,
            "pcd8": pcds,
            "pcds": pcds,
            "doterm": doterm,
            "pcon": code,
            "pcon24cd": code,
        }
        out.append([values.get(name, filler.get(name, "")) for name in header])
    return out


def write_nspl(
    path: Path,
    rows: Iterable[tuple[str, str, str]] = ROWS,
    *,
    header: list[str] = NSPL_HEADER,
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL,
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=quoting, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(nspl_rows(header, rows))
    return path


def table(session: Session) -> dict[str, str]:
    return {p.postcode: p.constituency_id for p in session.exec(select(UkPostcode))}


def test_imports_live_postcodes_and_reports_the_rest(session: Session, tmp_path: Path) -> None:
    report = import_uk_postcodes(session, write_nspl(tmp_path / "NSPL_MAY_2025_UK.csv"))
    assert table(session) == LIVE
    assert report.rows_read == len(ROWS)
    assert report.imported == 5
    assert report.terminated == 1
    assert report.no_constituency == 3
    assert dict(report.unknown_codes) == {"E14000530": 1}
    assert report.malformed == 1
    assert report.duplicates == 1
    assert report.unchanged is False
    assert len(report.seats_without_postcodes) == 650 - 5
    load = session.get(DatasetLoad, "uk-postcodes")
    assert load is not None
    assert (load.checksum, load.rows) == (report.checksum, 5)


def test_onspd_with_year_suffixed_columns_and_quoted_values(
    session: Session, tmp_path: Path
) -> None:
    path = write_nspl(
        tmp_path / "ONSPD_FEB_2026_UK.csv", header=ONSPD_2025_HEADER, quoting=csv.QUOTE_ALL
    )
    assert '"GU11 1AA"' in path.read_text()
    report = import_uk_postcodes(session, path)
    assert table(session) == LIVE
    assert report.imported == 5


def test_upper_case_header_with_bom_and_pcd_only(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    header = ["PCD", "DOTERM", "PCON"]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(["GU111AA", "", ALDERSHOT])
        writer.writerow(["W1A 0AX", "", "E14001172"])
    import_uk_postcodes(session, path)
    assert table(session) == {"GU111AA": ALDERSHOT, "W1A0AX": "E14001172"}


def test_the_newest_constituency_column_wins(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "both.csv"
    path.write_text("pcds,doterm,pcon,pcon24cd\nGU11 1AA,,E14000530,E14001063\n")
    import_uk_postcodes(session, path)
    assert table(session) == {"GU111AA": ALDERSHOT}


def test_published_zip_uses_the_main_csv(session: Session, tmp_path: Path) -> None:
    csv_path = write_nspl(tmp_path / "main.csv")
    other = write_nspl(tmp_path / "other.csv", [("GU11 1AA", ALDERSHOT, "")])
    archive = tmp_path / "NSPL_MAY_2025_UK.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("Documents/NSPL User Guide.txt", "not data")
        zipped.writestr("Documents/LAD names and codes.csv", "LAD25CD,LAD25NM\n")
        zipped.write(csv_path, "Data/NSPL_MAY_2025_UK.csv")
        zipped.write(other, "Data/multi_csv/NSPL_MAY_2025_UK_GU.csv")
    assert [s.name for s in find_csv_sources(archive)] == ["Data/NSPL_MAY_2025_UK.csv"]
    seen: list[int] = []
    report = import_uk_postcodes(session, archive, progress=seen.append)
    assert table(session) == LIVE
    assert report.files == ["Data/NSPL_MAY_2025_UK.csv"]
    assert sum(seen) == csv_path.stat().st_size


def test_zip_with_only_multi_csv_reads_every_area(session: Session, tmp_path: Path) -> None:
    archive = tmp_path / "NSPL_MAY_2025_UK.zip"
    by_area: dict[str, list[tuple[str, str, str]]] = {}
    for row in ROWS:
        by_area.setdefault(row[0][:2], []).append(row)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for area, rows in by_area.items():
            part = write_nspl(tmp_path / f"{area}.csv", rows)
            zipped.write(part, f"NSPL/Data/multi_csv/NSPL_MAY_2025_UK_{area}.csv")
    report = import_uk_postcodes(session, archive)
    assert table(session) == LIVE
    assert len(report.files) == len(by_area)
    assert report.duplicates == 1  # found across files as well as within one


def test_zip_without_nspl_layout_is_refused(session: Session, tmp_path: Path) -> None:
    archive = tmp_path / "random.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.csv", "x\n")
        zipped.writestr("b.csv", "y\n")
    with pytest.raises(ImportFailed, match="Data/"):
        import_uk_postcodes(session, archive)


def test_a_damaged_zip_is_refused(session: Session, tmp_path: Path) -> None:
    rows = [(f"GU11 {d}{a}{b}", ALDERSHOT, "") for d in range(10) for a in "AB" for b in "AB"]
    archive = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(write_nspl(tmp_path / "nspl.csv", rows), "Data/NSPL_MAY_2025_UK.csv")
    data = bytearray(archive.read_bytes())
    for position in range(200, 400):  # inside the compressed member
        data[position] ^= 0x5A
    archive.write_bytes(bytes(data))
    with pytest.raises(ImportFailed, match="cannot be read"):
        import_uk_postcodes(session, archive)


def test_same_file_twice_changes_nothing(session: Session, tmp_path: Path) -> None:
    path = write_nspl(tmp_path / "nspl.csv")
    first = import_uk_postcodes(session, path)
    load = session.get(DatasetLoad, "uk-postcodes")
    assert load is not None
    loaded_at = load.loaded_at
    second = import_uk_postcodes(session, path)
    assert second.unchanged and second.imported == 0
    assert second.checksum == first.checksum
    assert table(session) == LIVE
    assert session.get(DatasetLoad, "uk-postcodes").loaded_at == loaded_at  # type: ignore[union-attr]


def test_a_new_file_replaces_the_whole_table(session: Session, tmp_path: Path) -> None:
    import_uk_postcodes(session, write_nspl(tmp_path / "first.csv"))
    import_uk_postcodes(
        session, write_nspl(tmp_path / "second.csv", [("W1A 0AX", "E14001172", "")])
    )
    assert table(session) == {"W1A0AX": "E14001172"}


def test_northern_ireland_can_be_left_out(session: Session, tmp_path: Path) -> None:
    path = write_nspl(tmp_path / "nspl.csv")
    with_ni = import_uk_postcodes(session, path)
    without = import_uk_postcodes(session, path, include_northern_ireland=False)
    assert not without.unchanged and without.checksum != with_ni.checksum
    assert without.northern_ireland_skipped == 1
    assert "BT95AA" not in table(session)


@pytest.mark.parametrize(
    ("content", "wording"),
    [
        ("pcds,doterm\nGU11 1AA,\n", "pcon"),
        ("postcode,doterm,pcon\nGU11 1AA,,E14001063\n", "pcds or pcd"),
        ("pcds,pcon\nGU11 1AA,E14001063\n", "doterm"),
        ("", "empty"),
        ("pcds,doterm,pcon\nGU11 1AA,,E14000530\n", "July 2024"),
        ("pcds,doterm,pcon\nGU11 1AA\nGU11 1AB,201001,E14001063\n", "No postcode"),
    ],
)
def test_bad_files_are_refused_and_the_table_is_kept(
    session: Session, tmp_path: Path, content: str, wording: str
) -> None:
    import_uk_postcodes(session, write_nspl(tmp_path / "good.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    savepoint = session.begin_nested()
    with pytest.raises(ImportFailed) as refused:
        import_uk_postcodes(session, bad)
    savepoint.rollback()
    assert wording in refused.value.message
    assert table(session) == LIVE


def test_a_missing_file_is_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="not a file"):
        import_uk_postcodes(session, tmp_path / "nope.csv")
