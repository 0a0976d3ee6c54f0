"""The Suppressions API client, against the local fake."""

from __future__ import annotations

import pytest

from service.errors import ServiceUnavailable
from service.tracking.suppressions import SendGridSuppressions
from tests.fakes.suppressions import FakeSuppressions

ADDRESS = "old.office@parliament.example"


def test_finds_the_lists_holding_an_address_and_releases_it() -> None:
    with FakeSuppressions() as fake:
        fake.suppress(ADDRESS, ["bounces", "spam_reports"])
        client = SendGridSuppressions("SG.test-key", fake.url)
        assert client.lists_holding(ADDRESS) == ["bounces", "spam_reports"]
        assert client.lists_holding("other@parliament.example") == []
        assert client.release(ADDRESS, ["bounces", "spam_reports", "blocks"]) == [
            "bounces",
            "spam_reports",
        ]
        assert client.lists_holding(ADDRESS) == []
        assert ("DELETE", "/v3/suppression/bounces/old.office@parliament.example") in fake.requests
        client.close()


def test_a_refused_key_or_an_absent_service_is_unavailable_not_a_crash() -> None:
    with FakeSuppressions() as fake:
        with pytest.raises(ServiceUnavailable):
            SendGridSuppressions("SG.wrong", fake.url).lists_holding(ADDRESS)
        url = fake.url
    with pytest.raises(ServiceUnavailable):
        SendGridSuppressions("SG.test-key", url, timeout=0.5).lists_holding(ADDRESS)
