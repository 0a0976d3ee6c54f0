"""A campaign as pages and the API show it, with the letters that count towards its goal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from service.campaigns.seed import SLUG
from service.errors import NotFound
from service.letters.progress import describe_campaign

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_describe_campaign_for_pages_and_the_api(session: Session) -> None:
    described = describe_campaign(session, SLUG, "fr", NOW)
    assert described.lang == "fr"
    assert described.title.startswith("Calais")
    assert described.open is True
    assert described.letters == 0
    assert describe_campaign(session, SLUG, "de", NOW).lang == "en"  # falls back
    with pytest.raises(NotFound):
        describe_campaign(session, "nope", "en", NOW)
