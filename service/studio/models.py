"""One saved version of a campaign's template (a name in one language). Versions are numbered
per campaign and template name, across both languages, so `…/versions/{n}` names one row.
A version is never edited: a change is a new draft, and approval only fills the approval
columns of a draft, once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel

import service.db  # noqa: F401  (constraint naming convention must precede the tables)


class TemplateVersion(SQLModel, table=True):
    __tablename__ = "template_version"
    __table_args__ = (UniqueConstraint("campaign_id", "name", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    name: str = Field(max_length=20)  # studio.checks.NAMES: letter, confirm, … returned
    lang: str = Field(max_length=2)
    number: int = Field(ge=1)
    # The letter: subject lines given in turn to supporters who write none. A supporter
    # email: its one subject line, a template (none: the built-in subject).
    subjects: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))  # Jinja source of the text part
    html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    note: str = Field(default="", max_length=500)
    restored_from: int | None = None
    # Console people by account id ("cli" for the command line), never an address.
    created_by: str = Field(max_length=40)
    created_at: datetime
    approved_by: str | None = Field(default=None, max_length=40)
    approved_at: datetime | None = None
    approval_note: str | None = Field(default=None, max_length=500)

    @property
    def status(self) -> str:
        return "approved" if self.approved_at is not None else "draft"


class ApprovedVersionIsFinal(RuntimeError):
    pass


@event.listens_for(OrmSession, "before_flush")
def _refuse_changes_to_approved(session: OrmSession, _context: object, _instances: object) -> None:
    """An approved version is what letters were written with: it is never changed or removed
    (a change is a new draft; an old version comes back by restoring it)."""
    for version in (*session.dirty, *session.deleted):
        if not isinstance(version, TemplateVersion):
            continue
        if version not in session.deleted and not session.is_modified(version):
            continue
        approved = inspect(version).attrs.approved_at.history
        was = (approved.deleted or approved.unchanged or [None])[0]
        if was is not None:
            raise ApprovedVersionIsFinal("an approved template version never changes")
