"""Fixtures for the page tests: the first campaign seeded inside the test's own transaction, a
browser-like client (asks for HTML, keeps cookies) on an app whose UK postcode resolver is a
small fake, and helpers to read pages and build letters."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.app import create_app
from service.campaigns.models import Campaign
from service.campaigns.seed import seed_campaigns
from service.config import Settings
from service.deps import get_session
from service.letters.models import Letter
from service.letters.tokens import confirmation_token
from service.lookup.service import LookupDependencies

# Bath (E14001080) and its MP in the bundled snapshot.
BATH = "E14001080"
BATH_MP = "uk-4602"
BATH_POSTCODE = "BA1 1AA"
# The député of French citizens living in northern Europe, the UK included (099-03).
ABROAD_GB_DEPUTE = "fr-PA842311"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# The first campaign's pages: /campaigns/calais-border, …/find, …/write, …/send.
CALAIS = "/campaigns/calais-border"


@dataclass
class FakeResolver:
    """Stands in for the imported ONS postcode table."""

    table: dict[str, str]

    def constituency_for(self, key: str) -> str | None:
        return self.table.get(key)


@pytest.fixture
def campaign(session: Session, settings: Settings) -> Campaign:
    seed_campaigns(session, settings)
    session.flush()
    return session.exec(select(Campaign).where(Campaign.slug == "calais-border")).one()


@pytest.fixture
def web_app(settings: Settings, engine: Engine, session: Session, campaign: Campaign) -> Any:
    deps = LookupDependencies(uk_resolvers=[FakeResolver({"BA11AA": BATH})])
    app = create_app(settings, engine=engine, lookup_deps=deps)

    def _test_session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = _test_session
    return app


@pytest.fixture
def web(web_app: Any) -> TestClient:
    """A browser: asks for HTML in English. Not entered as a context manager, so the
    embedded delivery worker does not start (it could not see the test's transaction)."""
    return TestClient(web_app, headers={"Accept": HTML, "Accept-Language": "en-GB,en;q=0.9"})


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF field on the page"
    return match.group(1)


def field_error(page: str, field: str) -> str | None:
    pattern = rf'<p class="field-error" id="f-{re.escape(field)}-error">(.*?)</p>'
    match = re.search(pattern, page, re.S)
    if not match:
        return None
    return html_lib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split(":", 1)[-1].strip()


def input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    return html_lib.unescape(match.group(1)) if match else None


def textarea_value(page: str, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    return html_lib.unescape(match.group(1)) if match else None


def text_of(page: str) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded, spaces squeezed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def letter_form(web: TestClient, rep: str = BATH_MP, **changes: Any) -> dict[str, Any]:
    """A complete, valid letter form for `rep`, with the CSRF token of a fresh compose page."""
    page = web.get(f"{CALAIS}/write?rep={rep}&country=uk&postcode=BA1+1AA")
    assert page.status_code == 200, page.text
    data: dict[str, Any] = {
        "csrf_token": csrf_token(page.text),
        "campaign": "calais-border",
        "rep": rep,
        "country": "uk",
        "name": "Ann Example",
        "email": "ann@example.org",
        "postcode": BATH_POSTCODE,
        "address": "1 High Street, Bath",
        "demands": ["1", "3"],
        "message": "My grandmother came to Bath as a refugee child, and I think of her every "
        "time I read about a child at Calais.",
        "consent": "yes",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def sent_letter(session: Session, email: str = "ann@example.org") -> Letter:
    return session.exec(select(Letter).where(Letter.email == email)).one()


def confirm_link(settings: Settings, letter: Letter) -> str:
    return (
        f"/confirm/{confirmation_token(settings.secret_key, letter.id, letter.confirm_expires_at)}"
    )


def confirm(web: TestClient, link: str) -> Response:
    """Open the link from the confirmation email and press its "Send my letter" button."""
    page = web.get(link)
    assert page.status_code == 200, page.text[:500]
    return web.post(link, data={"csrf_token": csrf_token(page.text)})
