"""Console fixtures: the app on a fixed clock, and browsers signed in as each role."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.accounts import credentials
from service.accounts.roles import Role
from service.clock import FakeClock
from service.config import Settings
from service.letters.models import Letter
from service.letters.routes import get_now
from tests.accounts.conftest import NOW, MakePerson, Person, browser, make_person, sign_in_fully

__all__ = ["make_person"]

SignedInBrowser = Callable[[Role], tuple[Person, str]]


@pytest.fixture
def clock(client: TestClient) -> FakeClock:
    fake = FakeClock(NOW)
    client.app.state.clock = fake  # type: ignore[attr-defined]
    return fake


@pytest.fixture
def signed_in_as(
    client: TestClient,
    clock: FakeClock,
    session: Session,
    settings: Settings,
    make_person: MakePerson,
) -> SignedInBrowser:
    """Signs `client` in as a new person of `role`; returns them and the CSRF token."""

    def sign_in(role: Role) -> tuple[Person, str]:
        person = make_person(role)
        cookie = sign_in_fully(session, settings, person, clock.now())
        return person, browser(client, settings, cookie)

    return sign_in


@pytest.fixture
def console(client: TestClient, clock: FakeClock) -> TestClient:
    """A browser on https (the session cookie is Secure outside development) asking for
    pages, sharing the app, clock and test transaction of `client`."""
    return TestClient(client.app, base_url="https://testserver", headers={"accept": "text/html"})


@pytest.fixture
def letters(client: TestClient, clock: FakeClock, session: Session) -> Iterator[list[Letter]]:
    """Two letters to REP (Liam Byrne), confirmed and queued."""
    from tests.web.console.test_representative_care import _queued_letter

    client.app.dependency_overrides[get_now] = clock.now  # type: ignore[attr-defined]
    yield [_queued_letter(client, session, n) for n in range(2)]
    client.app.dependency_overrides.pop(get_now, None)  # type: ignore[attr-defined]


@pytest.fixture
def organiser(session: Session, make_person: MakePerson) -> dict[str, str]:
    """The headers of an organiser's API token."""
    person = make_person(Role.organiser)
    token = credentials.create_token(session, person.actor(), "care", NOW)[1]
    return {"authorization": f"Bearer {token}"}
