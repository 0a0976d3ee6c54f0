"""Shapes of the accounts part of the admin JSON API (/api/admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from service.accounts.models import Account, ApiToken, AuditEntry, ConsoleSession
from service.accounts.roles import Role


class PersonOut(BaseModel):
    id: str
    email: str
    role: Role
    second_factor: bool
    invited: bool  # the invitation is not accepted yet
    disabled: bool
    locked: bool
    created_at: datetime

    @classmethod
    def of(cls, account: Account) -> PersonOut:
        return cls(
            id=account.id,
            email=account.email,
            role=account.role,
            second_factor=account.totp_secret is not None,
            invited=account.password_hash is None,
            disabled=account.disabled_at is not None,
            locked=account.locked_at is not None,
            created_at=account.created_at,
        )


class PeopleOut(BaseModel):
    people: list[PersonOut]


class InvitationIn(BaseModel):
    email: str = Field(max_length=254)
    role: Role
    lang: Literal["en", "fr"] = "en"


class PersonChangeIn(BaseModel):
    role: Role | None = None
    disabled: bool | None = None


class PasswordChangeIn(BaseModel):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class SecondFactorOut(BaseModel):
    enrolled: bool
    recovery_codes_left: int


class EnrolmentOut(BaseModel):
    secret: str
    otpauth_uri: str


class CodeIn(BaseModel):
    code: str = Field(max_length=40)


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]


class SessionOut(BaseModel):
    id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str | None
    current: bool

    @classmethod
    def of(cls, row: ConsoleSession, current_id: str | None) -> SessionOut:
        return cls(
            id=row.id,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            user_agent=row.user_agent,
            current=row.id == current_id,
        )


class SessionsOut(BaseModel):
    sessions: list[SessionOut]


class SignedOutOut(BaseModel):
    ended: int


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(BaseModel):
    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked=token.revoked_at is not None,
        )


class TokensOut(BaseModel):
    tokens: list[TokenOut]


class NewTokenOut(TokenOut):
    token: str  # shown this once


class MeOut(BaseModel):
    person: PersonOut
    permissions: list[str]


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor_id: str | None
    actor: str
    address_hash: str | None
    action: str
    target: str | None
    before: dict[str, object] | None
    after: dict[str, object] | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            id=entry.id or 0,
            at=entry.at,
            actor_id=entry.actor_id,
            actor=entry.actor_label,
            address_hash=entry.address_hash,
            action=entry.action,
            target=entry.target,
            before=entry.before,
            after=entry.after,
        )


class AuditOut(BaseModel):
    entries: list[AuditEntryOut]
    next_offset: int | None
