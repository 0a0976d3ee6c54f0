"""Fixtures for the page tests: the first campaign seeded in the test's own transaction, a
client that has been given its CSRF cookie, and helpers to read pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.campaigns.seed import seed_campaigns
from service.config import Settings


@pytest.fixture
def campaign(session: Session, settings: Settings) -> str:
    seed_campaigns(session, settings)
    session.flush()
    return "calais-border"


@pytest.fixture
def web(client: TestClient, campaign: str) -> Iterator[TestClient]:
    """A browser-like client: it asks for HTML and has visited the campaign page."""
    client.headers["Accept"] = "text/html,application/xhtml+xml"
    client.headers["Accept-Language"] = "en-GB,en;q=0.9"
    yield client


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def field_error(html: str, field: str) -> str | None:
    pattern = rf'<p class="field-error" id="f-{re.escape(field)}-error">(.*?)</p>'
    match = re.search(pattern, html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else None
