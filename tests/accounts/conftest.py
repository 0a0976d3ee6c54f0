"""Accounts fixtures: people of each role (with a second factor where theirs needs one),
signed in through the real use cases, and clients that carry their session or token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.accounts import credentials, service, signin, totp
from service.accounts.audit import CLI_ACTOR, Actor
from service.accounts.current import SESSION_COOKIE
from service.accounts.models import Account
from service.accounts.roles import Role
from service.accounts.signin import Client
from service.config import Settings
from service.web import csrf

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@dataclass
class Person:
    account: Account
    totp_secret: str | None

    def actor(self) -> Actor:
        return Actor(id=self.account.id, email=self.account.email, role=self.account.role)

    def code(self, moment: datetime, offset_steps: int = 0) -> str:
        assert self.totp_secret is not None
        key = totp._key(self.totp_secret)
        return totp.code_at_step(key, totp.time_step(moment) + offset_steps)


MakePerson = Callable[..., Person]


@pytest.fixture
def make_person(session: Session, settings: Settings) -> MakePerson:
    counter = iter(range(1000))

    def make(
        role: Role = Role.admin,
        *,
        email: str | None = None,
        enrol: bool | None = None,
        at: datetime = NOW,
    ) -> Person:
        address = email or f"{role.value}{next(counter)}@example.org"
        account = service.create_account(
            session, CLI_ACTOR, address, role, PASSWORD, settings.accounts, at
        )
        secret = None
        if enrol if enrol is not None else role is not Role.staff:
            actor = Actor(id=account.id, email=account.email, role=account.role)
            secret = credentials.begin_totp_enrolment(session, actor, at)
            code = totp.code_at_step(totp._key(secret), totp.time_step(at) - 1)
            credentials.confirm_totp_enrolment(session, actor, code, settings.accounts, at)
        return Person(account, secret)

    return make


def sign_in_fully(session: Session, settings: Settings, person: Person, at: datetime) -> str:
    """A complete console session for `person`; returns the cookie value."""
    signed_in, raw = signin.sign_in(
        session,
        person.account.email,
        PASSWORD,
        Client("192.0.2.1"),
        settings.accounts,
        settings.secret_key,
        at,
    )
    if not signed_in.complete:
        signin.second_factor(session, signed_in, person.code(at), settings.accounts, at)
    return raw


def browser(client: TestClient, settings: Settings, cookie: str | None = None) -> str:
    """Makes `client` act like a browser with a CSRF cookie (and a session); returns the
    CSRF token its forms carry."""
    token = csrf.issue(settings.secret_key)
    client.cookies.set(csrf.COOKIE_NAME, token)
    if cookie:
        client.cookies.set(SESSION_COOKIE, cookie)
    client.headers["accept"] = "text/html"
    return token
