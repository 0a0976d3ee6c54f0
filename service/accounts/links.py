"""Invitations and password resets: a signed, single-use, expiring link sent by email.

Accounts does not send mail itself (it imports no other domain). It hands the link to an
`AccountMailer`, wired at start-up by the app (service.web.console.mail), which puts the
email in the delivery outbox in the same transaction: the link exists if and only if its
email is queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlmodel import Session, col, select

from service.accounts import audit, passwords
from service.accounts.audit import Actor
from service.accounts.errors import LinkNotValid
from service.accounts.models import Account, ConsoleSession, EmailLink
from service.accounts.roles import Permission, Role
from service.accounts.service import aware, find_by_email, normalise_email, require
from service.accounts.tokens import digest, link_is_signed, new_link_token
from service.config import AccountsSettings
from service.db import lock_for_write
from service.errors import Conflict

# A second reset email for the same account waits at least this long.
RESET_RESEND_INTERVAL = timedelta(minutes=5)


class LinkPurpose(StrEnum):
    invitation = "invitation"
    reset = "reset"


class AccountMailer(Protocol):
    def send_link(
        self,
        session: Session,
        *,
        to: str,
        purpose: LinkPurpose,
        url: str,
        expires_at: datetime,
        lang: str,
    ) -> None:
        """Queue the email carrying `url`, in `session`'s transaction (the caller commits)."""


def link_url(base_url: str, purpose: LinkPurpose, token: str) -> str:
    return f"{base_url.rstrip('/')}/console/{purpose.value}/{token}"


def _new_link(
    session: Session,
    account: Account,
    purpose: LinkPurpose,
    lifetime: timedelta,
    secret_key: str,
    now: datetime,
) -> tuple[EmailLink, str]:
    token = new_link_token(secret_key, purpose.value)
    link = EmailLink(
        account_id=account.id,
        purpose=purpose.value,
        token_hash=digest(token),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(link)
    return link, token


def invite(
    session: Session,
    actor: Actor,
    email: str,
    role: Role,
    mailer: AccountMailer,
    settings: AccountsSettings,
    secret_key: str,
    base_url: str,
    lang: str,
    now: datetime,
) -> Account:
    require(actor, Permission.manage_people)
    lock_for_write(session)
    address = normalise_email(email)
    if find_by_email(session, address) is not None:
        raise Conflict("Someone with that email address already has an account.", field="email")
    account = Account(email=address, role=role, created_at=now, updated_at=now)
    session.add(account)
    session.flush()
    link, token = _new_link(
        session,
        account,
        LinkPurpose.invitation,
        timedelta(hours=settings.invitation_valid_hours),
        secret_key,
        now,
    )
    mailer.send_link(
        session,
        to=address,
        purpose=LinkPurpose.invitation,
        url=link_url(base_url, LinkPurpose.invitation, token),
        expires_at=link.expires_at,
        lang=lang,
    )
    audit.record(session, actor, "account.invited", now, target=address, after={"role": role.value})
    session.commit()
    return account


def request_reset(
    session: Session,
    email: str,
    mailer: AccountMailer,
    settings: AccountsSettings,
    secret_key: str,
    base_url: str,
    lang: str,
    now: datetime,
    *,
    address_hash: str | None = None,
) -> None:
    """Sends a reset link when the address belongs to an active account that has a password.
    The caller answers the same either way, so the form does not reveal who has an account."""
    lock_for_write(session)
    account = find_by_email(session, email) if "@" in email and len(email) <= 254 else None
    if account is None or account.password_hash is None or account.disabled_at is not None:
        return
    if _recent_reset(session, account.id, now):
        return  # one email is on its way already: the form cannot flood a mailbox
    link, token = _new_link(
        session,
        account,
        LinkPurpose.reset,
        timedelta(minutes=settings.reset_valid_minutes),
        secret_key,
        now,
    )
    mailer.send_link(
        session,
        to=account.email,
        purpose=LinkPurpose.reset,
        url=link_url(base_url, LinkPurpose.reset, token),
        expires_at=link.expires_at,
        lang=lang,
    )
    actor = Actor(id=account.id, email=account.email, role=account.role, address_hash=address_hash)
    audit.record(session, actor, "password.reset_requested", now)
    session.commit()


def _recent_reset(session: Session, account_id: str, now: datetime) -> bool:
    latest = session.exec(
        select(EmailLink.created_at)
        .where(EmailLink.account_id == account_id, EmailLink.purpose == LinkPurpose.reset.value)
        .order_by(col(EmailLink.created_at).desc())
    ).first()
    return latest is not None and now - (aware(latest) or now) < RESET_RESEND_INTERVAL


def open_link(
    session: Session, purpose: LinkPurpose, token: str, secret_key: str, now: datetime
) -> tuple[EmailLink, Account]:
    """The link and its account, if the link is ours, unused, in time, for an active account."""
    if not link_is_signed(secret_key, purpose.value, token):
        raise LinkNotValid("This link is not valid. Check that you copied all of it.")
    link = session.exec(select(EmailLink).where(EmailLink.token_hash == digest(token))).first()
    if link is None or link.purpose != purpose.value:
        raise LinkNotValid("This link is not valid. Check that you copied all of it.")
    if link.used_at is not None:
        raise LinkNotValid("This link has been used already; each link works once.")
    expires = aware(link.expires_at)
    if expires is None or now >= expires:
        raise LinkNotValid("This link has expired; ask for a new one.")
    account = session.get(Account, link.account_id)
    if account is None or account.disabled_at is not None:
        raise LinkNotValid("This account has been disabled.")
    if purpose is LinkPurpose.invitation and account.password_hash is not None:
        raise LinkNotValid("This invitation has been accepted already; sign in instead.")
    return link, account


def set_password_from_link(
    session: Session,
    purpose: LinkPurpose,
    token: str,
    password: str,
    settings: AccountsSettings,
    secret_key: str,
    now: datetime,
    *,
    address_hash: str | None = None,
) -> Account:
    """Accept an invitation or complete a reset: choose a password, use the link up. A reset
    ends every session and lifts a lockout (the person proved they hold the mailbox)."""
    lock_for_write(session)
    link, account = open_link(session, purpose, token, secret_key, now)
    passwords.check_new_password(
        password, min_length=settings.password_min_length, email=account.email
    )
    account.password_hash = passwords.hash_password(password)
    account.updated_at = now
    link.used_at = now
    session.add(link)
    actor = Actor(id=account.id, email=account.email, role=account.role, address_hash=address_hash)
    if purpose is LinkPurpose.reset:
        for open_session in session.exec(
            select(ConsoleSession).where(ConsoleSession.account_id == account.id)
        ):
            if open_session.revoked_at is None:
                open_session.revoked_at = now
                session.add(open_session)
        account.locked_at = None
        audit.record(session, actor, "password.reset", now)
    else:
        audit.record(session, actor, "account.invitation_accepted", now)
    session.add(account)
    session.commit()
    return account
