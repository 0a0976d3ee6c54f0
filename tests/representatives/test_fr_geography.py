"""The French geography snapshot: built from the source files, it reproduces the documented
statistics, matches the committed CSVs byte for byte, and loads into the database."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pycountry
import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from service.errors import ImportFailed
from service.representatives.importers.fr_geography_build import FrGeography, build_fr_geography
from service.representatives.importers.fr_geography_snapshot import (
    FR_GEOGRAPHY_FILES,
    load_fr_geography,
    write_fr_geography,
)
from service.representatives.models import (
    FrAbroadCountry,
    FrCommune,
    FrCommuneConstituency,
    FrFormerCommune,
    FrPostalCode,
)
from service.representatives.snapshot_csv import read_csv

PROJECT_DATA = Path(__file__).resolve().parents[2] / "representatives"
FRENCH_TERRITORY = {"FR", "GP", "GF", "MQ", "YT", "NC", "PF", "RE", "BL", "MF", "PM", "TF", "WF"}


@pytest.fixture(scope="module")
def geography(shared_data: Path) -> FrGeography:
    return build_fr_geography(shared_data / "fr")


def _seats_by_postal_code(geography: FrGeography) -> dict[str, set[str]]:
    seats: dict[str, set[str]] = defaultdict(set)
    for code, seat in geography.commune_constituencies:
        seats[code].add(seat)
    by_code: dict[str, set[str]] = defaultdict(set)
    for postal_code, code in geography.postal_codes:
        by_code[postal_code] |= seats[code]
    return by_code


def test_postal_codes_reproduce_the_documented_statistics(geography: FrGeography) -> None:
    by_code = _seats_by_postal_code(geography)
    assert len(by_code) == 6_309
    sizes = [len(seats) for seats in by_code.values()]
    assert sizes.count(1) == 5_310
    assert sizes.count(18) == 21  # Paris (75116 included)
    assert sizes.count(7) == 16  # Marseille
    # (commune, code postal) pairs, from data-fr.md §5.
    assert len(geography.postal_codes) == 35_486


def test_communes_and_arrondissements(geography: FrGeography) -> None:
    kinds: dict[str, int] = defaultdict(int)
    for commune in geography.communes:
        kinds[commune.kind] += 1
    assert kinds == {"commune": 34_957, "arrondissement": 45}
    parents: dict[str | None, int] = defaultdict(int)
    for commune in geography.communes:
        if commune.kind == "arrondissement":
            parents[commune.parent_code] += 1
    assert parents == {"75056": 20, "69123": 9, "13055": 16}


def test_former_communes_of_split_communes(geography: FrGeography) -> None:
    seats: dict[str, set[str]] = defaultdict(set)
    for code, seat in geography.commune_constituencies:
        seats[code].add(seat)
    formers = geography.former_communes
    # Every former commune of the 40 split communes nouvelles (data-fr.md §4.4), and only
    # those: a former commune of a commune in one seat has nothing to decide.
    assert len(formers) == 140
    assert len({f.parent_code for f in formers}) == 40
    assert all(len(seats[f.parent_code]) > 1 for f in formers)
    placed = [f for f in formers if f.constituency_id is not None]
    assert all(f.constituency_id in seats[f.parent_code] for f in placed)
    assert len(placed) == 118
    # 32 of those share their commune nouvelle's INSEE code (Chemillé, Lamballe, Culoz…).
    assert sum(1 for f in placed if f.code_insee == f.parent_code) == 32
    assert len({f.parent_code for f in placed}) == 35
    # Communes with every former commune placed: 28 (data-fr.md §4.4).
    unplaced_parents = {f.parent_code for f in formers if f.constituency_id is None}
    assert len({f.parent_code for f in placed} - unplaced_parents) == 28
    # The rows taken from Regards Citoyens (ODbL) say so, for the licence notice.
    assert sum(1 for f in formers if f.source.endswith("[ODbL]")) == 87
    assert all(f.source.startswith("indéterminé") for f in formers if not f.constituency_id)
    # Former communes live in their own table only, not among the communes.
    communes = {c.code_insee for c in geography.communes}
    assert {f.code_insee for f in formers if f.code_insee != f.parent_code}.isdisjoint(communes)


def test_every_territorial_seat_has_communes(geography: FrGeography) -> None:
    seats = {seat for _, seat in geography.commune_constituencies}
    bundled = {row["id"] for row in read_csv(PROJECT_DATA / "fr" / "constituencies.csv")}
    assert seats <= bundled
    assert len(seats) == 566
    assert bundled - seats == {f"099-{n:02d}" for n in range(1, 12)}


def test_every_iso_country_has_an_answer(geography: FrGeography) -> None:
    table = {c.iso2: c for c in geography.countries}
    iso = {country.alpha_2 for country in pycountry.countries}
    assert iso <= set(table)
    assert table["GB"].constituency_id == "099-03"
    assert table["PS"].constituency_id == "099-08"
    assert table["BT"].constituency_id == table["KP"].constituency_id == "099-11"
    assert table["MS"].constituency_id == "099-03"
    no_seat = {iso2 for iso2, country in table.items() if country.constituency_id is None}
    assert no_seat == FRENCH_TERRITORY | {"AQ"}
    assert table["CA"].name_fr == "Canada"
    assert table["KP"].name_en == "North Korea"


def test_committed_snapshot_is_what_the_builder_writes(
    geography: FrGeography, tmp_path: Path
) -> None:
    write_fr_geography(tmp_path, geography)
    for name in FR_GEOGRAPHY_FILES:
        assert (tmp_path / name).read_bytes() == (PROJECT_DATA / name).read_bytes(), name


def _count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def test_bundled_geography_is_loaded(session: Session) -> None:
    for table, name in (
        (FrCommune, "fr/communes.csv"),
        (FrCommuneConstituency, "fr/commune_constituencies.csv"),
        (FrFormerCommune, "fr/former_communes.csv"),
        (FrPostalCode, "fr/postal_codes.csv"),
        (FrAbroadCountry, "fr/abroad_countries.csv"),
    ):
        assert _count(session, table) == len(read_csv(PROJECT_DATA / name))
    single_seat = (
        select(FrPostalCode.postal_code)
        .join(
            FrCommuneConstituency,
            col(FrCommuneConstituency.code_insee) == FrPostalCode.code_insee,
        )
        .group_by(FrPostalCode.postal_code)
        .having(func.count(func.distinct(FrCommuneConstituency.constituency_id)) == 1)
    )
    assert len(session.exec(single_seat).all()) == 5_310


def test_loading_again_replaces_rather_than_adds(session: Session) -> None:
    before = _count(session, FrCommune)
    loaded = load_fr_geography(session, PROJECT_DATA)
    assert _count(session, FrCommune) == before
    assert loaded == sum(len(read_csv(PROJECT_DATA / name)) for name in FR_GEOGRAPHY_FILES)


def test_a_snapshot_naming_an_unknown_seat_is_refused_whole(
    session: Session, tmp_path: Path
) -> None:
    for name in FR_GEOGRAPHY_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        lines = (PROJECT_DATA / name).read_text(encoding="utf-8").splitlines()[:3]
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (tmp_path / "fr/commune_constituencies.csv").open("a", encoding="utf-8") as handle:
        handle.write("01001,01-99\n")
    before = _count(session, FrCommune)
    with pytest.raises(ImportFailed, match="01-99"):
        load_fr_geography(session, tmp_path)
    assert _count(session, FrCommune) == before
