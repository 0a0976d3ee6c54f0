"""Invitations and password resets: queued with their email, single use, expiring."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from service.accounts import links, service, signin
from service.accounts.audit import Actor
from service.accounts.errors import LinkNotValid
from service.accounts.links import LinkPurpose
from service.accounts.models import Account
from service.accounts.roles import Role
from service.accounts.signin import Client
from service.config import Settings
from tests.accounts.conftest import NOW, PASSWORD, MakePerson

NEW_PASSWORD = "lantern orchard 17 brume"


@dataclass
class FakeMailer:
    sent: list[dict[str, object]] = field(default_factory=list)

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
        self.sent.append({"to": to, "purpose": purpose, "url": url, "lang": lang})

    def token(self) -> str:
        return str(self.sent[-1]["url"]).rsplit("/", 1)[1]


def _invite(
    session: Session,
    settings: Settings,
    admin_actor: Actor,
    mailer: FakeMailer,
    email: str = "new@example.org",
) -> Account:
    return links.invite(
        session,
        admin_actor,
        email,
        Role.organiser,
        mailer,
        settings.accounts,
        settings.secret_key,
        settings.base_url,
        "fr",
        NOW,
    )


def test_invitation_is_accepted_once(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    mailer = FakeMailer()
    account = _invite(session, settings, admin.actor(), mailer)
    assert account.password_hash is None
    assert mailer.sent[0]["to"] == "new@example.org" and mailer.sent[0]["lang"] == "fr"
    assert str(mailer.sent[0]["url"]).startswith(f"{settings.base_url}/console/invitation/")
    token = mailer.token()
    links.set_password_from_link(
        session,
        LinkPurpose.invitation,
        token,
        NEW_PASSWORD,
        settings.accounts,
        settings.secret_key,
        NOW,
    )
    signed_in, _ = signin.sign_in(
        session,
        "new@example.org",
        NEW_PASSWORD,
        Client("192.0.2.3"),
        settings.accounts,
        settings.secret_key,
        NOW,
    )
    assert signed_in.must_enrol  # an organiser
    with pytest.raises(LinkNotValid, match="used already"):
        links.set_password_from_link(
            session,
            LinkPurpose.invitation,
            token,
            NEW_PASSWORD + "x",
            settings.accounts,
            settings.secret_key,
            NOW,
        )


def test_invitation_expires(session: Session, settings: Settings, make_person: MakePerson) -> None:
    mailer = FakeMailer()
    _invite(session, settings, make_person(Role.admin).actor(), mailer)
    late = NOW + timedelta(hours=settings.accounts.invitation_valid_hours)
    with pytest.raises(LinkNotValid, match="expired"):
        links.open_link(session, LinkPurpose.invitation, mailer.token(), settings.secret_key, late)


def test_forged_or_cross_purpose_links_are_refused(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    mailer = FakeMailer()
    _invite(session, settings, make_person(Role.admin).actor(), mailer)
    token = mailer.token()
    nonce, signature = token.split(".")
    for bad in (f"{nonce}x.{signature}", f"{nonce}.{'0' * len(signature)}", "", "x" * 500):
        with pytest.raises(LinkNotValid):
            links.open_link(session, LinkPurpose.invitation, bad, settings.secret_key, NOW)
    with pytest.raises(LinkNotValid):
        links.open_link(session, LinkPurpose.reset, token, settings.secret_key, NOW)


def test_reset_is_single_use_expires_and_ends_sessions(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    staff = make_person(Role.staff)
    _in, raw = signin.sign_in(
        session,
        staff.account.email,
        PASSWORD,
        Client("192.0.2.4"),
        settings.accounts,
        settings.secret_key,
        NOW,
    )
    mailer = FakeMailer()
    links.request_reset(
        session,
        staff.account.email.upper(),
        mailer,
        settings.accounts,
        settings.secret_key,
        settings.base_url,
        "en",
        NOW,
    )
    token = mailer.token()
    late = NOW + timedelta(minutes=settings.accounts.reset_valid_minutes)
    with pytest.raises(LinkNotValid, match="expired"):
        links.set_password_from_link(
            session,
            LinkPurpose.reset,
            token,
            NEW_PASSWORD,
            settings.accounts,
            settings.secret_key,
            late,
        )
    links.set_password_from_link(
        session, LinkPurpose.reset, token, NEW_PASSWORD, settings.accounts, settings.secret_key, NOW
    )
    assert signin.resolve(session, raw, settings.accounts, NOW) is None
    with pytest.raises(LinkNotValid, match="used already"):
        links.set_password_from_link(
            session,
            LinkPurpose.reset,
            token,
            "another fine phrase",
            settings.accounts,
            settings.secret_key,
            NOW,
        )


def test_reset_for_unknown_or_disabled_addresses_sends_nothing(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    staff = make_person(Role.staff)
    service.set_disabled(session, admin.actor(), staff.account.id, True, NOW)
    mailer = FakeMailer()
    for address in ("nobody@example.org", staff.account.email, "not an address"):
        links.request_reset(
            session,
            address,
            mailer,
            settings.accounts,
            settings.secret_key,
            settings.base_url,
            "en",
            NOW,
        )
    assert mailer.sent == []


def test_reset_emails_are_spaced_out(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    staff = make_person(Role.staff)
    mailer = FakeMailer()
    for minutes in (0, 1, 4, 6):
        links.request_reset(
            session,
            staff.account.email,
            mailer,
            settings.accounts,
            settings.secret_key,
            settings.base_url,
            "en",
            NOW + timedelta(minutes=minutes),
        )
    assert len(mailer.sent) == 2
