from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from service.app import create_app
from service.config import Settings
from service.web.deps import get_session


def test_healthz_reports_ok_and_reaches_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/lookup", "/api/constituencies", "/healthz"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 200


def test_request_log_has_no_personal_data(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="repmail.http"):
        client.get("/api/lookup", params={"country": "uk", "postcode": "SW1A 1AA"})
    records = [r for r in caplog.records if r.name == "repmail.http"]
    assert records, "every request is logged"
    for record in records:
        text = repr(record.__dict__)
        assert "SW1A" not in text and "postcode=" not in text
        assert record.__dict__["route"] == "/api/lookup"


def test_unknown_paths_are_404_not_500(client: TestClient) -> None:
    assert client.get("/no/such/page").status_code == 404


def test_a_busy_database_is_a_503_with_retry_after(settings: Settings, engine: Engine) -> None:
    app = create_app(settings, engine=engine)

    def _locked_session() -> Iterator[Session]:
        raise OperationalError("BEGIN", {}, Exception("database is locked"))
        yield  # pragma: no cover - makes this a generator dependency

    app.dependency_overrides[get_session] = _locked_session
    with TestClient(app, raise_server_exceptions=False) as busy:
        response = busy.get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "try again" in response.json()["message"]


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/no/such/page").headers["X-Request-Id"]
    assert len(first) == 16 and first != second
