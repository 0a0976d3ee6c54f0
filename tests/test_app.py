from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from service.app import create_app
from service.config import Settings
from service.deps import get_session


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


HTML = "text/html,application/xhtml+xml,*/*;q=0.8"


def _app_whose_session_fails(settings: Settings, engine: Engine, error: Exception) -> TestClient:
    app = create_app(settings, engine=engine)

    def _failing_session() -> Iterator[Session]:
        raise error
        yield  # pragma: no cover - makes this a generator dependency

    app.dependency_overrides[get_session] = _failing_session
    return TestClient(app, raise_server_exceptions=False)


LOCKED = OperationalError("BEGIN", {}, Exception("database is locked"))


def test_a_busy_database_is_a_503_with_retry_after(settings: Settings, engine: Engine) -> None:
    with _app_whose_session_fails(settings, engine, LOCKED) as busy:
        response = busy.get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "try again" in response.json()["message"]


@pytest.mark.parametrize(("lang", "words"), [("en", "very busy"), ("fr", "très sollicités")])
def test_a_browser_meeting_a_busy_database_gets_a_page(
    settings: Settings, engine: Engine, lang: str, words: str
) -> None:
    with _app_whose_session_fails(settings, engine, LOCKED) as busy:
        response = busy.get(f"/write?rep=uk-4602&lang={lang}", headers={"Accept": HTML})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in response.text
    assert '<main id="main"' in response.text and words in response.text


def test_a_pool_with_no_connection_free_is_a_503_too(settings: Settings, engine: Engine) -> None:
    exhausted = PoolTimeout("QueuePool limit of size 10 overflow 20 reached")
    with _app_whose_session_fails(settings, engine, exhausted) as busy:
        api = busy.get("/api/campaigns/calais-border")
        page = busy.get("/campaigns/calais-border", headers={"Accept": HTML})
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.json()["error"] == "unavailable"
    assert page.status_code == 503 and "very busy" in page.text


def test_an_unexpected_fault_is_a_page_for_browsers_and_json_for_programs(
    settings: Settings, engine: Engine
) -> None:
    with _app_whose_session_fails(settings, engine, RuntimeError("a bug of ours")) as broken:
        page = broken.get("/write?rep=uk-4602", headers={"Accept": HTML})
        api = broken.get("/api/campaigns/calais-border")
    assert page.status_code == 500
    assert '<main id="main"' in page.text and "Something went wrong on our side" in page.text
    assert "a bug of ours" not in page.text and "Traceback" not in page.text
    assert api.status_code == 500
    assert api.json()["error"] == "internal"
    assert "a bug of ours" not in api.text


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/no/such/page").headers["X-Request-Id"]
    assert len(first) == 16 and first != second
