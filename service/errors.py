"""Domain errors. Each carries the HTTP status it maps to; app.py maps them in one place."""

from __future__ import annotations

from pydantic import BaseModel

# Seconds a client is asked to wait (Retry-After) before sending again a request that found
# the database too busy: nothing was written, so sending it again is safe.
RETRY_AFTER_SECONDS = 5


class DomainError(Exception):
    status_code = 400
    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """Input a person can correct: a malformed postcode, an unknown country code."""

    status_code = 422
    code = "invalid_input"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class ImportFailed(DomainError):
    """An importer refused its input file; nothing was written."""

    status_code = 400
    code = "import_failed"


class ServiceUnavailable(DomainError):
    """An outside service (a live postcode resolver) did not answer in time."""

    status_code = 503
    code = "unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    """The database is saturated, restarting or out of reach. Whatever the request began was
    rolled back, so sending it again is safe."""

    code = "unavailable"
    # The driver's error class, for the log (never its text: it may quote personal data).
    reason = ""


class ErrorBody(BaseModel):
    """The JSON body of every refusal, documented in the OpenAPI schema."""

    error: str
    message: str
    field: str | None = None
    detail: list[dict[str, object]] | None = None


# Declared on routers so the schema describes our refusals rather than FastAPI's default.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorBody, "description": "Not found"},
    422: {"model": ErrorBody, "description": "Input a person can correct"},
}
