"""Every route of the app answers with the security headers, whatever it answers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.routing import Route

from service.app import create_app
from service.config import Settings
from service.deps import get_session
from service.security_headers import HSTS

HTML = "text/html,application/xhtml+xml,*/*;q=0.8"


def _client(settings: Settings, engine: Engine, session: Session) -> Iterator[TestClient]:
    app = create_app(settings, engine=engine)

    def _test_session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session] = _test_session
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def https_client(settings: Settings, engine: Engine, session: Session) -> Iterator[TestClient]:
    yield from _client(
        settings.model_copy(update={"base_url": "https://letters.example.org"}), engine, session
    )


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers (FastAPI keeps those as
    branches rather than copying their routes)."""
    for route in routes:
        if isinstance(route, APIRoute | Route):
            yield prefix + route.path, set(route.methods or ())
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes, prefix + route.include_context.prefix)


def _every_request(client: TestClient) -> list[tuple[str, str]]:
    """One request per method of every route, path parameters filled with a plausible value."""
    requests: list[tuple[str, str]] = []
    for path, methods in _routes(client.app.routes):  # type: ignore[attr-defined]
        filled = re.sub(r"\{[^}]+\}", "x1", path)
        requests += [(method, filled) for method in sorted(methods)]
    return requests


def _assert_hardened(response_headers: dict[str, str], where: str, *, https: bool) -> None:
    assert response_headers.get("x-content-type-options") == "nosniff", where
    # Pages keep their own "same-origin": neither policy sends a token-bearing URL away.
    assert response_headers.get("referrer-policy") in ("no-referrer", "same-origin"), where
    assert "frame-ancestors 'none'" in response_headers.get("content-security-policy", ""), where
    assert response_headers.get("cache-control") == "no-store", where
    if https:
        assert response_headers.get("strict-transport-security") == HSTS, where
    else:
        assert "strict-transport-security" not in response_headers, where


def test_every_route_carries_the_security_headers(https_client: TestClient) -> None:
    requests = _every_request(https_client)
    assert len(requests) > 15
    for method, path in requests:
        for accept in (HTML, "application/json"):
            response = https_client.request(
                method, path, headers={"Accept": accept}, follow_redirects=False
            )
            assert response.status_code < 500, (method, path, response.status_code)
            _assert_hardened(dict(response.headers), f"{method} {path} {accept}", https=True)


def test_no_hsts_when_the_base_url_is_plain_http(client: TestClient) -> None:
    _assert_hardened(dict(client.get("/healthz").headers), "/healthz", https=False)


def test_static_files_keep_their_own_caching(client: TestClient) -> None:
    response = client.get("/static/js/compose.js")
    assert response.status_code == 200
    assert response.headers.get("cache-control") != "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_trailing_slash_redirect_never_names_another_host(client: TestClient) -> None:
    response = client.get("/healthz/?a=1", headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/healthz?a=1"


def test_api_docs_are_served_from_local_files_only(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert client.get("/redoc").status_code == 404
