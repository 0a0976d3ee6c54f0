"""Schemathesis drives every operation of the OpenAPI schema with generated input: whatever
arrives, the answer is never a server error and always matches the documented schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.schemas import BaseSchema
from sqlalchemy.engine import Engine

from service.app import create_app
from service.config import Settings


@pytest.fixture
def api_schema(settings: Settings, engine: Engine) -> BaseSchema:
    app = create_app(settings, engine=engine)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_on_generated_input(case: schemathesis.Case) -> None:
    case.call_and_validate()
