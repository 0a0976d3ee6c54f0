"""Tables of the accounts domain. Secrets (passwords, session cookies, API tokens, recovery
codes, emailed link tokens) are stored only as hashes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel

import service.db  # noqa: F401  (constraint naming convention must precede the tables)
from service.accounts.roles import Role


def new_id() -> str:
    return uuid.uuid4().hex


class Account(SQLModel, table=True):
    """A person who signs in to the console (never a supporter)."""

    __tablename__ = "account"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    email: str = Field(max_length=254, unique=True)  # lower-cased
    role: Role = Field(sa_column=Column(String(20), nullable=False))
    # None until the person has chosen one (an invitation not yet accepted).
    password_hash: str | None = Field(default=None, max_length=200)
    totp_secret: str | None = Field(default=None, max_length=64)
    # The secret offered during enrolment, until a code from it confirms it.
    totp_pending_secret: str | None = Field(default=None, max_length=64)
    # The last TOTP time step accepted: a code is good once.
    totp_last_step: int | None = None
    disabled_at: datetime | None = None
    locked_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "account_recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = None


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; this row holds its hash."""

    __tablename__ = "console_session"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    # False between the password and the second factor (or its enrolment).
    second_factor_done: bool = False
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # the absolute limit
    revoked_at: datetime | None = None
    user_agent: str | None = Field(default=None, max_length=200)
    address_hash: str | None = Field(default=None, max_length=64)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    # The first characters, so a person can tell their tokens apart.
    prefix: str = Field(max_length=12)
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class EmailLink(SQLModel, table=True):
    """An invitation or a password reset: single use, expiring."""

    __tablename__ = "account_email_link"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    purpose: str = Field(max_length=12)  # "invitation" | "reset"
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins in a row for one key (an account, or a hashed client address)."""

    __tablename__ = "login_throttle"

    key_hash: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    last_failure_at: datetime | None = None


class AuditEntry(SQLModel, table=True):
    """Append-only: rows are added in the transaction of the change they record and never
    changed or removed (audit.py refuses it at flush time)."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    # None for the command line and for anonymous attempts (a failed sign-in).
    actor_id: str | None = Field(default=None, max_length=32, index=True)
    actor_label: str = Field(max_length=254)
    address_hash: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=60, index=True)
    target: str | None = Field(default=None, max_length=254)
    before: dict[str, object] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, object] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
