"""Schemathesis drives every operation of the OpenAPI schema with generated input: whatever
arrives, the answer is never a server error and always matches the documented schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.engine import Engine

from service.app import create_app
from service.config import Environment, Settings
from service.lookup.service import LookupDependencies
from service.lookup.uk import build_uk_resolvers

# The schema is read at import time; the app is pointed at the test database just before use.
app = create_app(Settings(env=Environment.test, database_url="sqlite://"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(autouse=True)
def _use_test_database(settings: Settings, engine: Engine) -> Iterator[None]:
    previous = (app.state.settings, app.state.engine, app.state.lookup)
    app.state.settings = settings
    app.state.engine = engine
    app.state.lookup = LookupDependencies(uk_resolvers=build_uk_resolvers(settings, engine))
    yield
    app.state.settings, app.state.engine, app.state.lookup = previous


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_on_generated_input(case: schemathesis.Case) -> None:
    # A schema cannot say what a real postcode looks like, so a schema-valid request may
    # rightly get a 422; every other check (no 5xx, documented status and body) applies.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
