"""Every console page and every /api/admin route, read from the app itself so that a new
route is covered the day it is added: signed-out visitors are sent to sign in (pages) or get
401 (JSON); a role without the route's permission gets 403; a form sent without its CSRF
token gets 403."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.routing import Mount

from service.accounts import credentials
from service.accounts.current import ApiUser, ConsoleUser
from service.accounts.roles import Permission, Role, has_permission
from service.config import Settings
from service.web import csrf
from tests.accounts.conftest import NOW, MakePerson
from tests.web.console.conftest import SignedInBrowser

# Pages anyone may open: signing in, and the emailed links (which carry their own secret).
PUBLIC_CONSOLE = {"/sign-in", "/reset", "/invitation/{token}", "/reset/{token}"}
SOME_ID = "0" * 32


def _console(app: FastAPI) -> FastAPI:
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/console")
    assert isinstance(mount.app, FastAPI)
    return mount.app


def _guard(dependant: Dependant) -> ConsoleUser | ApiUser | None:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, ConsoleUser | ApiUser):
            return dependency.call
        found = _guard(dependency)
        if found is not None:
            return found
    return None


def _routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    found = []
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if isinstance(dependant, Dependant) and route.path and route.methods:
            for method in sorted(route.methods - {"HEAD"}):
                found.append((method, route.path, _guard(dependant)))
    return found


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", SOME_ID, path)


def _lacking_role(permission: Permission) -> Role | None:
    """A role without the permission (staff first: it has the least)."""
    for role in (Role.staff, Role.moderator, Role.organiser):
        if not has_permission(role, permission):
            return role
    return None


@pytest.fixture
def app(client: TestClient) -> FastAPI:
    assert isinstance(client.app, FastAPI)
    return client.app


def test_every_console_route_is_guarded_or_public(app: FastAPI) -> None:
    routes = _routes(_console(app))
    assert len(routes) > 20
    unguarded = {path for _m, path, guard in routes if guard is None}
    assert unguarded == PUBLIC_CONSOLE
    assert all(isinstance(g, ConsoleUser) for _m, _p, g in routes if g is not None)


def test_every_admin_api_route_is_guarded(app: FastAPI) -> None:
    routes = [r for r in _routes(app) if r[1].startswith("/api/admin")]
    assert len(routes) > 10
    assert [(m, p) for m, p, g in routes if not isinstance(g, ApiUser)] == []


def test_signed_out_visitors_are_sent_to_sign_in(
    app: FastAPI, client: TestClient, settings: Settings
) -> None:
    token = csrf.issue(settings.secret_key)
    client.cookies.set(csrf.COOKIE_NAME, token)
    for method, path, guard in _routes(_console(app)):
        if guard is None:
            continue
        url = "/console" + _url(path)
        response = client.request(
            method,
            url,
            data={csrf.FIELD_NAME: token} if method == "POST" else None,
            headers={"accept": "text/html"},
            follow_redirects=False,
        )
        assert response.status_code == 303, (method, url, response.status_code)
        assert response.headers["location"].startswith("/console/sign-in?next="), (method, url)


def test_admin_api_without_a_token_answers_401(app: FastAPI, client: TestClient) -> None:
    for method, path, _unused in _routes(app):
        if not path.startswith("/api/admin"):
            continue
        for headers in (
            {},
            {"authorization": "Bearer rmt_not-a-token"},
            {"authorization": "Basic abc"},
        ):
            response = client.request(method, _url(path), headers=headers, json={})
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.json()["error"] == "not_signed_in"


def test_console_refuses_roles_without_the_permission(
    app: FastAPI, client: TestClient, signed_in_as: SignedInBrowser
) -> None:
    checked = 0
    browsers: dict[Role, str] = {}
    for method, path, guard in _routes(_console(app)):
        role = _lacking_role(guard.permission) if guard else None
        if role is None:
            continue
        if role not in browsers:
            client.cookies.clear()
            browsers = {role: signed_in_as(role)[1]}
        token = browsers[role]
        response = client.request(
            method,
            "/console" + _url(path),
            data={csrf.FIELD_NAME: token} if method == "POST" else None,
            follow_redirects=False,
        )
        assert response.status_code == 403, (role, method, path, response.status_code)
        assert "<html" in response.text
        checked += 1
    assert checked >= 5


def test_admin_api_refuses_roles_without_the_permission(
    app: FastAPI, client: TestClient, session: Session, make_person: MakePerson
) -> None:
    tokens: dict[Role, str] = {}
    checked = 0
    for method, path, guard in _routes(app):
        if not path.startswith("/api/admin") or guard is None:
            continue
        role = _lacking_role(guard.permission)
        if role is None:
            continue
        if role not in tokens:
            person = make_person(role)
            tokens[role] = credentials.create_token(session, person.actor(), "t", NOW)[1]
        response = client.request(
            method, _url(path), headers={"authorization": f"Bearer {tokens[role]}"}, json={}
        )
        assert response.status_code == 403, (role, method, path, response.text)
        checked += 1
    assert checked >= 5


def test_forms_without_the_csrf_token_are_refused(
    app: FastAPI, client: TestClient, signed_in_as: SignedInBrowser
) -> None:
    _admin, token = signed_in_as(Role.admin)
    posts = [(m, p) for m, p, _g in _routes(_console(app)) if m == "POST"]
    assert len(posts) > 10
    for _method, path in posts:
        url = "/console" + _url(path)
        for data in ({}, {csrf.FIELD_NAME: "forged"}, {csrf.FIELD_NAME: token + "x"}):
            response = client.post(url, data=data, follow_redirects=False)
            assert response.status_code == 403, (path, data, response.status_code)
    # The same token in the form and the cookie passes the check (then the route answers).
    response = client.post("/console/account/tokens", data={csrf.FIELD_NAME: token, "name": "x"})
    assert response.status_code == 200
