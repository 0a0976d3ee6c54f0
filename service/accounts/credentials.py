"""What a signed-in person manages for themselves: password, second factor and recovery
codes, and personal API tokens (and how a token is checked on each API request)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from service.accounts import audit, passwords, totp
from service.accounts.audit import Actor
from service.accounts.errors import NotSignedIn, SecondFactorNeeded
from service.accounts.models import Account, ApiToken, ConsoleSession, RecoveryCode
from service.accounts.roles import needs_second_factor
from service.accounts.service import active_tokens, aware, get_account
from service.accounts.tokens import digest, new_api_token, new_recovery_code
from service.config import AccountsSettings
from service.db import lock_for_write
from service.errors import Conflict, InvalidInput, NotFound

_TOKEN_TOUCH_EVERY = timedelta(seconds=60)
MAX_TOKENS = 20


def change_password(
    session: Session,
    actor: Actor,
    current: str,
    new: str,
    settings: AccountsSettings,
    now: datetime,
) -> None:
    """Ends every other session of the person: whoever knew the old password is out."""
    lock_for_write(session)
    account = get_account(session, actor.id or "")
    if account.password_hash is None or not passwords.verify_password(
        account.password_hash, current
    ):
        raise InvalidInput("Your current password is not right.", field="current_password")
    passwords.check_new_password(new, min_length=settings.password_min_length, email=account.email)
    account.password_hash = passwords.hash_password(new)
    account.updated_at = now
    session.add(account)
    others = session.exec(
        select(ConsoleSession)
        .where(ConsoleSession.account_id == account.id)
        .where(col(ConsoleSession.revoked_at).is_(None))
        .where(ConsoleSession.id != actor.session_id)
    )
    for other in others:
        other.revoked_at = now
        session.add(other)
    audit.record(session, actor, "password.changed", now)
    session.commit()


def begin_totp_enrolment(session: Session, actor: Actor, now: datetime) -> str:
    """The secret to enter in an authenticator app; the same one until it is confirmed."""
    lock_for_write(session)
    account = get_account(session, actor.id or "")
    if account.totp_secret is not None:
        raise Conflict("Your second factor is already set up.")
    if account.totp_pending_secret is None:
        account.totp_pending_secret = totp.new_secret()
        account.updated_at = now
        session.add(account)
        session.commit()
    return account.totp_pending_secret


def confirm_totp_enrolment(
    session: Session,
    actor: Actor,
    code: str,
    settings: AccountsSettings,
    now: datetime,
) -> list[str]:
    """A code from the app proves it holds the secret. Returns the recovery codes, shown
    this once. The session it happens in counts as having passed the second factor."""
    lock_for_write(session)
    account = get_account(session, actor.id or "")
    if account.totp_secret is not None:
        raise Conflict("Your second factor is already set up.")
    if account.totp_pending_secret is None:
        raise Conflict("Start the set-up again: no secret is waiting for confirmation.")
    step = totp.matching_step(account.totp_pending_secret, code, now)
    if step is None:
        raise InvalidInput(
            "That code does not match; check your device's clock and try the next code.",
            field="code",
        )
    account.totp_secret = account.totp_pending_secret
    account.totp_pending_secret = None
    account.totp_last_step = step
    account.updated_at = now
    session.add(account)
    codes = _replace_recovery_codes(session, account.id, settings)
    if actor.session_id is not None:
        current = session.get(ConsoleSession, actor.session_id)
        if current is not None:
            current.second_factor_done = True
            session.add(current)
    audit.record(session, actor, "second_factor.enrolled", now)
    session.commit()
    return codes


def regenerate_recovery_codes(
    session: Session, actor: Actor, settings: AccountsSettings, now: datetime
) -> list[str]:
    lock_for_write(session)
    account = get_account(session, actor.id or "")
    if account.totp_secret is None:
        raise Conflict("Set up your second factor first.")
    codes = _replace_recovery_codes(session, account.id, settings)
    audit.record(session, actor, "second_factor.recovery_codes_replaced", now)
    session.commit()
    return codes


def unused_recovery_codes(session: Session, account_id: str) -> int:
    return len(
        session.exec(
            select(RecoveryCode.id)
            .where(RecoveryCode.account_id == account_id)
            .where(col(RecoveryCode.used_at).is_(None))
        ).all()
    )


def _replace_recovery_codes(
    session: Session, account_id: str, settings: AccountsSettings
) -> list[str]:
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.account_id) == account_id))
    codes = [new_recovery_code() for _ in range(settings.recovery_code_count)]
    for code in codes:
        session.add(RecoveryCode(account_id=account_id, code_hash=digest(code)))
    return codes


def create_token(session: Session, actor: Actor, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new personal API token; the returned secret is shown once and never stored."""
    lock_for_write(session)
    account = get_account(session, actor.id or "")
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Give the token a name of 1 to 100 characters.", field="name")
    existing = active_tokens(session, account.id)
    if len(existing) >= MAX_TOKENS:
        raise Conflict(f"You have {MAX_TOKENS} tokens already; revoke one first.")
    if any(token.name == name for token in existing):
        raise Conflict("You have a token of that name already.", field="name")
    raw = new_api_token()
    token = ApiToken(
        account_id=account.id, name=name, token_hash=digest(raw), prefix=raw[:10], created_at=now
    )
    session.add(token)
    audit.record(session, actor, "token.created", now, target=token.id)
    session.commit()
    return token, raw


def revoke_token(session: Session, actor: Actor, token_id: str, now: datetime) -> ApiToken:
    lock_for_write(session)
    token = session.get(ApiToken, token_id)
    if token is None or token.account_id != actor.id:
        raise NotFound("There is no such token of yours.")
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        audit.record(session, actor, "token.revoked", now, target=token.id)
    session.commit()
    return token


@dataclass(frozen=True)
class TokenHolder:
    account: Account
    token: ApiToken

    def actor(self, address_hash: str | None) -> Actor:
        return Actor(
            id=self.account.id,
            email=self.account.email,
            role=self.account.role,
            token_id=self.token.id,
            address_hash=address_hash,
        )


def authenticate_token(session: Session, raw: str, now: datetime) -> TokenHolder:
    """The account behind a Bearer token, with its role as it is now."""
    if not raw or len(raw) > 100:
        raise NotSignedIn("Send a valid API token: Authorization: Bearer <token>.")
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == digest(raw))).first()
    if token is None or token.revoked_at is not None:
        raise NotSignedIn("This API token is not valid or has been revoked.")
    account = session.get(Account, token.account_id)
    if account is None or account.disabled_at is not None or account.locked_at is not None:
        raise NotSignedIn("The owner of this API token cannot sign in.")
    if needs_second_factor(account.role) and account.totp_secret is None:
        raise SecondFactorNeeded(
            "The owner of this token must set up their second factor in the console first."
        )
    last_used = aware(token.last_used_at)
    if last_used is None or now - last_used >= _TOKEN_TOUCH_EVERY:
        lock_for_write(session)
        token.last_used_at = now
        session.add(token)
        session.commit()
    return TokenHolder(account, token)
