"""People: creating the first admin (command line), listing, changing roles, disabling,
lifting a lockout. Each use case is one transaction, audited in it."""

from __future__ import annotations

from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import update
from sqlmodel import Session, col, select

from service.accounts import audit, passwords
from service.accounts.audit import Actor
from service.accounts.errors import PermissionDenied
from service.accounts.models import Account, ApiToken, ConsoleSession, LoginThrottle
from service.accounts.roles import Permission, Role, has_permission
from service.accounts.tokens import digest
from service.config import AccountsSettings
from service.db import lock_for_write
from service.errors import Conflict, InvalidInput, NotFound


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone; every one we store is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def normalise_email(email: str) -> str:
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput("Enter a valid email address.", field="email") from exc
    return checked.normalized.lower()


def require(actor: Actor, permission: Permission) -> None:
    """Use cases check again what the route checked: the command line and tests call them
    directly."""
    if actor.role is not None and not has_permission(actor.role, permission):
        raise PermissionDenied("Your role does not allow this.")


def find_by_email(session: Session, email: str) -> Account | None:
    return session.exec(select(Account).where(Account.email == email.strip().lower())).first()


def get_account(session: Session, account_id: str) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("There is no such person.")
    return account


def throttle_key(email: str) -> str:
    return digest(f"account:{email.strip().lower()}")


def create_account(
    session: Session,
    actor: Actor,
    email: str,
    role: Role,
    password: str | None,
    settings: AccountsSettings,
    now: datetime,
) -> Account:
    """A new account; without a password it waits for its invitation to be accepted."""
    require(actor, Permission.manage_people)
    lock_for_write(session)
    address = normalise_email(email)
    if find_by_email(session, address) is not None:
        raise Conflict("Someone with that email address already has an account.", field="email")
    password_hash = None
    if password is not None:
        passwords.check_new_password(
            password, min_length=settings.password_min_length, email=address
        )
        password_hash = passwords.hash_password(password)
    account = Account(
        email=address, role=role, password_hash=password_hash, created_at=now, updated_at=now
    )
    session.add(account)
    audit.record(
        session,
        actor,
        "account.created",
        now,
        target=address,
        after={"role": role.value, "invited": password is None},
    )
    session.commit()
    return account


def list_accounts(session: Session) -> list[Account]:
    return list(session.exec(select(Account).order_by(col(Account.email))))


def is_locked(account: Account) -> bool:
    return account.locked_at is not None


def change_role(
    session: Session, actor: Actor, account_id: str, role: Role, now: datetime
) -> Account:
    require(actor, Permission.manage_people)
    lock_for_write(session)
    account = get_account(session, account_id)
    if account.id == actor.id:
        raise Conflict("You cannot change your own role; ask another admin.")
    before = Role(account.role)
    if before == role:
        return account
    account.role = role
    account.updated_at = now
    # A new role changes what the second factor must guard: sign the person in again.
    _end_sessions(session, account.id, now)
    audit.record(
        session,
        actor,
        "account.role_changed",
        now,
        target=account.email,
        before={"role": before.value},
        after={"role": role.value},
    )
    session.commit()
    return account


def set_disabled(
    session: Session, actor: Actor, account_id: str, disabled: bool, now: datetime
) -> Account:
    require(actor, Permission.manage_people)
    lock_for_write(session)
    account = get_account(session, account_id)
    if account.id == actor.id and disabled:
        raise Conflict("You cannot disable your own account.")
    was_disabled = account.disabled_at is not None
    if was_disabled == disabled:
        return account
    account.disabled_at = now if disabled else None
    account.updated_at = now
    if disabled:
        _end_sessions(session, account.id, now)
    audit.record(
        session,
        actor,
        "account.disabled" if disabled else "account.enabled",
        now,
        target=account.email,
        before={"disabled": was_disabled},
        after={"disabled": disabled},
    )
    session.commit()
    return account


def lift_lockout(session: Session, actor: Actor, account_id: str, now: datetime) -> Account:
    require(actor, Permission.manage_people)
    lock_for_write(session)
    account = get_account(session, account_id)
    was_locked = account.locked_at is not None
    account.locked_at = None
    account.updated_at = now
    throttle = session.get(LoginThrottle, throttle_key(account.email))
    if throttle is not None:
        session.delete(throttle)
    audit.record(
        session,
        actor,
        "account.lockout_lifted",
        now,
        target=account.email,
        before={"locked": was_locked},
        after={"locked": False},
    )
    session.commit()
    return account


def _end_sessions(session: Session, account_id: str, now: datetime) -> int:
    result = session.exec(
        update(ConsoleSession)
        .where(col(ConsoleSession.account_id) == account_id)
        .where(col(ConsoleSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount or 0)


def active_tokens(session: Session, account_id: str) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.account_id == account_id)
            .where(col(ApiToken.revoked_at).is_(None))
            .order_by(col(ApiToken.created_at))
        )
    )
