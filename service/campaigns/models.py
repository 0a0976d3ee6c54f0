"""Campaigns are rows: texts, demands, subject lines and template overrides per language, so a
second campaign needs no code change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

import service.db  # noqa: F401  (constraint naming convention must precede the tables)


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    # Letters go out from "<Supporter> via <sender_name>" <sender_email> (a verified sender).
    sender_name: str = Field(max_length=100)
    sender_email: str = Field(max_length=254)
    # Who runs the campaign, named on every supporter's page (in English and in French), and
    # the address supporters may write to (the privacy page's contact). None until organisers
    # set them: the pages then use neutral wording, never a placeholder.
    organisation_name: str | None = Field(default=None, max_length=120)
    organisation_name_fr: str | None = Field(default=None, max_length=120)
    contact_email: str | None = Field(default=None, max_length=254)
    # Where the campaign's dates are shown (the summit's timezone).
    timezone: str = Field(default="Europe/Paris", max_length=40)
    # Letters must arrive by `deadline` (the summit); no new letters from `closes_at`.
    deadline: datetime
    closes_at: datetime
    goal: int = Field(default=0, ge=0)
    # Pacing of letters to each representative: at most `letters_per_hour`, evenly spaced,
    # and with `office_hours_only` only Monday to Friday between the two hours (in the
    # chamber's timezone). Delivery may raise the pace to make the deadline, never past
    # delivery.daily_ceiling_per_representative.
    letters_per_hour: int = Field(default=30, ge=1, le=3600)
    office_hours_only: bool = False
    office_hours_start: int = Field(default=9, ge=0, le=23)
    office_hours_end: int = Field(default=18, ge=1, le=24)
    # Test mode: every letter goes to this address (the organiser who turned it on) with
    # "[TEST]" in its subject, instead of to the representative.
    test_recipient: str | None = Field(default=None, max_length=254)
    # Days after a letter's delivery when its supporter is asked whether the representative
    # replied (brought forward so the answers come in before the deadline).
    reply_after_days: int = Field(default=14, ge=1, le=90)
    # draft -> open <-> closed (campaigns.lifecycle). Only an open campaign takes letters, and
    # only until `closes_at`; rows from before the states existed are open.
    status: str = Field(default="open", max_length=12)
    created_at: datetime
    updated_at: datetime


class CampaignText(SQLModel, table=True):
    """The campaign's words in one language (en, fr)."""

    __tablename__ = "campaign_text"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    lang: str = Field(primary_key=True, max_length=2)
    title: str = Field(max_length=200)
    # The campaign's name in this language, as letters are signed ("<Supporter> via <name>")
    # and as the pages name who runs it; None: the campaign's own sender_name.
    sender_name: str | None = Field(default=None, max_length=100)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    # The letter's opening and closing paragraphs, around the supporter's own words.
    letter_intro: str = Field(sa_column=Column(Text, nullable=False))
    letter_closing: str = Field(sa_column=Column(Text, nullable=False))
    # Subject lines used in turn when the supporter does not write their own.
    subjects: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class CampaignDemand(SQLModel, table=True):
    """Demand `number` (1, 2, ...) in one language: a short title and a paragraph.

    The number is the demand's identity (letters record the numbers chosen), so it never
    changes: `position` is the order supporters see, and a retired demand stays for the
    letters that chose it but is no longer offered. Both are the same in every language."""

    __tablename__ = "campaign_demand"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    number: int = Field(primary_key=True, ge=1)
    lang: str = Field(primary_key=True, max_length=2)
    title: str = Field(max_length=120)
    body: str = Field(sa_column=Column(Text, nullable=False))
    position: int = Field(default=0)
    retired_at: datetime | None = None


class CampaignTemplate(SQLModel, table=True):
    """An organiser's version of one email template (e.g. "letter.txt.j2") in one language;
    without a row, the default under templates/emails/<lang>/ is used."""

    __tablename__ = "campaign_template"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    lang: str = Field(primary_key=True, max_length=2)
    name: str = Field(primary_key=True, max_length=60)
    source: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime
