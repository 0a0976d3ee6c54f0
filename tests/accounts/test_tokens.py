"""Personal API tokens: hashed at rest, revocable, and only as good as their owner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from service.accounts import credentials, service
from service.accounts.errors import NotSignedIn, SecondFactorNeeded
from service.accounts.models import ApiToken
from service.accounts.roles import Role
from service.accounts.tokens import digest
from service.config import Settings
from tests.accounts.conftest import NOW, MakePerson


def test_token_is_stored_hashed_and_records_last_use(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    staff = make_person(Role.staff)
    token, raw = credentials.create_token(session, staff.actor(), "nightly export", NOW)
    stored = session.exec(select(ApiToken).where(ApiToken.id == token.id)).one()
    assert stored.token_hash == digest(raw) and raw not in stored.token_hash
    assert stored.last_used_at is None
    holder = credentials.authenticate_token(session, raw, NOW + timedelta(minutes=5))
    assert holder.account.id == staff.account.id and holder.token.last_used_at is not None


def test_revoked_tokens_and_tokens_of_disabled_owners_stop_working(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    staff = make_person(Role.staff)
    first, raw_first = credentials.create_token(session, staff.actor(), "one", NOW)
    _second, raw_second = credentials.create_token(session, staff.actor(), "two", NOW)
    credentials.revoke_token(session, staff.actor(), first.id, NOW)
    with pytest.raises(NotSignedIn):
        credentials.authenticate_token(session, raw_first, NOW)
    credentials.authenticate_token(session, raw_second, NOW)
    service.set_disabled(session, admin.actor(), staff.account.id, True, NOW)
    with pytest.raises(NotSignedIn):
        credentials.authenticate_token(session, raw_second, NOW)


def test_token_carries_the_owners_current_role(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    staff = make_person(Role.staff)
    _token, raw = credentials.create_token(session, staff.actor(), "script", NOW)
    service.change_role(session, admin.actor(), staff.account.id, Role.moderator, NOW)
    # A moderator needs a second factor, which this person has not set up.
    with pytest.raises(SecondFactorNeeded):
        credentials.authenticate_token(session, raw, NOW)
    service.change_role(session, admin.actor(), staff.account.id, Role.staff, NOW)
    assert credentials.authenticate_token(session, raw, NOW).account.role == Role.staff


def test_someone_elses_token_cannot_be_revoked(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    one, other = make_person(Role.staff), make_person(Role.staff)
    token, _raw = credentials.create_token(session, one.actor(), "mine", NOW)
    with pytest.raises(Exception, match="no such token"):
        credentials.revoke_token(session, other.actor(), token.id, NOW)
