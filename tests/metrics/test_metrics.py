"""GET /metrics: Prometheus text that the client library's own parser reads, figures equal
to the database's, requests counted by route template; a token when one is set, else the
loopback address only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.app import create_app
from service.clock import FakeClock
from service.config import Settings
from service.delivery import service as delivery
from service.delivery.models import OutboxMessage, PeriodicRun
from service.delivery.schemas import MessageKind
from service.delivery.states import OutboxState
from service.deps import get_session
from service.tracking.models import ProviderEvent
from tests.delivery.support import make_email

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TOKEN = "metrics-token-for-tests"


def _client(settings: Settings, engine: Engine, session: Session, **client: Any) -> TestClient:
    app = create_app(settings, engine=engine)

    def _test_session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = _test_session
    app.state.clock = FakeClock(NOW)
    return TestClient(app, **client)


@pytest.fixture
def local(settings: Settings, engine: Engine, session: Session) -> TestClient:
    return _client(settings, engine, session, client=("127.0.0.1", 50000))


def _samples(text: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_the_figures_are_the_databases(local: TestClient, session: Session) -> None:
    confirmation = make_email(1, letter_id=None, kind=MessageKind.confirmation)
    queued = delivery.enqueue(session, confirmation, now=NOW - timedelta(minutes=5))
    row = session.get(OutboxMessage, queued)
    assert row is not None
    row.next_attempt_at = NOW - timedelta(minutes=5)
    sent = delivery.enqueue(session, make_email(2, letter_id="l" * 32), now=NOW)
    sent_row = session.get(OutboxMessage, sent)
    assert sent_row is not None
    sent_row.state, sent_row.to_domain = OutboxState.delivered, "parliament.uk"
    session.add(
        ProviderEvent(
            sg_event_id="ev1", batch_id=1, event="delivered", outbox_id=sent, occurred_at=NOW
        )
    )
    session.add(PeriodicRun(name="letters", started_at=NOW - timedelta(minutes=1), finished_at=NOW))
    session.commit()
    local.get("/healthz")
    answer = local.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    samples = _samples(answer.text)
    assert all(name.startswith("repmail_") for name in samples if not name.startswith("python_"))
    outbox = samples["repmail_outbox_messages"]
    assert outbox[(("kind", "confirmation"), ("state", "queued"))] >= 1
    sends = samples["repmail_letter_sends"]
    assert sends[(("domain", "parliament.uk"), ("result", "delivered"))] >= 1
    assert samples["repmail_webhook_events_total"][(("type", "delivered"),)] >= 1
    assert samples["repmail_queue_lag_seconds"][()] >= 300
    started = samples["repmail_periodic_job_last_started_timestamp_seconds"]
    assert started[(("job", "letters"),)] == (NOW - timedelta(minutes=1)).timestamp()
    requests = samples["repmail_http_requests_total"]
    assert requests[(("method", "GET"), ("route", "/healthz"), ("status", "200"))] == 1


def test_requests_are_counted_by_route_template(local: TestClient) -> None:
    local.get("/console/representatives/uk-4602", follow_redirects=False)
    local.get("/no/such/page/BA1-1AA")
    samples = _samples(local.get("/metrics").text)["repmail_http_requests_total"]
    routes = {dict(labels)["route"] for labels in samples}
    assert "/console/representatives/{representative_id}" in routes
    assert "unmatched" in routes
    assert not any("uk-4602" in r or "BA1" in r for r in routes)


def test_each_app_has_its_own_registry(
    settings: Settings, engine: Engine, session: Session
) -> None:
    first = _client(settings, engine, session, client=("127.0.0.1", 1))
    second = _client(settings, engine, session, client=("127.0.0.1", 2))
    first.get("/healthz")
    counted = _samples(second.get("/metrics").text).get("repmail_http_requests_total", {})
    assert not any(dict(labels)["route"] == "/healthz" for labels in counted)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_without_a_token_only_loopback_clients_are_answered(
    settings: Settings, engine: Engine, session: Session, host: str
) -> None:
    assert _client(settings, engine, session, client=(host, 1)).get("/metrics").status_code == 200
    for outside in ("192.0.2.10", "testclient"):
        refused = _client(settings, engine, session, client=(outside, 1)).get("/metrics")
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"


def test_with_a_token_it_is_required_from_everyone(
    settings: Settings, engine: Engine, session: Session
) -> None:
    guarded = settings.model_copy(update={"metrics_token": TOKEN})
    for host in ("127.0.0.1", "192.0.2.10"):
        client = _client(guarded, engine, session, client=(host, 1))
        for header in ({}, {"authorization": "Bearer wrong"}, {"authorization": f"Basic {TOKEN}"}):
            refused = client.get("/metrics", headers=header)
            assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        ok = client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and "repmail_outbox_messages" in ok.text


def test_the_token_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPMAIL_METRICS_TOKEN", TOKEN)
    assert Settings().metrics_token == TOKEN
