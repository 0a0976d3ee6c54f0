"""Signing in: password, second factor, recovery codes, throttling, lockout and its lifting,
session timeouts and revocation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from service.accounts import credentials, service, signin
from service.accounts.audit import CLI_ACTOR
from service.accounts.errors import SignInRefused, SignInThrottled
from service.accounts.models import AuditEntry
from service.accounts.roles import Role
from service.accounts.signin import Client
from service.config import Settings
from tests.accounts.conftest import NOW, PASSWORD, MakePerson

HERE = Client("192.0.2.10", "test browser")


def _sign_in(
    session: Session,
    settings: Settings,
    email: str,
    password: str,
    at: datetime = NOW,
    client: Client = HERE,
) -> tuple[signin.SignedIn, str]:
    return signin.sign_in(
        session, email, password, client, settings.accounts, settings.secret_key, at
    )


def _actions(session: Session) -> list[str]:
    return [e.action for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]


def test_admin_needs_the_second_factor_then_is_signed_in(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    signed_in, raw = _sign_in(session, settings, admin.account.email, PASSWORD)
    assert not signed_in.complete and not signed_in.must_enrol
    with pytest.raises(SignInRefused):
        signin.second_factor(session, signed_in, "000000", settings.accounts, NOW)
    signin.second_factor(session, signed_in, admin.code(NOW), settings.accounts, NOW)
    resolved = signin.resolve(session, raw, settings.accounts, NOW)
    assert resolved is not None and resolved.complete
    assert {
        "sign_in.password_accepted",
        "sign_in.second_factor_failed",
        "sign_in.succeeded",
    } <= set(_actions(session))


def test_a_role_that_needs_a_second_factor_must_enrol_first(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    organiser = make_person(Role.organiser, enrol=False)
    signed_in, _raw = _sign_in(session, settings, organiser.account.email, PASSWORD)
    assert signed_in.must_enrol and not signed_in.complete
    staff = make_person(Role.staff)
    staff_in, _raw = _sign_in(session, settings, staff.account.email, PASSWORD)
    assert staff_in.complete  # optional for staff


def test_recovery_codes_work_once_each(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    codes = credentials.regenerate_recovery_codes(session, admin.actor(), settings.accounts, NOW)
    assert len(codes) == settings.accounts.recovery_code_count == len(set(codes))
    first, _ = _sign_in(session, settings, admin.account.email, PASSWORD)
    signin.second_factor(session, first, codes[0].upper().replace("-", " "), settings.accounts, NOW)
    second, _ = _sign_in(session, settings, admin.account.email, PASSWORD)
    with pytest.raises(SignInRefused):
        signin.second_factor(session, second, codes[0], settings.accounts, NOW)
    signin.second_factor(session, second, codes[1], settings.accounts, NOW)
    assert credentials.unused_recovery_codes(session, admin.account.id) == len(codes) - 2


def test_a_totp_code_is_not_accepted_twice(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    first, _ = _sign_in(session, settings, admin.account.email, PASSWORD)
    signin.second_factor(session, first, admin.code(NOW), settings.accounts, NOW)
    second, _ = _sign_in(session, settings, admin.account.email, PASSWORD)
    with pytest.raises(SignInRefused):
        signin.second_factor(session, second, admin.code(NOW), settings.accounts, NOW)


def test_failures_grow_delays_then_lock_until_an_admin_lifts_it(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    accounts = settings.accounts
    staff = make_person(Role.staff)
    admin = make_person(Role.admin)
    at = NOW
    waits = []
    for attempt in range(accounts.lockout_after_failures):
        try:
            _sign_in(session, settings, staff.account.email, "wrong password!", at=at)
        except SignInThrottled as exc:
            pytest.fail(f"attempt {attempt} throttled although it waited ({exc.message})")
        except SignInRefused:
            pass
        # Right after a failure past the free ones, even the right password must wait.
        if attempt + 1 >= accounts.login_free_attempts and attempt + 1 < (
            accounts.lockout_after_failures
        ):
            with pytest.raises(SignInThrottled) as throttled:
                _sign_in(session, settings, staff.account.email, PASSWORD, at=at)
            waits.append(throttled.value.retry_after)
            at += timedelta(seconds=throttled.value.retry_after)
        else:
            at += timedelta(seconds=1)
    assert waits == sorted(waits) and waits[0] < waits[-1]
    session.refresh(staff.account)
    assert staff.account.locked_at is not None
    at += timedelta(hours=1)
    with pytest.raises(SignInRefused, match="locked"):
        _sign_in(session, settings, staff.account.email, PASSWORD, at=at)
    service.lift_lockout(session, admin.actor(), staff.account.id, at)
    signed_in, _ = _sign_in(
        session, settings, staff.account.email, PASSWORD, at=at, client=Client("198.51.100.7")
    )
    assert signed_in.complete
    actions = _actions(session)
    assert "account.locked" in actions and "account.lockout_lifted" in actions


def test_addresses_are_throttled_across_accounts(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    people = [make_person(Role.staff) for _ in range(settings.accounts.login_free_attempts + 1)]
    for person in people[:-1]:
        with pytest.raises(SignInRefused):
            _sign_in(session, settings, person.account.email, "wrong password!")
    with pytest.raises(SignInThrottled):
        _sign_in(session, settings, people[-1].account.email, PASSWORD)
    # From elsewhere, the untouched account signs in at once.
    _sign_in(session, settings, people[-1].account.email, PASSWORD, client=Client("203.0.113.9"))


def test_unknown_and_disabled_accounts_get_the_same_refusal(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    staff = make_person(Role.staff)
    service.set_disabled(session, CLI_ACTOR, staff.account.id, True, NOW)
    with pytest.raises(SignInRefused) as disabled:
        _sign_in(session, settings, staff.account.email, PASSWORD)
    with pytest.raises(SignInRefused) as unknown:
        _sign_in(session, settings, "nobody@example.org", PASSWORD, client=Client("203.0.113.1"))
    assert disabled.value.message == unknown.value.message


def test_sessions_end_when_idle_at_the_absolute_limit_and_when_revoked(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    accounts = settings.accounts
    staff = make_person(Role.staff)
    _in, raw = _sign_in(session, settings, staff.account.email, PASSWORD)
    idle = timedelta(minutes=accounts.session_idle_minutes)
    # Each request keeps it alive; a pause as long as the idle limit ends it.
    assert signin.resolve(session, raw, accounts, NOW + idle - timedelta(seconds=1))
    later = NOW + 2 * idle - timedelta(seconds=2)
    assert signin.resolve(session, raw, accounts, later)
    assert signin.resolve(session, raw, accounts, later + idle) is None

    # Kept busy, it still ends at the absolute limit.
    _in, raw = _sign_in(session, settings, staff.account.email, PASSWORD)
    at = NOW
    limit = NOW + timedelta(hours=accounts.session_absolute_hours)
    while at + idle / 2 < limit:
        at += idle / 2
        assert signin.resolve(session, raw, accounts, at) is not None
    assert signin.resolve(session, raw, accounts, limit) is None

    one, raw_one = _sign_in(session, settings, staff.account.email, PASSWORD)
    _two, raw_two = _sign_in(session, settings, staff.account.email, PASSWORD)
    signin.revoke_session(session, one.actor(), one.console_session.id, NOW)
    assert signin.resolve(session, raw_one, accounts, NOW) is None
    assert signin.resolve(session, raw_two, accounts, NOW) is not None
    signin.sign_out_everywhere(session, one.actor(), NOW)
    assert signin.resolve(session, raw_two, accounts, NOW) is None


def test_disabling_or_changing_the_role_ends_sessions(
    session: Session, settings: Settings, make_person: MakePerson
) -> None:
    admin = make_person(Role.admin)
    staff = make_person(Role.staff)
    _in, raw = _sign_in(session, settings, staff.account.email, PASSWORD)
    service.change_role(session, admin.actor(), staff.account.id, Role.moderator, NOW)
    assert signin.resolve(session, raw, settings.accounts, NOW) is None
    service.change_role(session, admin.actor(), staff.account.id, Role.staff, NOW)
    _in, raw = _sign_in(session, settings, staff.account.email, PASSWORD)
    service.set_disabled(session, admin.actor(), staff.account.id, True, NOW)
    assert signin.resolve(session, raw, settings.accounts, NOW) is None
