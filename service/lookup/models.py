"""Tables that turn where a supporter lives into a constituency."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

import service.db  # noqa: F401  (constraint naming convention must precede the tables)


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
