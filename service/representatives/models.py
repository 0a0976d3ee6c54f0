"""Chambers, constituencies and the representatives who sit for them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

import service.db  # noqa: F401  (constraint naming convention must precede the tables)


class ChamberId(StrEnum):
    uk_commons = "uk-commons"
    fr_an = "fr-an"


class RepresentativeStatus(StrEnum):
    active = "active"
    # The seat has no sitting member (a by-election is pending, or the seat left the data).
    vacant = "vacant"
    # Organisers stopped letters to this member (for example, a minister who cannot sit).
    paused = "paused"


class Chamber(SQLModel, table=True):
    __tablename__ = "chamber"

    id: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=100)
    country: str = Field(max_length=2)  # "uk" | "fr"
    timezone: str = Field(max_length=40)
    language: str = Field(max_length=2)  # the language letters to this chamber are written in


class Constituency(SQLModel, table=True):
    __tablename__ = "constituency"

    # UK: ONS GSS code (2024 boundaries); France: "<département>-<NN>".
    id: str = Field(primary_key=True, max_length=12)
    chamber_id: str = Field(foreign_key="chamber.id", index=True, max_length=20)
    name: str = Field(max_length=200)
    name_cy: str | None = Field(default=None, max_length=200)
    # UK: nation (England, Scotland, Wales, Northern Ireland); France: département name.
    region: str = Field(max_length=100)
    # Lower-cased, accent-free name used by pick-by-name search.
    search_key: str = Field(max_length=200, index=True)


class Representative(SQLModel, table=True):
    __tablename__ = "representative"

    # "uk-<Parliament member id>" or "fr-<AN acteur id>", e.g. "uk-5173", "fr-PA842311".
    id: str = Field(primary_key=True, max_length=40)
    chamber_id: str = Field(foreign_key="chamber.id", index=True, max_length=20)
    constituency_id: str = Field(foreign_key="constituency.id", index=True, max_length=12)
    name: str = Field(max_length=200)
    party: str = Field(max_length=200)
    # "M." / "Mme" from the Assemblée's data; None where the source does not give it.
    civility: str | None = Field(default=None, max_length=4)
    # Only an address the official source publishes; never one built from a name.
    email: str | None = Field(default=None, max_length=320)
    status: RepresentativeStatus = Field(
        default=RepresentativeStatus.active, sa_column=Column(String(10), nullable=False)
    )
    source: str = Field(max_length=200)
    retrieved_on: date
    search_key: str = Field(max_length=200, index=True)
    updated_at: datetime

    @property
    def can_write(self) -> bool:
        return self.status == RepresentativeStatus.active and bool(self.email)


class DatasetLoad(SQLModel, table=True):
    """Which bundled or imported dataset is in the database, so loads run once and re-runs
    of the same file change nothing."""

    __tablename__ = "dataset_load"

    name: str = Field(primary_key=True, max_length=60)
    checksum: str = Field(max_length=64)
    rows: int
    loaded_at: datetime
    # Where the data came from and the date it describes (a chamber's roster: the date of the
    # source, not of the load); `checked_on`, when later, is the last date a check against a
    # fresher source found it unchanged.
    source: str = Field(default="", max_length=200)
    source_date: date | None = None
    checked_on: date | None = None


# Where supporters live → constituencies. Written by the importers and the bundled snapshot
# (representatives.importers), read by the lookup.


# The dataset_load row of an imported ONS postcode file (NSPL or ONSPD).
UK_POSTCODES_DATASET = "uk-postcodes"


class UkPostcode(SQLModel, table=True):
    """A live UK postcode from the ONS NSPL/ONSPD, keyed without its space ("SW1A1AA")."""

    __tablename__ = "uk_postcode"

    postcode: str = Field(primary_key=True, max_length=8)
    constituency_id: str = Field(foreign_key="constituency.id", max_length=12)


class FrCommune(SQLModel, table=True):
    """A French commune (COG) or a Paris/Lyon/Marseille arrondissement."""

    __tablename__ = "fr_commune"

    code_insee: str = Field(primary_key=True, max_length=5)
    name: str = Field(max_length=200)
    # "commune" | "arrondissement"
    kind: str = Field(max_length=20)
    # The city of an arrondissement.
    parent_code: str | None = Field(default=None, max_length=5, index=True)
    department_code: str = Field(max_length=3)
    population: int | None = None


class FrCommuneConstituency(SQLModel, table=True):
    __tablename__ = "fr_commune_constituency"

    code_insee: str = Field(foreign_key="fr_commune.code_insee", primary_key=True, max_length=5)
    constituency_id: str = Field(foreign_key="constituency.id", primary_key=True, max_length=12)


class FrArrondissementConstituency(SQLModel, table=True):
    """The circonscriptions one Paris, Lyon or Marseille arrondissement lies in (one to three;
    the city as a whole has more). `detail` and `confidence` describe the arrondissement and
    repeat on each of its rows, so the table stays one flat file in the snapshot."""

    __tablename__ = "fr_arrondissement_constituency"

    code_insee: str = Field(foreign_key="fr_commune.code_insee", primary_key=True, max_length=5)
    constituency_id: str = Field(foreign_key="constituency.id", primary_key=True, max_length=12)
    # How a split arrondissement divides ("quartier X → 75-11"), in the source's words.
    detail: str = Field(default="", max_length=500)
    # "high" (Paris: the Ministry's table) or "medium" (Lyon, Marseille: published descriptions).
    confidence: str = Field(max_length=10)


class FrFormerCommune(SQLModel, table=True):
    """A former commune (commune déléguée or associée) of a commune split between
    circonscriptions, with the circonscription it lay in before the merger where that is
    known. Keyed by its commune too: the former commune that gave a commune nouvelle its
    INSEE code shares that code."""

    __tablename__ = "fr_former_commune"

    parent_code: str = Field(foreign_key="fr_commune.code_insee", primary_key=True, max_length=5)
    code_insee: str = Field(primary_key=True, max_length=5)
    name: str = Field(max_length=200)
    # Null where the data does not place it in a single circonscription: it may then be in
    # any of its commune's.
    constituency_id: str | None = Field(default=None, foreign_key="constituency.id", max_length=12)


class FrPostalCode(SQLModel, table=True):
    """Which communes a code postal serves (a code often serves several)."""

    __tablename__ = "fr_postal_code"

    postal_code: str = Field(primary_key=True, max_length=5)
    # Indexed on its own too: without it PostgreSQL scans this table for every commune deleted.
    code_insee: str = Field(
        foreign_key="fr_commune.code_insee", primary_key=True, max_length=5, index=True
    )


class FrAbroadCountry(SQLModel, table=True):
    """Country of residence → circonscription des Français établis hors de France."""

    __tablename__ = "fr_abroad_country"

    iso2: str = Field(primary_key=True, max_length=2)
    name_fr: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    # Null when the country is French territory (then the supporter's commune decides).
    constituency_id: str | None = Field(default=None, foreign_key="constituency.id", max_length=12)


class RepresentativeCare(SQLModel, table=True):
    """What organisers did to a representative's record from the console: why letters to them
    are paused, and where their address came from when an organiser corrected it (the
    importers' `source` and `retrieved_on` describe the official data). Who did it is in the
    audit log."""

    __tablename__ = "representative_care"

    representative_id: str = Field(foreign_key="representative.id", primary_key=True, max_length=40)
    pause_reason: str | None = Field(default=None, max_length=300)
    paused_at: datetime | None = None
    # Set when an organiser corrected the address: what they gave as its source, and when.
    email_source: str | None = Field(default=None, max_length=200)
    email_corrected_at: datetime | None = None
