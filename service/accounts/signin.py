"""Signing in to the console: password, throttling and lockout, second factor, and the
server-side sessions that follow (idle and absolute limits, revocation)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, bindparam, text, update
from sqlmodel import Session, col, select

from service.accounts import audit, passwords, totp
from service.accounts.audit import Actor
from service.accounts.errors import SignInRefused, SignInThrottled
from service.accounts.models import Account, ConsoleSession, LoginThrottle, RecoveryCode
from service.accounts.roles import needs_second_factor
from service.accounts.service import aware, find_by_email, throttle_key
from service.accounts.tokens import digest, new_session_token, normalise_recovery_code
from service.config import AccountsSettings
from service.db import lock_for_write
from service.errors import NotFound

# Verified when the email matches no account, so a wrong address costs as long as a wrong
# password and the timing does not tell which accounts exist.
_DUMMY_HASH = passwords.hash_password("not a password anyone has: timing only")
# last_seen_at is written at most this often, not on every request.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Client:
    """Where a request comes from, as far as accounts need to know."""

    address: str | None
    user_agent: str | None = None


@dataclass(frozen=True)
class SignedIn:
    console_session: ConsoleSession
    account: Account

    @property
    def complete(self) -> bool:
        return self.console_session.second_factor_done

    @property
    def must_enrol(self) -> bool:
        return not self.complete and self.account.totp_secret is None

    def actor(self) -> Actor:
        return Actor(
            id=self.account.id,
            email=self.account.email,
            role=self.account.role,
            session_id=self.console_session.id,
            address_hash=self.console_session.address_hash,
        )


def _wait_seconds(failures: int, settings: AccountsSettings) -> float:
    if failures < settings.login_free_attempts:
        return 0.0
    extra = failures - settings.login_free_attempts
    return min(
        settings.login_delay_base_seconds * 2 ** min(extra, 30), settings.login_delay_cap_seconds
    )


def _check_throttle(
    session: Session, keys: list[str], settings: AccountsSettings, now: datetime
) -> None:
    for key in keys:
        row = session.get(LoginThrottle, key)
        last = aware(row.last_failure_at) if row else None
        if row is None or last is None:
            continue
        remaining = last + timedelta(seconds=_wait_seconds(row.failures, settings)) - now
        if remaining.total_seconds() > 0:
            seconds = math.ceil(remaining.total_seconds())
            raise SignInThrottled(
                f"Too many failed attempts. Wait {seconds} seconds, then try again.",
                retry_after=seconds,
            )


# One statement, so two failures at the same moment both count (and neither trips over the
# other's insert).
_COUNT_FAILURE = (
    text(
        "INSERT INTO login_throttle (key_hash, failures, last_failure_at) VALUES (:key, 1, :now) "
        "ON CONFLICT (key_hash) DO UPDATE SET failures = login_throttle.failures + 1, "
        "last_failure_at = excluded.last_failure_at RETURNING failures"
    )
    .bindparams(
        bindparam("now", type_=LoginThrottle.__table__.c.last_failure_at.type)  # type: ignore[attr-defined]
    )
    .columns(failures=Integer())
)


def _count_failure(session: Session, key: str, now: datetime) -> int:
    failures = session.execute(_COUNT_FAILURE, {"key": key, "now": now}).scalar_one()
    # The identity map may hold the row read by _check_throttle: let it read the new count.
    cached = session.get(LoginThrottle, key, populate_existing=True)
    return int(cached.failures if cached is not None else failures)


def _clear(session: Session, keys: list[str]) -> None:
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is not None:
            session.delete(row)


def _address_key(address_hash: str | None) -> str | None:
    return digest(f"address:{address_hash}") if address_hash else None


def _fail(
    session: Session,
    account: Account | None,
    keys: list[str],
    action: str,
    address_hash: str | None,
    settings: AccountsSettings,
    now: datetime,
) -> None:
    """Count a failed attempt for every key, lock the account when it has failed too often,
    record both, and commit: the refusal that follows must not roll them back."""
    counts = [_count_failure(session, key, now) for key in keys]
    actor = None
    if account is not None:
        actor = Actor(
            id=account.id, email=account.email, role=account.role, address_hash=address_hash
        )
    audit.record(
        session,
        actor,
        action,
        now,
        address=address_hash,
        after={"failures": counts[0]} if account else None,
    )
    if (
        account is not None
        and account.locked_at is None
        and (counts[0] >= settings.lockout_after_failures)
    ):
        account.locked_at = now
        session.add(account)
        audit.record(
            session,
            actor,
            "account.locked",
            now,
            target=account.email,
            after={"failures": counts[0]},
        )
    session.commit()


def sign_in(
    session: Session,
    email: str,
    password: str,
    client: Client,
    settings: AccountsSettings,
    secret_key: str,
    now: datetime,
) -> tuple[SignedIn, str]:
    """The password step. Returns the new session and its cookie value; the session may
    still need the second factor (SignedIn.complete is False)."""
    lock_for_write(session)
    address_hash = audit.address_hash(secret_key, client.address, now)
    keys = [throttle_key(email)]
    if (address_key := _address_key(address_hash)) is not None:
        keys.append(address_key)
    _check_throttle(session, keys, settings, now)
    account = find_by_email(session, email)
    if account is not None and account.locked_at is not None:
        raise SignInRefused(
            "This account is locked after too many failed attempts. Ask an admin to unlock it."
        )
    stored = account.password_hash if account and account.password_hash else _DUMMY_HASH
    password_ok = passwords.verify_password(stored, password)
    if (
        account is None
        or account.password_hash is None
        or not password_ok
        or (account.disabled_at is not None)
    ):
        _fail(session, account, keys, "sign_in.failed", address_hash, settings, now)
        raise SignInRefused("That email address and password do not match an active account.")
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    _clear(session, keys)
    raw = new_session_token()
    done = account.totp_secret is None and not needs_second_factor(account.role)
    console_session = ConsoleSession(
        account_id=account.id,
        token_hash=digest(raw),
        second_factor_done=done,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
        user_agent=(client.user_agent or "")[:200] or None,
        address_hash=address_hash,
    )
    session.add(console_session)
    signed_in = SignedIn(console_session, account)
    audit.record(
        session,
        signed_in.actor(),
        "sign_in.succeeded" if done else "sign_in.password_accepted",
        now,
    )
    session.commit()
    return signed_in, raw


def resolve(
    session: Session, raw_token: str | None, settings: AccountsSettings, now: datetime
) -> SignedIn | None:
    """The session a cookie stands for, if it is still good; keeps it alive."""
    if not raw_token or len(raw_token) > 100:
        return None
    console_session = session.exec(
        select(ConsoleSession).where(ConsoleSession.token_hash == digest(raw_token))
    ).first()
    if console_session is None or console_session.revoked_at is not None:
        return None
    last_seen = aware(console_session.last_seen_at)
    expires = aware(console_session.expires_at)
    assert last_seen is not None and expires is not None
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    if now >= expires or now - last_seen >= idle_limit:
        return None
    account = session.get(Account, console_session.account_id)
    if account is None or account.disabled_at is not None or account.locked_at is not None:
        return None
    if now - last_seen >= _TOUCH_EVERY:
        lock_for_write(session)
        console_session.last_seen_at = now
        session.add(console_session)
        session.commit()
    return SignedIn(console_session, account)


def second_factor(
    session: Session,
    signed_in: SignedIn,
    code: str,
    settings: AccountsSettings,
    now: datetime,
) -> SignedIn:
    """A code from the authenticator app, or one of the recovery codes (each works once)."""
    lock_for_write(session)
    account = signed_in.account
    keys = [throttle_key(account.email)]
    _check_throttle(session, keys, settings, now)
    if account.totp_secret is None:
        raise SignInRefused("Set up your second factor first.")
    method = None
    step = totp.matching_step(account.totp_secret, code, now, after=account.totp_last_step)
    if step is not None:
        account.totp_last_step = step
        method = "authenticator"
    elif (recovery := _unused_recovery_code(session, account.id, code)) is not None:
        recovery.used_at = now
        session.add(recovery)
        method = "recovery_code"
    if method is None:
        _fail(
            session,
            account,
            keys,
            "sign_in.second_factor_failed",
            signed_in.console_session.address_hash,
            settings,
            now,
        )
        raise SignInRefused("That code is not right, or it has been used already.")
    _clear(session, keys)
    signed_in.console_session.second_factor_done = True
    session.add(account)
    session.add(signed_in.console_session)
    audit.record(
        session, signed_in.actor(), "sign_in.succeeded", now, after={"second_factor": method}
    )
    session.commit()
    return signed_in


def _unused_recovery_code(session: Session, account_id: str, code: str) -> RecoveryCode | None:
    if len(code) > 40:
        return None
    return session.exec(
        select(RecoveryCode)
        .where(RecoveryCode.account_id == account_id)
        .where(RecoveryCode.code_hash == digest(normalise_recovery_code(code)))
        .where(col(RecoveryCode.used_at).is_(None))
    ).first()


def sign_out(session: Session, signed_in: SignedIn, now: datetime) -> None:
    lock_for_write(session)
    signed_in.console_session.revoked_at = now
    session.add(signed_in.console_session)
    audit.record(session, signed_in.actor(), "sign_out", now)
    session.commit()


def active_sessions(session: Session, account_id: str, now: datetime) -> list[ConsoleSession]:
    rows = session.exec(
        select(ConsoleSession)
        .where(ConsoleSession.account_id == account_id)
        .where(col(ConsoleSession.revoked_at).is_(None))
        .order_by(col(ConsoleSession.last_seen_at).desc())
    )
    return [row for row in rows if (aware(row.expires_at) or now) > now]


def revoke_session(session: Session, actor: Actor, session_id: str, now: datetime) -> None:
    """End one of the actor's own sessions (another browser, a lost laptop)."""
    lock_for_write(session)
    row = session.get(ConsoleSession, session_id)
    if row is None or row.account_id != actor.id:
        raise NotFound("There is no such session of yours.")
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
        audit.record(session, actor, "session.revoked", now, target=row.id)
    session.commit()


def sign_out_everywhere(session: Session, actor: Actor, now: datetime) -> int:
    lock_for_write(session)
    result = session.exec(
        update(ConsoleSession)
        .where(col(ConsoleSession.account_id) == actor.id)
        .where(col(ConsoleSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    ended = int(result.rowcount or 0)
    audit.record(session, actor, "session.signed_out_everywhere", now, after={"ended": ended})
    session.commit()
    return ended
